"""Opaque pagination cursors.

A cursor is base64url JSON holding the sort key of a row and the list it came from
(the agent and scope of a session list, the session of a message page). A cursor that
does not decode, or that belongs to another list, is bad input.
"""

import base64
import binascii
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from db.messages import MessageKey
from db.run_log import EventKey
from db.sessions import SessionKey, SessionScope
from errors import BadUserInput


def _encode(parts: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(parts, separators=(",", ":")).encode()).decode()


def _decode(cursor: str, kind: str, list_id: list[str], size: int) -> list[Any]:
    try:
        parts = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error, RecursionError):
        parts = None
    if not isinstance(parts, list) or len(parts) != size or parts[0] != kind:
        raise BadUserInput("The cursor is not valid.")
    if parts[1 : 1 + len(list_id)] != list_id:
        raise BadUserInput("The cursor belongs to another list.")
    return parts[1 + len(list_id) :]


def _time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise BadUserInput("The cursor is not valid.")
    try:
        moment = datetime.fromisoformat(value)
        # Compared in UTC, as stored: an offset that pushes it past year 1 or 9999 is forged.
        in_utc = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise BadUserInput("The cursor is not valid.") from None
    if moment.tzinfo is None:
        raise BadUserInput("The cursor is not valid.")
    return in_utc


def _uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise BadUserInput("The cursor is not valid.") from None


def session_cursor(agent_id: uuid.UUID, scope: SessionScope, key: SessionKey) -> str:
    last = key.last_message_at.isoformat() if key.last_message_at else None
    return _encode(["s", str(agent_id), scope.value, last, key.created_at.isoformat(), str(key.id)])


def parse_session_cursor(cursor: str, agent_id: uuid.UUID, scope: SessionScope) -> SessionKey:
    last, created, row_id = _decode(cursor, "s", [str(agent_id), scope.value], 6)
    return SessionKey(None if last is None else _time(last), _time(created), _uuid(row_id))


def message_cursor(session_id: uuid.UUID, key: MessageKey) -> str:
    return _encode(["m", str(session_id), key.created_at.isoformat(), str(key.id)])


def parse_message_cursor(cursor: str, session_id: uuid.UUID) -> MessageKey:
    created, row_id = _decode(cursor, "m", [str(session_id)], 4)
    return MessageKey(_time(created), _uuid(row_id))


def run_cursor(session_id: uuid.UUID, created_at: datetime, run_id: uuid.UUID) -> str:
    return _encode(["r", str(session_id), created_at.isoformat(), str(run_id)])


def parse_run_cursor(cursor: str, session_id: uuid.UUID) -> tuple[datetime, uuid.UUID]:
    created, row_id = _decode(cursor, "r", [str(session_id)], 4)
    return _time(created), _uuid(row_id)


def event_cursor(session_id: uuid.UUID, run_id: uuid.UUID, key: EventKey) -> str:
    """An event's place in its run and in its session: Run.events and
    Subscription.runEvents both continue after it."""
    return _encode(["e", str(session_id), str(run_id), key.created_at.isoformat(), str(key.id)])


def parse_event_cursor(
    cursor: str, session_id: uuid.UUID, run_id: uuid.UUID | None = None
) -> EventKey:
    """The event's key; the cursor must be of the session (and of the run, when given)."""
    run, created, row_id = _decode(cursor, "e", [str(session_id)], 5)
    if run_id is not None and run != str(run_id):
        raise BadUserInput("The cursor belongs to another list.")
    return EventKey(_time(created), _uuid(row_id))
