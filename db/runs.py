"""Reads of the platform's runs, their commands and tool receipts; the one write, a cancel.

Every read takes many runs or sessions at once (one statement for a whole page of them):
a per-session page of runs is a window over `ix_agent_runs_session_created_at`, the state
of each run its latest terminal and waiting events (`ix_agent_run_events_run_created`).

A run's status is derived from its events, as the platform's chat stream derives it
(`chat_stream.py`), never from LangGraph's checkpoints (see `run_status`).
"""

import uuid
from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from typing import Any, NamedTuple

from sqlalchemy import Integer, bindparam, case, func, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import Reader
from db.models import AgentRun, AgentRunCommand, AgentRunEvent, AgentToolExecution
from db.types import GUID, UTCDateTime, utcnow


class RunRow(NamedTuple):
    """An agent_runs row as the API reads it (`AgentRun`'s names)."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    agent_id: uuid.UUID | None
    session_id: uuid.UUID | None
    run_kind: str
    source_type: str
    origin_user_id: uuid.UUID | None
    runtime_type: str
    runtime_thread_id: str
    scheduling_lane_key: str | None
    lane_held: bool
    created_at: datetime


class RunStatus(Enum):
    QUEUED = "queued"
    RUNNING = "running"
    WAITING_USER = "waiting_user"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


TERMINAL_EVENTS = {
    "run_completed": RunStatus.COMPLETED,
    "run_failed": RunStatus.FAILED,
    "run_cancelled": RunStatus.CANCELLED,
}
WAIT_EVENTS = ("waiting_started", "resumed")
TERMINAL = frozenset({RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED})
OPEN_COMMAND = ("pending", "claimed")

_RUN_COLUMNS = tuple(AgentRun.__table__.c[name] for name in RunRow._fields)


def chat_lane_key(tenant_id: uuid.UUID, session_id: uuid.UUID) -> str:
    """The platform's lane of a direct chat: at most one run holds it at a time."""
    return f"direct_chat_thread:{tenant_id}:{session_id}"


def new_chat_run(session: Any, *, id: uuid.UUID, created_at: datetime, lane_held: bool) -> AgentRun:
    """A run as the platform's web chat registers one for a direct session (`register_run`
    in its persistence.py): the session's lane, a LangGraph thread named after the session.
    `is_chat_run_of` recognises it."""
    return AgentRun(
        id=id,
        tenant_id=session.tenant_id,
        agent_id=session.agent_id,
        session_id=session.id,
        run_kind="foreground",
        source_type="chat",
        origin_user_id=session.user_id,
        runtime_type="langgraph",
        runtime_thread_id=str(session.id),
        scheduling_lane_key=chat_lane_key(session.tenant_id, session.id),
        lane_held=lane_held,
        created_at=created_at,
    )


def is_chat_run_of(run: RunRow, session: Any, viewer_id: uuid.UUID) -> bool:
    """Whether the run is the viewer's web chat run of this direct session, as the
    platform's runtime-state and cancel match it (lane held or not)."""
    return (
        run.tenant_id == session.tenant_id
        and run.agent_id == session.agent_id
        and run.session_id == session.id
        and run.origin_user_id == viewer_id
        and run.source_type == "chat"
        and run.run_kind == "foreground"
        and run.runtime_type == "langgraph"
        and run.runtime_thread_id == str(session.id)
        and run.scheduling_lane_key == chat_lane_key(session.tenant_id, session.id)
    )


def _run_rows(result: Sequence[Sequence[Any]]) -> list[RunRow]:
    return [RunRow._make(row[: len(_RUN_COLUMNS)]) for row in result]


_NEWEST_FIRST = (AgentRun.created_at.desc(), AgentRun.id.desc())
_RUN_KEY = tuple_(AgentRun.created_at, AgentRun.id)
_BOUND_KEY = tuple_(bindparam("key_time", type_=UTCDateTime()), bindparam("key_id", type_=GUID()))


async def runs_page(
    reader: Reader,
    session_ids: Sequence[uuid.UUID],
    tenant_id: uuid.UUID,
    limit: int,
    before: tuple[datetime, uuid.UUID] | None = None,
) -> dict[uuid.UUID, list[RunRow]]:
    """Each session's newest `limit` runs (older than `before`), newest first: one statement
    for every session, a window per session."""
    position = func.row_number().over(partition_by=AgentRun.session_id, order_by=_NEWEST_FIRST)
    inner = select(*_RUN_COLUMNS, position.label("position")).where(
        AgentRun.session_id.in_(bindparam("session_ids", expanding=True)),
        AgentRun.tenant_id == bindparam("tenant_id", type_=GUID()),
    )
    values: dict[str, Any] = {"session_ids": list(session_ids), "tenant_id": tenant_id}
    if before is not None:
        inner = inner.where(_RUN_KEY < _BOUND_KEY)
        values |= {"key_time": before[0], "key_id": before[1]}
    ranked = inner.subquery()
    statement = (
        select(*(ranked.c[name] for name in RunRow._fields))
        .where(ranked.c.position <= bindparam("limit", type_=Integer()))
        .order_by(ranked.c.created_at.desc(), ranked.c.id.desc())
    )
    found: dict[uuid.UUID, list[RunRow]] = {}
    for row in _run_rows((await reader.execute(statement, values | {"limit": limit})).all()):
        assert row.session_id is not None
        found.setdefault(row.session_id, []).append(row)
    return found


