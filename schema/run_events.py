"""What happened in a run, typed as the platform's web chat shows it (`db/run_log.py`).

The same types serve Run.events and Subscription.runEvents.
"""

import uuid
from collections.abc import Awaitable
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON

from context import Info
from db import run_log
from db.messages import MessageRow
from db.runs import Waiting
from loaders.ready import then
from resolvers.cursors import event_cursor
from schema.messages import Message
from schema.pagination import PageInfo


@strawberry.enum(description="Where a run stands, derived from its events.")
class RunStatus(Enum):
    QUEUED = strawberry.enum_value(
        "queued", description="Waiting for the session's lane: another run holds it."
    )
    RUNNING = strawberry.enum_value("running", description="The agent is at work.")
    WAITING_USER = strawberry.enum_value(
        "waiting_user", description="The agent waits for the user (see Run.waiting)."
    )
    COMPLETED = strawberry.enum_value("completed", description="The run finished.")
    FAILED = strawberry.enum_value("failed", description="The run failed (see Run.errorCode).")
    CANCELLED = strawberry.enum_value("cancelled", description="The run was cancelled.")


@strawberry.type(description="What a run waits for, as the platform recorded it.")
class RunWaiting:
    type: str = strawberry.field(description="The platform's waiting_type, e.g. 'user'.")
    reason: str | None = strawberry.field(
        description="Why it waits, e.g. 'tool_reconciliation_required'; null when not said."
    )
    correlation_id: str | None = strawberry.field(
        description="The id a resume must name (the platform's correlation_id); null when absent."
    )

    @classmethod
    def of(cls, waiting: Waiting | None) -> "RunWaiting | None":
        if waiting is None:
            return None
        return cls(type=waiting.type, reason=waiting.reason, correlation_id=waiting.correlation_id)


@strawberry.interface(
    description="Something that happened in a run; `cursor` resumes a stream after it."
)
class RunEvent:
    """The interface's fields are in alphabetical order (graphql-schema-linter's rule)."""

    created_at: datetime = strawberry.field(description="When the platform recorded the event.")
    cursor: str = strawberry.field(
        description=(
            "Where the event stands: pass it as `after` to Run.events (within its run) or to "
            "Subscription.runEvents (within its session) to continue after it."
        )
    )
    id: strawberry.ID = strawberry.field(description="The event's id (a UUID).")
    run_id: strawberry.ID = strawberry.field(description="The run the event belongs to.")
    session: strawberry.Private[Any]


@strawberry.type(description="The agent's visible reasoning.")
class RunThinking(RunEvent):
    content: str = strawberry.field(description="The reasoning text, stripped; never blank.")


@strawberry.type(description="A piece of the agent's reply, written before the run ends.")
class RunProgress(RunEvent):
    content: str = strawberry.field(description="The piece of the reply, stripped; never blank.")


@strawberry.enum(description="Whether a tool call is still running.")
class RunToolCallStatus(Enum):
    RUNNING = strawberry.enum_value("running", description="The tool was called; no result yet.")
    DONE = strawberry.enum_value("done", description="The tool returned (see result).")


@strawberry.type(description="A tool call starting (RUNNING) or finished (DONE).")
class RunToolCall(RunEvent):
    name: str = strawberry.field(description="The tool's name.")
    call_id: str = strawberry.field(
        description="The model's id for the call: a RUNNING and a DONE event share it."
    )
    args: JSON | None = strawberry.field(description="The call's arguments, as recorded.")
    status: RunToolCallStatus = strawberry.field(description="RUNNING, or DONE with a result.")
    result: str = strawberry.field(description="The tool's result; '' while running.")
    thinking: str = strawberry.field(
        description="The model's reasoning for the call; '' when absent."
    )
    execution_status: str | None = strawberry.field(
        description=(
            "The receipt's status, e.g. 'succeeded', 'failed', 'unknown'; null while running."
        )
    )
    error_code: str | None = strawberry.field(description="The tool's error code, when it failed.")


@strawberry.enum(description="Which change of a run's state an event records.")
class RunLifecycleEvent(Enum):
    CREATED = strawberry.enum_value("run_created", description="The run was queued.")
    STATUS_CHANGED = strawberry.enum_value(
        "status_changed", description="The run's status changed (see runStatus)."
    )
    WAITING_STARTED = strawberry.enum_value(
        "waiting_started", description="The run began to wait (see waiting)."
    )
    RESUMED = strawberry.enum_value("resumed", description="The run resumed after a wait.")
    COMPLETED = strawberry.enum_value("run_completed", description="The run finished.")
    FAILED = strawberry.enum_value("run_failed", description="The run failed.")
    CANCELLED = strawberry.enum_value("run_cancelled", description="The run was cancelled.")


