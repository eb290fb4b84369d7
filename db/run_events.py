"""Runtime errors: the delivery failures the platform records in its runs' events.

When a run fails to deliver an assistant message, the platform still records a
'delivery_succeeded' event, with lifecycle_status 'failed' in its payload, naming the
message and why it failed. The payload is read as the platform reads it
(`_runtime_error_from_delivery_event` in its chat_sessions router): values stripped, and
an event missing a non-blank message_id, failure_code or failure_message ignored.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, select

from db.engine import Reader
from db.models import AgentRun, AgentRunEvent, ChatMessage, ChatSession

MessageRef = tuple[uuid.UUID, uuid.UUID]
"""A message as (its session's id, its own id)."""


@dataclass(frozen=True)
class RuntimeFailure:
    code: str
    message: str
    run_id: uuid.UUID
    agent_id: uuid.UUID | None
    trace_id: str | None
    stage: str = "execution"


def may_fail(message: ChatMessage, session: ChatSession) -> bool:
    """Whether a runtime error is shown for the message: an assistant message of a direct
    session (as the platform's router shows them)."""
    return message.role == "assistant" and session.session_type == "direct"


def _text(value: Any) -> str | None:
    """The value stripped, when it is a string with something in it."""
    return value.strip() or None if isinstance(value, str) else None


def failure_of(
    payload: Any, run_id: uuid.UUID, agent_id: uuid.UUID | None
) -> tuple[str, RuntimeFailure] | None:
    """The message id a failed delivery names, and its failure; None for any other event."""
    if not isinstance(payload, dict) or payload.get("lifecycle_status") != "failed":
        return None
    message_id = _text(payload.get("message_id"))
    code = _text(payload.get("failure_code"))
    message = _text(payload.get("failure_message"))
    if message_id is None or code is None or message is None:
        return None
    trace_id = _text(payload.get("trace_id"))
    return message_id, RuntimeFailure(code, message, run_id, agent_id, trace_id)


_PAYLOAD = AgentRunEvent.payload
_FAILURES = (
    select(AgentRun.session_id, AgentRunEvent.run_id, AgentRunEvent.agent_id, _PAYLOAD)
    .join(
        AgentRun,
        and_(AgentRun.id == AgentRunEvent.run_id, AgentRun.tenant_id == AgentRunEvent.tenant_id),
    )
    .where(
        AgentRun.session_id.in_(bindparam("session_ids", expanding=True)),
        AgentRunEvent.event_type == "delivery_succeeded",
        _PAYLOAD["lifecycle_status"].as_string() == "failed",
        _PAYLOAD["message_id"].as_string().in_(bindparam("message_ids", expanding=True)),
    )
    .order_by(AgentRunEvent.created_at, AgentRunEvent.id)
)
"""Built once, run with bound values (see `db.sessions`)."""


async def failures_by_message(
    session: Reader, refs: Sequence[MessageRef]
) -> dict[MessageRef, RuntimeFailure]:
    """The failures recorded for these messages by runs of their own sessions, in one query.

    When several events name one message, the latest wins.
    """
    if not refs:
        return {}
    values = {
        "session_ids": sorted({session_id for session_id, _ in refs}),
        "message_ids": sorted({str(message_id) for _, message_id in refs}),
    }
    wanted = set(refs)
    found: dict[MessageRef, RuntimeFailure] = {}
    for session_id, run_id, agent_id, data in (await session.execute(_FAILURES, values)).all():
        failure = failure_of(data, run_id, agent_id)
        if failure is None:
            continue
        try:
            ref = (session_id, uuid.UUID(failure[0]))
        except ValueError:
            continue
        if ref in wanted:
            found[ref] = failure[1]
    return found