_HOLDERS = (
    select(*_RUN_COLUMNS)
    .where(
        AgentRun.session_id.in_(bindparam("session_ids", expanding=True)),
        AgentRun.tenant_id == bindparam("tenant_id", type_=GUID()),
        AgentRun.lane_held.is_(True),
        AgentRun.source_type == "chat",
        AgentRun.run_kind == "foreground",
        AgentRun.runtime_type == "langgraph",
    )
    .order_by(AgentRun.created_at, AgentRun.id)
)


async def lane_holders(
    reader: Reader, session_ids: Sequence[uuid.UUID], tenant_id: uuid.UUID
) -> dict[uuid.UUID, list[RunRow]]:
    """The chat runs holding a lane, per session; `is_chat_run_of` says whose they are."""
    values = {"session_ids": list(session_ids), "tenant_id": tenant_id}
    found: dict[uuid.UUID, list[RunRow]] = {}
    for row in _run_rows((await reader.execute(_HOLDERS, values)).all()):
        assert row.session_id is not None
        found.setdefault(row.session_id, []).append(row)
    return found


async def runs_by_ids(
    reader: Reader, ids: Sequence[uuid.UUID], tenant_id: uuid.UUID | None
) -> list[RunRow]:
    """The runs of the tenant with these ids; another tenant's are never read."""
    statement = select(*_RUN_COLUMNS).where(AgentRun.id.in_(ids), AgentRun.tenant_id == tenant_id)
    return _run_rows((await reader.execute(statement)).all())


class RunState(NamedTuple):
    """What a run's status is derived from: its latest terminal event, and its latest
    waiting_started or resumed (each as (event type, payload), or None)."""

    terminal: tuple[str, dict[str, Any]] | None
    wait: tuple[str, dict[str, Any]] | None


_STATE_TYPES = (*TERMINAL_EVENTS, *WAIT_EVENTS)
_is_terminal = case((AgentRunEvent.event_type.in_(tuple(TERMINAL_EVENTS)), 1), else_=0)
_latest = (
    select(
        AgentRunEvent.run_id,
        AgentRunEvent.event_type,
        AgentRunEvent.payload,
        _is_terminal.label("terminal"),
        func.row_number()
        .over(
            partition_by=(AgentRunEvent.run_id, _is_terminal),
            order_by=(AgentRunEvent.created_at.desc(), AgentRunEvent.id.desc()),
        )
        .label("position"),
    )
    .where(
        AgentRunEvent.run_id.in_(bindparam("run_ids", expanding=True)),
        AgentRunEvent.event_type.in_(_STATE_TYPES),
    )
    .subquery()
)
_STATES = select(
    _latest.c.run_id, _latest.c.event_type, _latest.c.payload, _latest.c.terminal
).where(_latest.c.position == 1)


async def run_states(reader: Reader, run_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, RunState]:
    """Each run's state events, in one statement (at most two rows a run)."""
    found = {run_id: RunState(None, None) for run_id in run_ids}
    for run_id, event_type, payload, terminal in (
        await reader.execute(_STATES, {"run_ids": list(run_ids)})
    ).all():
        data = (event_type, payload if isinstance(payload, dict) else {})
        state = found[run_id]
        found[run_id] = state._replace(terminal=data) if terminal else state._replace(wait=data)
    return found


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


class Waiting(NamedTuple):
    type: str
    reason: str | None
    correlation_id: str | None


def waiting_of(payload: dict[str, Any]) -> Waiting:
    """What a waiting_started event says the run waits for."""
    return Waiting(
        type=_text(payload.get("waiting_type")) or "",
        reason=_text(payload.get("reason")) or _text(payload.get("waiting_reason")),
        correlation_id=_text(payload.get("correlation_id")),
    )


class RunOutcome(NamedTuple):
    status: RunStatus
    waiting: Waiting | None = None
    error_code: str | None = None
    trace_id: str | None = None


def run_status(state: RunState, lane_held: bool) -> RunOutcome:
    """The SPEC's rule: the last terminal event; else waiting on the user while the latest
    waiting_started (waiting_type 'user') has no later resumed; else queued or running by
    whether the run holds its lane."""
    if state.terminal is not None:
        event_type, payload = state.terminal
        status = TERMINAL_EVENTS[event_type]
        if status is RunStatus.FAILED:
            code = _text(payload.get("error_code")) or "runtime_failed"
            return RunOutcome(status, error_code=code, trace_id=_text(payload.get("trace_id")))
        return RunOutcome(status)
    if state.wait is not None:
        event_type, payload = state.wait
        if event_type == "waiting_started" and payload.get("waiting_type") == "user":
            return RunOutcome(RunStatus.WAITING_USER, waiting=waiting_of(payload))
    return RunOutcome(RunStatus.RUNNING if lane_held else RunStatus.QUEUED)


