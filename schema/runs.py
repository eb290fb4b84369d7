"""Runs: the agent at work in a session.

Thin types over `db/runs.py` rows; what a field reads comes from the request's loaders
(`loaders/runs.py`), so that a page of sessions, runs and events costs the same number of
statements whatever its length.
"""

import uuid
from collections.abc import Awaitable
from datetime import datetime
from typing import Annotated, Any

import strawberry

from auth.access import is_own_direct_web
from context import Info
from db.runs import (
    TERMINAL,
    ExecutionRow,
    RunRow,
    RunState,
    is_chat_run_of,
    is_user_reconcilable,
    reconciliation_error_code,
    run_status,
)
from db.runs import RunStatus as Status
from loaders.ready import then
from resolvers import run_events as event_resolvers
from schema.nodes import Node
from schema.pagination import PageInfo
from schema.run_events import RunEventConnection, RunStatus, RunWaiting


@strawberry.type(description="A tool call whose outcome is unknown: the user says whether it ran.")
class ToolReconciliation:
    execution_id: strawberry.ID = strawberry.field(description="The tool receipt's id.")
    tool_call_id: str = strawberry.field(description="The model's id for the call.")
    tool_name: str = strawberry.field(description="The tool that was called.")
    result_summary: str | None = strawberry.field(
        description="What the platform knows of the outcome; null when nothing."
    )
    error_code: str | None = strawberry.field(
        description="The receipt's error code, when it recorded one."
    )
    can_reconcile: bool = strawberry.field(
        description=(
            "Whether the platform lets the user settle this call (a conditional file write, "
            "or an image generation); else only an operator can."
        )
    )

    @classmethod
    def of(cls, execution: ExecutionRow) -> "ToolReconciliation":
        return cls(
            execution_id=strawberry.ID(str(execution.id)),
            tool_call_id=execution.tool_call_id,
            tool_name=execution.tool_name,
            result_summary=execution.result_summary,
            error_code=reconciliation_error_code(execution),
            can_reconcile=is_user_reconcilable(execution),
        )


@strawberry.type(
    description="One piece of agent work in a session, from the platform's run records."
)
class Run(Node):
    id: strawberry.ID = strawberry.field(description="The run's id (a UUID).")
    session_id: strawberry.ID = strawberry.field(description="The session the run works in.")
    created_at: datetime = strawberry.field(description="When the run was created.")
    row: strawberry.Private[RunRow]
    session: strawberry.Private[Any]
    active: strawberry.Private[bool]
    """Whether this is the viewer's active run of the session (the one they may stop)."""

    @classmethod
    def of(cls, row: RunRow, session: Any, viewer_id: uuid.UUID | None) -> "Run":
        active = (
            viewer_id is not None
            and row.lane_held
            and is_own_direct_web(viewer_id, session)
            and is_chat_run_of(row, session, viewer_id)
        )
        return cls(
            id=strawberry.ID(str(row.id)),
            session_id=strawberry.ID(str(session.id)),
            created_at=row.created_at,
            row=row,
            session=session,
            active=active,
        )

    def _outcome(self, info: Info) -> Awaitable[RunState] | Any:
        return info.context.loaders.run_state.load(self.row.id)

    def _then(self, info: Info, function: Any) -> Any:
        return then(
            lambda state: function(run_status(state, self.row.lane_held)), self._outcome(info)
        )

    @strawberry.field(graphql_type=RunStatus, description="Where the run stands, from its events.")
    def status(self, info: Info) -> Any:
        return self._then(info, lambda outcome: RunStatus(outcome.status.value))

    @strawberry.field(
        graphql_type=RunWaiting | None,
        description="When status is WAITING_USER: what the agent waits for.",
    )
    def waiting(self, info: Info) -> Any:
        return self._then(info, lambda outcome: RunWaiting.of(outcome.waiting))

    @strawberry.field(
        graphql_type=str | None,
        description="When status is FAILED: the platform's error code and trace id.",
    )
    def error_code(self, info: Info) -> Any:
        return self._then(info, lambda outcome: outcome.error_code)

    @strawberry.field(
        graphql_type=str | None,
        description="When status is FAILED: the run's trace id, for the platform's logs.",
    )
    def trace_id(self, info: Info) -> Any:
        return self._then(info, lambda outcome: outcome.trace_id)

    @strawberry.field(graphql_type=bool, description="Whether the viewer may cancel the run now.")
    def can_cancel(self, info: Info) -> Any:
        if not self.active:
            return False
        loaders = info.context.loaders

        def may(state: RunState, commands: frozenset[str]) -> bool:
            outcome = run_status(state, self.row.lane_held)
            return outcome.status not in TERMINAL and "cancel" not in commands

        return then(
            may, loaders.run_state.load(self.row.id), loaders.open_commands.load(self.row.id)
        )

    @strawberry.field(
        graphql_type=bool, description="Whether the run waits on the user and can be resumed now."
    )
    def can_resume(self, info: Info) -> Any:
        if not self.active:
            return False
        loaders = info.context.loaders

        def may(state: RunState, commands: frozenset[str], unknown: list[ExecutionRow]) -> bool:
            outcome = run_status(state, self.row.lane_held)
            return outcome.status is Status.WAITING_USER and not commands and not unknown

        return then(
            may,
            loaders.run_state.load(self.row.id),
            loaders.open_commands.load(self.row.id),
            loaders.unknown_executions.load(self.row.id),
        )

    @strawberry.field(
        graphql_type=list[ToolReconciliation],
        description=(
            "Tool calls whose outcome is unknown and that the user must settle (WAITING_USER)."
        ),
    )
    def pending_tool_reconciliations(self, info: Info) -> Any:
        loaders = info.context.loaders

        def pending(state: RunState, unknown: list[ExecutionRow]) -> list[ToolReconciliation]:
            outcome = run_status(state, self.row.lane_held)
            if outcome.status is not Status.WAITING_USER:
                return []
            return [ToolReconciliation.of(execution) for execution in unknown]

        return then(
            pending,
            loaders.run_state.load(self.row.id),
            loaders.unknown_executions.load(self.row.id),
        )

    @strawberry.field(
        description="The run's events in order (created time, then id). first is 1..500."
    )
    async def events(
        self,
        info: Info,
        first: Annotated[
            int, strawberry.argument(description="How many events (after `after`): 1..500.")
        ] = 100,
        after: Annotated[
            str | None,
            strawberry.argument(description="Page forward: start after this event cursor."),
        ] = None,
    ) -> RunEventConnection:
        return await event_resolvers.resolve_events(info, self.row, self.session, first, after)


@strawberry.type(description="A run in a page, with where it stands.")
class RunEdge:
    cursor: str = strawberry.field(
        description="Where the run stands in the session: pass it as `after` to continue after it."
    )
    node: Run = strawberry.field(description="The run.")


@strawberry.type(description="One page of a session's runs, newest first.")
class RunConnection:
    edges: list[RunEdge] = strawberry.field(description="The page's runs, each with its cursor.")
    page_info: PageInfo = strawberry.field(description="Where the page stands in the session.")

    @strawberry.field(description="The page's runs, as in edges, without their cursors.")
    def nodes(self) -> list[Run]:
        return [edge.node for edge in self.edges]
