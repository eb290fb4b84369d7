"""Reads of chat messages, in chronological order (created time, then id), and their counts."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, Select, String, cast, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ChatMessage, ChatSession
from db.sessions import EARLIEST

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


def _after(key: MessageKey) -> ColumnElement[bool]:
    """Messages later than `key` in chronological order."""
    # Columns on the left, so each value is bound with its column's type: on SQLite a
    # GUID is hyphenated text, which an untyped UUID value would not be.
    return tuple_(ChatMessage.created_at, ChatMessage.id) > (key.created_at, key.id)


def _before(key: MessageKey) -> ColumnElement[bool]:
    """Messages earlier than `key` in chronological order."""
    return tuple_(ChatMessage.created_at, ChatMessage.id) < (key.created_at, key.id)


async def _read(session: AsyncSession, statement: Select) -> list[MessageRow]:
    make = MessageRow._make
    return [make(row) for row in (await session.execute(statement)).all()]


async def messages_after(
    session: AsyncSession, conversation_id: str, limit: int, after: MessageKey | None = None
) -> list[MessageRow]:
    """The oldest `limit` messages after `after` (from the start when None), oldest first."""
    statement = select(*_COLUMNS).where(ChatMessage.conversation_id == conversation_id)
    if after is not None:
        statement = statement.where(_after(after))
    statement = statement.order_by(ChatMessage.created_at, ChatMessage.id).limit(limit)
    return await _read(session, statement)


async def messages_before(
    session: AsyncSession, conversation_id: str, limit: int, before: MessageKey | None = None
) -> list[MessageRow]:
    """The newest `limit` messages before `before` (from the end when None), oldest first."""
    statement = select(*_COLUMNS).where(ChatMessage.conversation_id == conversation_id)
    if before is not None:
        statement = statement.where(_before(before))
    statement = statement.order_by(ChatMessage.created_at.desc(), ChatMessage.id.desc()).limit(
        limit
    )
    return list(reversed(await _read(session, statement)))


async def count_by_conversation(
    session: AsyncSession, conversation_ids: Sequence[str]
) -> dict[str, int]:
    statement = (
        select(ChatMessage.conversation_id, func.count())
        .where(ChatMessage.conversation_id.in_(conversation_ids))
        .group_by(ChatMessage.conversation_id)
    )
    return {conversation: count for conversation, count in (await session.execute(statement)).all()}


async def unread_by_session(
    session: AsyncSession, session_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """Per session, its agent-side messages newer than the owner's last read (all when never).

    Whose session it is, and of what kind, is the caller's question: this only counts.
    """
    statement = (
        select(ChatSession.id, func.count())
        .join(ChatMessage, ChatMessage.conversation_id == cast(ChatSession.id, String))
        .where(
            ChatSession.id.in_(session_ids),
            ChatMessage.role.in_(UNREAD_ROLES),
            ChatMessage.created_at > func.coalesce(ChatSession.last_read_at_by_user, EARLIEST),
        )
        .group_by(ChatSession.id)
    )
    return {session_id: count for session_id, count in (await session.execute(statement)).all()}
