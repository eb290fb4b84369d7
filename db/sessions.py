"""Reads and writes of chat sessions.

A session's messages are the rows of `chat_messages` whose `conversation_id` is the
session id as lowercase hyphenated text. Lists are ordered most recently active first
and paged by keyset: a page starts strictly after the sort key of the previous page's
last row, so rows added meanwhile neither repeat nor go missing.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    cast,
    delete,
    exists,
    false,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ChatMessage, ChatSession
from db.types import utcnow


class SessionScope(Enum):
    MINE = "mine"
    ALL = "all"


@dataclass(frozen=True)
class SessionKey:
    """Where a session stands in list order."""

    last_message_at: datetime | None
    created_at: datetime
    id: uuid.UUID

    @classmethod
    def of(cls, row: ChatSession) -> "SessionKey":
        return cls(row.last_message_at, row.created_at, row.id)


LIST_ORDER = (
    ChatSession.last_message_at.desc().nulls_last(),
    ChatSession.created_at.desc(),
    ChatSession.id.desc(),
)


def conversation_id(session_id: uuid.UUID) -> str:
    return str(session_id)


def _has_messages(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(ChatMessage.conversation_id == cast(ChatSession.id, String), *conditions)


def _listed(agent_id: uuid.UUID, viewer_id: uuid.UUID, scope: SessionScope) -> ColumnElement[bool]:
    if scope is SessionScope.MINE:
        return and_(
            ChatSession.agent_id == agent_id,
            ChatSession.user_id == viewer_id,
            ChatSession.is_group == false(),
            ChatSession.source_channel.not_in(("agent", "trigger")),
            _has_messages(ChatMessage.role == "user", ChatMessage.agent_id == agent_id),
        )
    return and_(
        or_(
            ChatSession.agent_id == agent_id,
            and_(ChatSession.peer_agent_id == agent_id, ChatSession.source_channel == "agent"),
        ),
        _has_messages(),
    )


def _after(key: SessionKey) -> ColumnElement[bool]:
    """Rows that come after `key` in list order (NULL last_message_at sorts last)."""
    same_time_later = or_(
        ChatSession.created_at < key.created_at,
        and_(ChatSession.created_at == key.created_at, ChatSession.id < key.id),
    )
    if key.last_message_at is None:
        return and_(ChatSession.last_message_at.is_(None), same_time_later)
    return or_(
        ChatSession.last_message_at < key.last_message_at,
        ChatSession.last_message_at.is_(None),
        and_(ChatSession.last_message_at == key.last_message_at, same_time_later),
    )


async def list_sessions(
    session: AsyncSession,
    agent_id: uuid.UUID,
    viewer_id: uuid.UUID,
    scope: SessionScope,
    limit: int,
    after: SessionKey | None = None,
) -> Sequence[ChatSession]:
    statement = select(ChatSession).where(_listed(agent_id, viewer_id, scope))
    if after is not None:
        statement = statement.where(_after(after))
    statement = statement.order_by(*LIST_ORDER).limit(limit)
    return (await session.scalars(statement)).all()


async def count_sessions(
    session: AsyncSession, agent_id: uuid.UUID, viewer_id: uuid.UUID, scope: SessionScope
) -> int:
    statement = (
        select(func.count()).select_from(ChatSession).where(_listed(agent_id, viewer_id, scope))
    )
    return (await session.scalar(statement)) or 0


async def session_of_agent(
    session: AsyncSession, session_id: uuid.UUID, agent_id: uuid.UUID
) -> ChatSession | None:
    """The session, when the agent is its agent or its peer (whatever the channel)."""
    statement = select(ChatSession).where(
        ChatSession.id == session_id,
        or_(ChatSession.agent_id == agent_id, ChatSession.peer_agent_id == agent_id),
    )
    return (await session.scalars(statement)).first()


async def session_by_id(session: AsyncSession, session_id: uuid.UUID) -> ChatSession | None:
    return await session.get(ChatSession, session_id)


async def create_session(
    session: AsyncSession, agent_id: uuid.UUID, user_id: uuid.UUID, title: str
) -> ChatSession:
    row = ChatSession(
        id=uuid.uuid4(),
        agent_id=agent_id,
        user_id=user_id,
        title=title,
        source_channel="web",
        is_group=False,
        created_at=utcnow(),
    )
    session.add(row)
    await session.flush()
    return row


async def rename_session(
    session: AsyncSession, session_id: uuid.UUID, title: str
) -> ChatSession | None:
    """The renamed session; None when it is gone (deleted by a concurrent request)."""
    statement = (
        update(ChatSession)
        .where(ChatSession.id == session_id)
        .values(title=title)
        .returning(ChatSession)
    )
    return (await session.scalars(statement)).first()


async def delete_session(session: AsyncSession, session_id: uuid.UUID) -> bool:
    """Delete the session and its messages; False when it is already gone.

    Call inside a transaction: the two deletes stand or fall together.
    """
    await session.execute(
        delete(ChatMessage).where(ChatMessage.conversation_id == conversation_id(session_id))
    )
    result = await session.execute(delete(ChatSession).where(ChatSession.id == session_id))
    return result.rowcount == 1
