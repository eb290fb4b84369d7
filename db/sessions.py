"""Reads and writes of chat sessions.

A session's messages are the rows of `chat_messages` whose `conversation_id` is the
session id as lowercase hyphenated text. Lists are ordered most recently active first
and paged by keyset: a page starts strictly after the sort key of the previous page's
last row, so rows added meanwhile neither repeat nor go missing.

Only active sessions (deleted_at null) of the viewer's tenant are ever read: MINE is the
viewer's own direct sessions with the agent, ALL the agent's sessions plus the
agent-to-agent sessions whose peer is the agent; both hold only sessions with a message.

The sort key reads a missing last_message_at as the earliest possible time (`SORT_TIME`),
which orders exactly like `last_message_at DESC NULLS LAST` but lets one row comparison
start a page: every page is a range of one of the server's list indexes (migration 0001,
partial on `deleted_at IS NULL`, which every part below repeats so that the planner can
use them), as cheap deep in the list as at its head.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from functools import cache
from typing import NamedTuple

from sqlalchemy import (
    ColumnCollection,
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    null,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import Reader
from db.models import ChatMessage, ChatSession
from db.session_counts import message_count, unread_up_to
from db.types import EARLIEST, GUID, UTCDateTime


class SessionRow(NamedTuple):
    """A chat_sessions row as the API reads it, column for column (`ChatSession`'s names).

    Lists and lookups read these rather than ORM instances: a tuple per row costs a
    fraction of an instance (identity map, state, instrumented attributes), and the schema
    layer only reads attributes. Writes still go through `ChatSession`.
    """

    id: uuid.UUID
    tenant_id: uuid.UUID
    session_type: str
    agent_id: uuid.UUID
    user_id: uuid.UUID | None
    created_by_participant_id: uuid.UUID | None
    title: str
    source_channel: str
    external_conv_id: str | None
    is_group: bool
    group_name: str | None
    participant_id: uuid.UUID | None
    peer_agent_id: uuid.UUID | None
    is_primary: bool
    last_read_at_by_user: datetime | None
    deleted_at: datetime | None
    created_at: datetime
    updated_at: datetime
    last_message_at: datetime | None
    group_id: uuid.UUID | None


# Table columns, not ORM attributes: the statements below are Core selects, whose rows go
# through the same column types (GUID, UTCDateTime: UTC-aware on SQLite too).
_COLUMNS = tuple(ChatSession.__table__.c[name] for name in SessionRow._fields)
AnySession = ChatSession | SessionRow
"""What the schema layer reads a session from: a list's row, or a mutation's instance."""


def _rows(result: Sequence[Sequence[object]]) -> list[SessionRow]:
    make = SessionRow._make
    return [make(row) for row in result]


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
    def of(cls, row: AnySession) -> "SessionKey":
        return cls(row.last_message_at, row.created_at, row.id)


SORT_TIME = func.coalesce(ChatSession.last_message_at, EARLIEST, type_=UTCDateTime())
LIST_ORDER = (SORT_TIME.desc(), ChatSession.created_at.desc(), ChatSession.id.desc())


def conversation_id(session_id: uuid.UUID) -> str:
    return str(session_id)


def is_agent_to_agent(session: AnySession) -> bool:
    return session.session_type == "a2a"


def is_own_direct(session: AnySession, viewer_id: uuid.UUID | None) -> bool:
    """Whether the session counts unread messages for the viewer: their own direct one."""
    return (
        session.session_type == "direct" and viewer_id is not None and session.user_id == viewer_id
    )


def _has_messages() -> ColumnElement[bool]:
    return exists().where(ChatMessage.conversation_id == cast(ChatSession.id, String))


# The statements below are built once per shape and run with bound values: building a
# UNION of subqueries costs SQLAlchemy several milliseconds of CPU, running it a fraction.
AGENT = bindparam("agent_id", type_=GUID())
VIEWER = bindparam("viewer_id", type_=GUID())
TENANT = bindparam("tenant_id", type_=GUID())
LIMIT = bindparam("limit", type_=Integer())
AFTER_TIME = bindparam("after_time", type_=UTCDateTime())
AFTER_CREATED = bindparam("after_created", type_=UTCDateTime())
AFTER_ID = bindparam("after_id", type_=GUID())


def _active(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """Active sessions of the viewer's tenant meeting `conditions`."""
    return and_(ChatSession.tenant_id == TENANT, ChatSession.deleted_at.is_(None), *conditions)


def _parts(scope: SessionScope) -> list[ColumnElement[bool]]:
    """The disjoint parts of a list, each a range of one list index."""
    if scope is SessionScope.MINE:  # ix_chat_api_sessions_user_list
        return [
            _active(
                ChatSession.agent_id == AGENT,
                ChatSession.user_id == VIEWER,
                ChatSession.session_type == "direct",
            )
        ]
    own = _active(ChatSession.agent_id == AGENT)  # ix_chat_api_sessions_agent_list
    peer = _active(  # ix_chat_api_sessions_peer_list
        ChatSession.peer_agent_id == AGENT,
        ChatSession.session_type == "a2a",
        ChatSession.agent_id.is_distinct_from(AGENT),
    )
    return [own, peer]


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
    statement = select(*_COLUMNS).where(part)
    if after is not _After.HEAD:
        # A missing time is the literal of the sort key, not a bound value: on SQLite a
        # bound time is text in another format and would not compare equal to it.
        time = EARLIEST if after is _After.NEVER else AFTER_TIME
        key = tuple_(SORT_TIME, ChatSession.created_at, ChatSession.id)
        statement = statement.where(key < tuple_(time, AFTER_CREATED, AFTER_ID))
    return statement.order_by(*LIST_ORDER).limit(LIMIT)


def _counts(row: ColumnCollection[str, ColumnElement]) -> tuple[ColumnElement, ...]:
    """A listed session's message count, and its unread count when it is the viewer's own
    direct session (null otherwise: nobody else has read it)."""
    own_direct = and_(row.session_type == "direct", row.user_id == VIEWER)
    unread = case((own_direct, unread_up_to(row.id, row.last_read_at_by_user)), else_=null())
    return message_count(row.id), unread


@cache
def _page_statement(scope: SessionScope, after: _After, counts: bool) -> Select:
    """Each part of the list read in order up to the limit, then merged; with `counts`,
    each listed session's counts (`_counts`) ride along in the same statement."""
    pages = [_page(and_(part, _has_messages()), after) for part in _parts(scope)]
    if len(pages) == 1:
        page = pages[0]
        return page.add_columns(*_counts(ChatSession.__table__.c)) if counts else page
    merged = union_all(*(select(page.subquery()) for page in pages)).subquery()
    row = merged.c
    order = func.coalesce(row.last_message_at, EARLIEST, type_=UTCDateTime())
    return (
        select(*(row[name] for name in SessionRow._fields), *(_counts(row) if counts else ()))
        .order_by(order.desc(), row.created_at.desc(), row.id.desc())
        .limit(LIMIT)
    )


@cache
def _count_statement(scope: SessionScope) -> Select:
    parts = _parts(scope)
    return select(func.count()).select_from(ChatSession).where(or_(*parts), _has_messages())


@cache
def _bounded_count_statement(scope: SessionScope) -> Select:
    """At most `limit` sessions of the list: each part stops there, and so does their union.

    Each part reads in list order, as a page does, so that its plan walks the part's list
    index and stops at the limit. Unordered, a prepared statement's generic plan (which
    knows neither the agent nor the limit) bitmap-scanned every session of the agent:
    50-100 ms at a million, against 3-9 ms.
    """
    parts = [
        select(
            select(ChatSession.id)
            .where(part, _has_messages())
            .order_by(*LIST_ORDER)
            .limit(LIMIT)
            .subquery()
        )
        for part in _parts(scope)
    ]
    listed = (parts[0] if len(parts) == 1 else union_all(*parts)).subquery()
    return select(func.count()).select_from(select(listed).limit(LIMIT).subquery())


def _page_values(
    agent_id: uuid.UUID,
    viewer_id: uuid.UUID,
    tenant_id: uuid.UUID,
    limit: int,
    after: SessionKey | None,
) -> dict[str, object]:
    values: dict[str, object] = {
        "agent_id": agent_id,
        "viewer_id": viewer_id,
        "tenant_id": tenant_id,
        "limit": limit,
    }
    if after is not None:
        values |= {
            "after_time": after.last_message_at,
            "after_created": after.created_at,
            "after_id": after.id,
        }
    return values


class ListedSession(NamedTuple):
    row: SessionRow
    message_count: int | None
    """None unless the counts were asked for."""
    unread: int | None
    """Up to UNREAD_LIMIT; None unless the counts were asked for, and for any session but
    the viewer's own direct ones."""


async def list_sessions(
    session: Reader,
    agent_id: uuid.UUID,
    viewer_id: uuid.UUID,
    scope: SessionScope,
    limit: int,
    after: SessionKey | None = None,
    *,
    tenant_id: uuid.UUID,
    counts: bool = False,
) -> list[ListedSession]:
    """One page of the list of the agent's sessions in the viewer's tenant; with `counts`,
    each session's counts come in the same statement (one round trip, not three)."""
    values = _page_values(agent_id, viewer_id, tenant_id, limit, after)
    result = await session.execute(_page_statement(scope, _After.of(after), counts), values)
    make = SessionRow._make
    if not counts:
        return [ListedSession(make(row), None, None) for row in result.all()]
    return [ListedSession(make(row[:-2]), row[-2], row[-1]) for row in result.all()]


async def count_sessions(
    session: Reader,
    agent_id: uuid.UUID,
    viewer_id: uuid.UUID,
    scope: SessionScope,
    *,
    tenant_id: uuid.UUID,
) -> int:
    # ALL lists ignore the viewer.
    values = {"agent_id": agent_id, "viewer_id": viewer_id, "tenant_id": tenant_id}
    return (await session.scalar(_count_statement(scope), values)) or 0


async def count_sessions_up_to(
    session: Reader,
    agent_id: uuid.UUID,
    viewer_id: uuid.UUID,
    scope: SessionScope,
    limit: int,
    *,
    tenant_id: uuid.UUID,
) -> int:
    """`count_sessions`, reading at most `limit` rows: the same cost at any size."""
    values = {"agent_id": agent_id, "viewer_id": viewer_id, "tenant_id": tenant_id, "limit": limit}
    return (await session.scalar(_bounded_count_statement(scope), values)) or 0


_SESSION_OF_AGENT = select(*_COLUMNS).where(
    ChatSession.id == bindparam("session_id", type_=GUID()),
    _active(or_(ChatSession.agent_id == AGENT, ChatSession.peer_agent_id == AGENT)),
)


async def session_of_agent(
    session: Reader, session_id: uuid.UUID, agent_id: uuid.UUID, tenant_id: uuid.UUID
) -> SessionRow | None:
    """The active session of the tenant whose agent or peer is the agent (whatever its kind)."""
    values = {"session_id": session_id, "agent_id": agent_id, "tenant_id": tenant_id}
    found = _rows((await session.execute(_SESSION_OF_AGENT, values)).all())
    return found[0] if found else None


async def session_by_id(session: AsyncSession, session_id: uuid.UUID) -> ChatSession | None:
    return await session.get(ChatSession, session_id)
