"""Reads and writes of chat sessions.

A session's messages are the rows of `chat_messages` whose `conversation_id` is the
session id as lowercase hyphenated text. Lists are ordered most recently active first
and paged by keyset: a page starts strictly after the sort key of the previous page's
last row, so rows added meanwhile neither repeat nor go missing.

The sort key reads a missing last_message_at as the earliest possible time (`SORT_TIME`),
which orders exactly like `last_message_at DESC NULLS LAST` but lets one row comparison
start a page: every page is a range of the list indexes (migration 0002), as cheap deep
in the list as at its head.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from functools import cache

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    cast,
    delete,
    exists,
    false,
    func,
    literal_column,
    or_,
    select,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from db.models import ChatMessage, ChatSession
from db.types import GUID, UTCDateTime, utcnow


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


# The same literal as in the indexes of migration 0002: a constant, not a parameter, so
# the planner matches the expression to the index in generic plans too. On SQLite the
# text sorts before every stored timestamp.
EARLIEST = literal_column("'0001-01-01 00:00:00+00'", UTCDateTime())
SORT_TIME = func.coalesce(ChatSession.last_message_at, EARLIEST, type_=UTCDateTime())
LIST_ORDER = (SORT_TIME.desc(), ChatSession.created_at.desc(), ChatSession.id.desc())


def conversation_id(session_id: uuid.UUID) -> str:
    return str(session_id)


def _has_messages(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(ChatMessage.conversation_id == cast(ChatSession.id, String), *conditions)


# The statements below are built once per shape and run with bound values: building a
# UNION of subqueries costs SQLAlchemy several milliseconds of CPU, running it a fraction.
AGENT = bindparam("agent_id", type_=GUID())
VIEWER = bindparam("viewer_id", type_=GUID())
LIMIT = bindparam("limit", type_=Integer())
AFTER_TIME = bindparam("after_time", type_=UTCDateTime())
AFTER_CREATED = bindparam("after_created", type_=UTCDateTime())
AFTER_ID = bindparam("after_id", type_=GUID())


def _parts(scope: SessionScope) -> tuple[list[ColumnElement[bool]], ColumnElement[bool]]:
    """The disjoint parts of a list, each a range of one list index, and the condition on
    its messages that every listed session meets."""
    if scope is SessionScope.MINE:
        mine = and_(
            ChatSession.agent_id == AGENT,
            ChatSession.user_id == VIEWER,
            ChatSession.is_group == false(),
            ChatSession.source_channel.not_in(("agent", "trigger")),
        )
        return [mine], _has_messages(ChatMessage.role == "user", ChatMessage.agent_id == AGENT)
    own = ChatSession.agent_id == AGENT
    peer = and_(
        ChatSession.peer_agent_id == AGENT,
        ChatSession.source_channel == "agent",
        ChatSession.agent_id != AGENT,
    )
    return [own, peer], _has_messages()


class _After(Enum):
    """Where a page starts: at the head, or after a key with or without a message time."""

    HEAD = "head"
    TIME = "time"
    NEVER = "never"

    @classmethod
    def of(cls, key: SessionKey | None) -> "_After":
        if key is None:
            return cls.HEAD
        return cls.NEVER if key.last_message_at is None else cls.TIME


def _page(part: ColumnElement[bool], after: _After) -> Select:
    statement = select(ChatSession).where(part)
    if after is not _After.HEAD:
        # A missing time is the literal of the sort key, not a bound value: on SQLite a
        # bound time is text in another format and would not compare equal to it.
        time = EARLIEST if after is _After.NEVER else AFTER_TIME
        key = tuple_(SORT_TIME, ChatSession.created_at, ChatSession.id)
        statement = statement.where(key < tuple_(time, AFTER_CREATED, AFTER_ID))
    return statement.order_by(*LIST_ORDER).limit(LIMIT)


@cache
def _page_statement(scope: SessionScope, after: _After) -> Select:
    """Each part of the list read in order up to the limit, then merged."""
    parts, messages = _parts(scope)
    pages = [_page(and_(part, messages), after) for part in parts]
    if len(pages) == 1:
        return pages[0]
    merged = union_all(*(select(page.subquery()) for page in pages)).subquery()
    row = aliased(ChatSession, merged)
    order = func.coalesce(row.last_message_at, EARLIEST, type_=UTCDateTime())
    return select(row).order_by(order.desc(), row.created_at.desc(), row.id.desc()).limit(LIMIT)


@cache
def _count_statement(scope: SessionScope) -> Select:
    parts, messages = _parts(scope)
    return select(func.count()).select_from(ChatSession).where(or_(*parts), messages)


async def list_sessions(
    session: AsyncSession,
    agent_id: uuid.UUID,
    viewer_id: uuid.UUID,
    scope: SessionScope,
    limit: int,
    after: SessionKey | None = None,
) -> Sequence[ChatSession]:
    values: dict[str, object] = {"agent_id": agent_id, "viewer_id": viewer_id, "limit": limit}
    if after is not None:
        values |= {
            "after_time": after.last_message_at,
            "after_created": after.created_at,
            "after_id": after.id,
        }
    return (await session.scalars(_page_statement(scope, _After.of(after)), values)).all()


async def count_sessions(
    session: AsyncSession, agent_id: uuid.UUID, viewer_id: uuid.UUID, scope: SessionScope
) -> int:
    values = {"agent_id": agent_id, "viewer_id": viewer_id}  # ALL lists ignore the viewer
    return (await session.scalar(_count_statement(scope), values)) or 0


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
