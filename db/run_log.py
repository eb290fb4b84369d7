"""A run's event log, read and typed as the platform's web chat stream reads it.

The platform streams a run from `agent_run_events` alone, in `(created_at, id)` order
(`event_stream.py`), and maps each row to a chat packet (`chat_stream.py`): thinking,
a chunk of the reply, a tool call, a status change, a delivery. `typed` does the same
mapping into the API's event kinds; rows the chat shows nothing for (blank content, a
tool call without name, call id or a status of running or done, evidence and
verification updates, unknown types) read as None.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Integer, bindparam, func, select, tuple_

from db.engine import Reader
from db.models import AgentRun, AgentRunEvent
from db.runs import TERMINAL_EVENTS, RunStatus, Waiting, waiting_of
from db.types import GUID, UTCDateTime


class EventRow(NamedTuple):
    id: uuid.UUID
    run_id: uuid.UUID
    event_type: str
    payload: Any
    created_at: datetime


class EventKey(NamedTuple):
    """Where an event stands in its log: `(created_at, id)`."""

    created_at: datetime
    id: uuid.UUID


EVENT_COLUMNS = tuple(AgentRunEvent.__table__.c[name] for name in EventRow._fields)
LIFECYCLE_EVENTS = {
    "run_created": RunStatus.QUEUED,
    "waiting_started": RunStatus.WAITING_USER,
    "resumed": RunStatus.RUNNING,
    **TERMINAL_EVENTS,
}
DELIVERY_EVENTS = ("delivery_succeeded", "delivery_failed")
SHOWN_EVENTS = ("status_changed", *LIFECYCLE_EVENTS, *DELIVERY_EVENTS)
"""The event types a chat shows something for; the rest are never read."""


@dataclass(frozen=True)
class Thinking:
    content: str


@dataclass(frozen=True)
class Progress:
    content: str


@dataclass(frozen=True)
class ToolCall:
    name: str
    call_id: str
    args: Any
    running: bool
    result: str
    thinking: str
    execution_status: str | None
    error_code: str | None


@dataclass(frozen=True)
class Lifecycle:
    event: str
    """The event type, or 'status_changed'."""
    run_status: RunStatus
    error_code: str | None = None
    trace_id: str | None = None
    waiting: Waiting | None = None


@dataclass(frozen=True)
class Delivery:
    failed: bool
    error_code: str | None
    message_id: uuid.UUID | None


Detail = Thinking | Progress | ToolCall | Lifecycle | Delivery


@dataclass(frozen=True)
class RunEvent:
    row: EventRow
    detail: Detail

    @property
    def key(self) -> EventKey:
        return EventKey(self.row.created_at, self.row.id)


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _status(value: Any) -> RunStatus:
    try:
        return RunStatus(value)
    except ValueError:
        return RunStatus.RUNNING


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value is not None else None
    except ValueError:
        return None


def _detail(event_type: str, payload: dict[str, Any]) -> Detail | None:
    if event_type == "status_changed":
        activity = payload.get("activity_type")
        if activity in ("thinking", "assistant_progress"):
            content = _text(payload.get("content"))
            if content is None:
                return None
            return Thinking(content) if activity == "thinking" else Progress(content)
        if activity == "tool_call":
            name, call_id = _text(payload.get("name")), _text(payload.get("call_id"))
            if name is None or call_id is None or payload.get("status") not in ("running", "done"):
                return None
            return ToolCall(
                name=name,
                call_id=call_id,
                args=payload.get("args"),
                running=payload.get("status") != "done",
                result=str(payload.get("result") or ""),
                thinking=str(payload.get("reasoning_content") or ""),
                execution_status=_text(payload.get("execution_status")),
                error_code=_text(payload.get("error_code")),
            )
        return Lifecycle("status_changed", _status(payload.get("status")))
    if event_type in LIFECYCLE_EVENTS:
        status = LIFECYCLE_EVENTS[event_type]
        error_code = _text(payload.get("error_code"))
        if status is RunStatus.FAILED:
            error_code = error_code or "runtime_failed"
        waiting = waiting_of(payload) if event_type == "waiting_started" else None
        return Lifecycle(event_type, status, error_code, _text(payload.get("trace_id")), waiting)
    if event_type in DELIVERY_EVENTS:
        failed = event_type == "delivery_failed"
        if failed:
            error_code = _text(payload.get("error_code"))
        elif payload.get("lifecycle_status") == "failed":
            error_code = _text(payload.get("failure_code"))
        else:
            error_code = None
        return Delivery(failed, error_code, _uuid(payload.get("message_id")))
    return None


def typed(row: EventRow) -> RunEvent | None:
    """The event as the chat shows it; None for a row it shows nothing for."""
    payload = row.payload if isinstance(row.payload, dict) else {}
    detail = _detail(row.event_type, payload)
    return None if detail is None else RunEvent(row, detail)


_ORDER = (AgentRunEvent.created_at, AgentRunEvent.id)
_KEY = tuple_(AgentRunEvent.created_at, AgentRunEvent.id)
_BOUND_KEY = tuple_(bindparam("key_time", type_=UTCDateTime()), bindparam("key_id", type_=GUID()))


async def events_page(
    reader: Reader, run_ids: Sequence[uuid.UUID], limit: int, after: EventKey | None = None
) -> dict[uuid.UUID, list[EventRow]]:
    """Each run's oldest `limit` shown events after `after`, in log order: one statement,
    a window per run. Rows `typed` skips are in it: the page's cursors step over them."""
    position = func.row_number().over(partition_by=AgentRunEvent.run_id, order_by=_ORDER)
    inner = select(*EVENT_COLUMNS, position.label("position")).where(
        AgentRunEvent.run_id.in_(bindparam("run_ids", expanding=True)),
        AgentRunEvent.event_type.in_(SHOWN_EVENTS),
    )
    values: dict[str, Any] = {"run_ids": list(run_ids), "limit": limit}
    if after is not None:
        inner = inner.where(_KEY > _BOUND_KEY)
        values |= {"key_time": after.created_at, "key_id": after.id}
    ranked = inner.subquery()
    statement = (
        select(*(ranked.c[name] for name in EventRow._fields))
        .where(ranked.c.position <= bindparam("limit", type_=Integer()))
        .order_by(ranked.c.created_at, ranked.c.id)
    )
    found: dict[uuid.UUID, list[EventRow]] = {run_id: [] for run_id in run_ids}
    for row in (await reader.execute(statement, values)).all():
        event = EventRow._make(row)
        found[event.run_id].append(event)
    return found


_SESSION_EVENTS = (
    select(*EVENT_COLUMNS)
    .join(
        AgentRun,
        (AgentRun.id == AgentRunEvent.run_id) & (AgentRun.tenant_id == AgentRunEvent.tenant_id),
    )
    .where(
        AgentRun.session_id == bindparam("session_id", type_=GUID()),
        AgentRunEvent.event_type.in_(SHOWN_EVENTS),
        _KEY > _BOUND_KEY,
    )
    .order_by(*_ORDER)
    .limit(bindparam("limit", type_=Integer()))
)


async def session_events_after(
    reader: Reader, session_id: uuid.UUID, after: EventKey, limit: int
) -> list[EventRow]:
    """The oldest `limit` shown events of the session's runs after `after`, in log order
    across runs (a replay)."""
    values = {
        "session_id": session_id,
        "key_time": after.created_at,
        "key_id": after.id,
        "limit": limit,
    }
    return [EventRow._make(row) for row in (await reader.execute(_SESSION_EVENTS, values)).all()]
