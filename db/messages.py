"""Reads of chat messages, in chronological order (created time, then id), and their counts."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import Integer, Select, String, bindparam, cast, func, select, tuple_
from sqlalchemy.orm import aliased

from db.engine import Reader
from db.models import ChatMessage, ChatSession, Participant
from db.participants import ParticipantRow
from db.sessions import EARLIEST
from db.types import GUID, UTCDateTime

UNREAD_ROLES = ("assistant", "system", "tool_call")
"""The roles of the agent side of a chat: what its owner has not read yet."""


class MessageRow(NamedTuple):
    """A chat_messages row as the API reads it (`ChatMessage`'s names), without the ORM:
    see `db.sessions.SessionRow`."""

    id: uuid.UUID
    agent_id: uuid.UUID | None
    user_id: uuid.UUID | None
    role: str
    content: str
    conversation_id: str
    participant_id: uuid.UUID | None
    thinking: str | None
    created_at: datetime


_COLUMNS = tuple(ChatMessage.__table__.c[name] for name in MessageRow._fields)
AnyMessage = ChatMessage | MessageRow
"""What the schema layer reads a message from: a page's row, or a write's instance."""


@dataclass(frozen=True)
class MessageKey:
    """Where a message stands in chronological order."""

    created_at: datetime
    id: uuid.UUID

    @classmethod
    def of(cls, row: AnyMessage) -> "MessageKey":
        return cls(row.created_at, row.id)


_CONVERSATION = bindparam("conversation_id", type_=String())
_KEY = tuple_(ChatMessage.created_at, ChatMessage.id)
# Bound with the columns' types: on SQLite a GUID is hyphenated text and a time naive text.
_BOUND_KEY = tuple_(bindparam("key_time", type_=UTCDateTime()), bindparam("key_id", type_=GUID()))
_FORWARD = (ChatMessage.created_at, ChatMessage.id)
_BACKWARD = (ChatMessage.created_at.desc(), ChatMessage.id.desc())


_COUNTED = aliased(ChatMessage)
_TOTAL = select(func.count()).where(_COUNTED.conversation_id == _CONVERSATION).scalar_subquery()
_SENDER_COLUMNS = tuple(Participant.__table__.c[name] for name in ParticipantRow._fields)
_PARTICIPANT_AT = MessageRow._fields.index("participant_id")


@cache
def _page(forward: bool, keyed: bool, total: bool, senders: bool) -> Select:
    """A page of a conversation's messages, built once per shape (see `db.sessions`): with
    the conversation's message count (computed once per statement) and the messages'
    senders when asked for, so that a chat view reads its page in one statement."""
    columns = [*_COLUMNS, *([_TOTAL.label("total")] if total else [])]
    statement = select(*columns, *(_SENDER_COLUMNS if senders else ()))
    if senders:
        statement = statement.join_from(
            ChatMessage, Participant, Participant.id == ChatMessage.participant_id, isouter=True
        )
    statement = statement.where(ChatMessage.conversation_id == _CONVERSATION)
    if keyed:
        statement = statement.where(_KEY > _BOUND_KEY if forward else _KEY < _BOUND_KEY)
    order = _FORWARD if forward else _BACKWARD
    return statement.order_by(*order).limit(bindparam("limit", type_=Integer()))


class MessagePage(NamedTuple):
    rows: list[MessageRow]
    """Oldest first."""
    total: int | None
    """The conversation's number of messages, when asked for and the page holds a row."""
    senders: dict[uuid.UUID, ParticipantRow | None]
    """The page's senders by id, when asked for (None for an id with no participant)."""


async def message_page(
    reader: Reader,
    conversation_id: str,
    limit: int,
    key: MessageKey | None = None,
    *,
    forward: bool,
    total: bool = False,
    senders: bool = False,
) -> MessagePage:
    """The oldest `limit` messages after `key` (forward), or the newest before it, in one
    statement, with what else a page shows when asked for (see `MessagePage`)."""
    values: dict[str, object] = {"conversation_id": conversation_id, "limit": limit}
    if key is not None:
        values |= {"key_time": key.created_at, "key_id": key.id}
    statement = _page(forward, key is not None, total, senders)
    result = (await reader.execute(statement, values)).all()
    width = len(_COLUMNS)
    rows = [MessageRow._make(row[:width]) for row in result]
    if not forward:
        rows.reverse()
    count = result[0][width] if total and result else None
    found: dict[uuid.UUID, ParticipantRow | None] = {}
    if senders:
        at = width + total
        for row in result:
            sent_by, sender = row[_PARTICIPANT_AT], row[at:]
            if sent_by is not None:
                found[sent_by] = ParticipantRow._make(sender) if sender[0] is not None else None
    return MessagePage(rows, count, found)


async def messages_after(
    session: Reader, conversation_id: str, limit: int, after: MessageKey | None = None
) -> list[MessageRow]:
    """The oldest `limit` messages after `after` (from the start when None), oldest first."""
    return (await message_page(session, conversation_id, limit, after, forward=True)).rows


async def messages_before(
    session: Reader, conversation_id: str, limit: int, before: MessageKey | None = None
) -> list[MessageRow]:
    """The newest `limit` messages before `before` (from the end when None), oldest first."""
    return (await message_page(session, conversation_id, limit, before, forward=False)).rows


_COUNT_BY_CONVERSATION = (
    select(ChatMessage.conversation_id, func.count())
    .where(ChatMessage.conversation_id.in_(bindparam("conversation_ids", expanding=True)))
    .group_by(ChatMessage.conversation_id)
)


async def count_by_conversation(session: Reader, conversation_ids: Sequence[str]) -> dict[str, int]:
    values = {"conversation_ids": list(conversation_ids)}
    result = await session.execute(_COUNT_BY_CONVERSATION, values)
    return {conversation: count for conversation, count in result.all()}


_UNREAD_BY_SESSION = (
    select(ChatSession.id, func.count())
    .join(ChatMessage, ChatMessage.conversation_id == cast(ChatSession.id, String))
    .where(
        ChatSession.id.in_(bindparam("session_ids", expanding=True)),
        ChatMessage.role.in_(UNREAD_ROLES),
        ChatMessage.created_at > func.coalesce(ChatSession.last_read_at_by_user, EARLIEST),
    )
    .group_by(ChatSession.id)
)


async def unread_by_session(
    session: Reader, session_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """Per session, its agent-side messages newer than the owner's last read (all when never).

    Whose session it is, and of what kind, is the caller's question: this only counts.
    """
    result = await session.execute(_UNREAD_BY_SESSION, {"session_ids": list(session_ids)})
    return {session_id: count for session_id, count in result.all()}


UNREAD_CAP = 100
"""Unread counts stop at this many: a badge reads it as "100 or more"."""


async def agent_unread(
    reader: Reader, agent_id: uuid.UUID, viewer_id: uuid.UUID, tenant_id: uuid.UUID
) -> int:
    """The viewer's unread messages over their own active direct sessions of the agent,
    up to UNREAD_CAP: at most that many rows are read, whatever the backlog."""
    unread = (
        select(ChatMessage.id)
        .join(ChatSession, ChatMessage.conversation_id == cast(ChatSession.id, String))
        .where(
            ChatSession.agent_id == agent_id,
            ChatSession.user_id == viewer_id,
            ChatSession.tenant_id == tenant_id,
            ChatSession.session_type == "direct",
            ChatSession.deleted_at.is_(None),
            ChatMessage.role.in_(UNREAD_ROLES),
            ChatMessage.created_at > func.coalesce(ChatSession.last_read_at_by_user, EARLIEST),
        )
        .limit(UNREAD_CAP)
        .subquery()
    )
    return (await reader.execute(select(func.count()).select_from(unread))).scalar_one()


async def messages_by_ids(reader: Reader, ids: Sequence[uuid.UUID]) -> list[MessageRow]:
    statement = select(*_COLUMNS).where(ChatMessage.id.in_(ids))
    return [MessageRow._make(row) for row in (await reader.execute(statement)).all()]