_OPEN_COMMANDS = (
    select(AgentRunCommand.run_id, AgentRunCommand.command_type)
    .where(
        AgentRunCommand.run_id.in_(bindparam("run_ids", expanding=True)),
        AgentRunCommand.status.in_(OPEN_COMMAND),
        AgentRunCommand.command_type.in_(("cancel", "resume")),
    )
    .distinct()
)


async def open_commands(
    reader: Reader, run_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, frozenset[str]]:
    """Per run, the types of its cancel and resume commands still pending or claimed."""
    found: dict[uuid.UUID, set[str]] = {}
    for run_id, command_type in (
        await reader.execute(_OPEN_COMMANDS, {"run_ids": list(run_ids)})
    ).all():
        found.setdefault(run_id, set()).add(command_type)
    return {run_id: frozenset(found.get(run_id, ())) for run_id in run_ids}


class ExecutionRow(NamedTuple):
    id: uuid.UUID
    run_id: uuid.UUID
    tool_call_id: str
    tool_name: str
    effect: str
    retry_policy: str
    result_summary: str | None
    result_metadata: Any


_EXECUTION_COLUMNS = tuple(AgentToolExecution.__table__.c[name] for name in ExecutionRow._fields)
_UNKNOWN_EXECUTIONS = (
    select(*_EXECUTION_COLUMNS)
    .where(
        AgentToolExecution.run_id.in_(bindparam("run_ids", expanding=True)),
        AgentToolExecution.status == "unknown",
    )
    .order_by(AgentToolExecution.started_at, AgentToolExecution.id)
)


async def unknown_executions(
    reader: Reader, run_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ExecutionRow]]:
    """Per run, its tool receipts whose outcome is unknown, by start time then id."""
    found: dict[uuid.UUID, list[ExecutionRow]] = {run_id: [] for run_id in run_ids}
    result = await reader.execute(_UNKNOWN_EXECUTIONS, {"run_ids": list(run_ids)})
    for row in result.all():
        execution = ExecutionRow._make(row)
        found[execution.run_id].append(execution)
    return found


_IMAGE_GENERATION_TOOLS = frozenset(
    {
        "generate_image_siliconflow",
        "generate_image_openai",
        "generate_image_google",
        "generate_image_custom",
    }
)
_EFFECTS = frozenset({"read", "write", "external_write"})
_RETRY_POLICIES = frozenset({"safe", "conditional", "never"})


def is_user_reconcilable(execution: ExecutionRow) -> bool:
    """The platform's `is_user_reconcilable_unknown_execution`: a file write that may be
    retried on condition, or an image generation never retried. A row with a policy the
    platform does not know reads as an external write never retried (its fallback)."""
    effect, retry = execution.effect, execution.retry_policy
    if effect not in _EFFECTS or retry not in _RETRY_POLICIES:
        effect, retry = "external_write", "never"
    return (
        execution.tool_name == "write_file" and effect == "write" and retry == "conditional"
    ) or (
        execution.tool_name in _IMAGE_GENERATION_TOOLS
        and effect == "external_write"
        and retry == "never"
    )


def reconciliation_error_code(execution: ExecutionRow) -> str | None:
    metadata = execution.result_metadata
    code = metadata.get("error_code") if isinstance(metadata, dict) else None
    return code if isinstance(code, str) else None


# The cancel a user asks for, as the platform's web chat enqueues it.

CANCEL_REASON = "cancelled_by_user"


def web_cancel_key(run_id: uuid.UUID) -> str:
    return f"cancel:web:{run_id}"


async def has_web_cancel(db: AsyncSession, run: RunRow) -> bool:
    statement = select(AgentRunCommand.id).where(
        AgentRunCommand.tenant_id == run.tenant_id,
        AgentRunCommand.run_id == run.id,
        AgentRunCommand.command_type == "cancel",
        AgentRunCommand.idempotency_key == web_cancel_key(run.id),
    )
    return (await db.execute(statement)).first() is not None


async def enqueue_web_cancel(db: AsyncSession, run: RunRow, actor_user_id: uuid.UUID) -> None:
    """One pending cancel command (`enqueue_cancel`); a second call, or a concurrent one,
    finds the first by its key and adds nothing."""
    insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(AgentRunCommand)
        .values(
            id=uuid.uuid4(),
            tenant_id=run.tenant_id,
            run_id=run.id,
            command_type="cancel",
            payload={"reason": CANCEL_REASON},
            actor_user_id=actor_user_id,
            idempotency_key=web_cancel_key(run.id),
            status="pending",
            attempt_count=0,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["run_id", "idempotency_key"])
    )
    await db.execute(statement)