@strawberry.type(description="A change of the run's state.")
class RunLifecycle(RunEvent):
    event: RunLifecycleEvent = strawberry.field(description="Which change this is.")
    run_status: RunStatus = strawberry.field(description="The status this event moves the run to.")
    error_code: str | None = strawberry.field(
        description=(
            "The platform's error code, when it recorded one ('runtime_failed' by default "
            "for FAILED)."
        )
    )
    trace_id: str | None = strawberry.field(
        description="The run's trace id, for the platform's logs; null when absent."
    )
    waiting: RunWaiting | None = strawberry.field(
        description="For WAITING_STARTED: what the run waits for; else null."
    )


@strawberry.type(description="The run's result delivered to the chat (or not).")
class RunDelivery(RunEvent):
    failed: bool = strawberry.field(
        description="Whether the delivery itself failed (event delivery_failed)."
    )
    error_code: str | None = strawberry.field(
        description=(
            "delivery_failed: the delivery's error_code; a delivered failure (lifecycle_status "
            "'failed'): the run's failure_code; else null."
        )
    )
    message_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(
        graphql_type=Message | None,
        description="The delivered message, when it is one of the session's.",
    )
    def message(self, info: Info) -> Message | Awaitable[Message | None] | None:
        if self.message_id is None:
            return None
        return then(self._of_session, info.context.loaders.message_by_id.load(self.message_id))

    def _of_session(self, row: MessageRow | None) -> Message | None:
        if row is None or row.conversation_id != str(self.session.id):
            return None
        return Message.from_model(row, self.session)


def run_event(event: run_log.RunEvent, session: Any) -> RunEvent:
    """The schema type of a typed event of one of the session's runs."""
    row, detail = event.row, event.detail
    common: dict[str, Any] = {
        "id": strawberry.ID(str(row.id)),
        "run_id": strawberry.ID(str(row.run_id)),
        "cursor": event_cursor(session.id, row.run_id, event.key),
        "created_at": row.created_at,
        "session": session,
    }
    if isinstance(detail, run_log.Thinking):
        return RunThinking(content=detail.content, **common)
    if isinstance(detail, run_log.Progress):
        return RunProgress(content=detail.content, **common)
    if isinstance(detail, run_log.ToolCall):
        return RunToolCall(
            name=detail.name,
            call_id=detail.call_id,
            args=detail.args,
            status=RunToolCallStatus.RUNNING if detail.running else RunToolCallStatus.DONE,
            result=detail.result,
            thinking=detail.thinking,
            execution_status=detail.execution_status,
            error_code=detail.error_code,
            **common,
        )
    if isinstance(detail, run_log.Lifecycle):
        return RunLifecycle(
            event=RunLifecycleEvent(detail.event),
            run_status=RunStatus(detail.run_status.value),
            error_code=detail.error_code,
            trace_id=detail.trace_id,
            waiting=RunWaiting.of(detail.waiting),
            **common,
        )
    return RunDelivery(
        failed=detail.failed, error_code=detail.error_code, message_id=detail.message_id, **common
    )


@strawberry.type(description="An event in a page, with where it stands.")
class RunEventEdge:
    cursor: str = strawberry.field(description="The event's cursor (see RunEvent.cursor).")
    node: RunEvent = strawberry.field(description="The event.")


@strawberry.type(description="One page of a run's events, oldest first.")
class RunEventConnection:
    edges: list[RunEventEdge] = strawberry.field(
        description="The page's events, each with its cursor."
    )
    page_info: PageInfo = strawberry.field(
        description=(
            "Where the page stands in the run's log; its end cursor steps past events a chat "
            "shows nothing for."
        )
    )

    @strawberry.field(description="The page's events, as in edges, without their cursors.")
    def nodes(self) -> list[RunEvent]:
        return [edge.node for edge in self.edges]


RUN_EVENT_TYPES = [RunThinking, RunProgress, RunToolCall, RunLifecycle, RunDelivery]
"""Reached through the RunEvent interface alone: the schema lists them."""
