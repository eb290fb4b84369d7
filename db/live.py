"""The reads that feed live updates: one statement per tick for every subscription.

Each statement reads what changed since a floor time, for every watched session or agent
at once: `live/broker.py` calls them on its own connection, once per tick, and fans the
rows out to the subscribers. The floor trails the newest time seen by a lookback window,
so a row committed late with an earlier `created_at` (`now()` is its transaction's
start) is still read; the broker drops the rows it has already delivered, by id.

They read the platform's tables as they are: no trigger, no column, no table of ours.
"""

import uuid
from collections.abc import Container, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    cast,
    func,
    join,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from db.id_lists import among
from db.models import AgentRun, AgentRunEvent, ChatMessage, ChatSession
from db.run_log import EVENT_COLUMNS, SHOWN_EVENTS, EventRow
from db.types import UTCDateTime

MESSAGE_COLUMNS = tuple(ChatMessage.__table__.columns)
MESSAGE_KEYS = tuple(column.key for column in MESSAGE_COLUMNS)
SESSION_COLUMNS = tuple(ChatSession.__table__.columns)


@dataclass(frozen=True)
class WatchedSession:
    """A watched session as one tick saw it: deleted or not."""

    id: uuid.UUID
    deleted_at: datetime | None


@cache
def _new_messages_statement(dialect: str, with_sessions: bool) -> Select[Any]:
    """`new_messages`' statement, built once per dialect and kind (four times a second):
    its `floor` and `session_ids` are parameters."""
    joined = and_(
        ChatMessage.conversation_id == cast(ChatSession.id, String),
        ChatMessage.created_at > bindparam("floor"),
    )
    statement = select(ChatSession.id, ChatSession.deleted_at, *MESSAGE_COLUMNS).select_from(
        ChatSession
    )
    if with_sessions:
        statement = statement.outerjoin(ChatMessage, joined)
    else:
        statement = statement.join(ChatMessage, joined)
    return statement.where(among(ChatSession.id, "session_ids", dialect)).order_by(
        ChatMessage.created_at, ChatMessage.id
    )


async def new_messages(
    connection: AsyncConnection,
    session_ids: Sequence[uuid.UUID],
    floor: datetime,
    known: Container[uuid.UUID] = (),
) -> tuple[list[WatchedSession], list[ChatMessage]]:
    """The watched sessions (whether deleted), and their messages created after `floor`,
    in chronological order, less the `known` ones (already delivered: a window re-read
    holds many): one statement, one row per session without new messages.

    The join reads ix_chat_messages_conversation_created_id, one range per session.
    """
    return await _new_messages(connection, session_ids, floor, known, with_sessions=True)


async def only_new_messages(
    connection: AsyncConnection,
    session_ids: Sequence[uuid.UUID],
    floor: datetime,
    known: Container[uuid.UUID] = (),
) -> list[ChatMessage]:
    """`new_messages` without the sessions: no row at all when nothing is new, as in most
    ticks (building a row per watched session was most of a quiet tick's CPU)."""
    return (await _new_messages(connection, session_ids, floor, known, with_sessions=False))[1]


async def _new_messages(
    connection: AsyncConnection,
    session_ids: Sequence[uuid.UUID],
    floor: datetime,
    known: Container[uuid.UUID],
    *,
    with_sessions: bool,
) -> tuple[list[WatchedSession], list[ChatMessage]]:
    statement = _new_messages_statement(connection.dialect.name, with_sessions)
    parameters = {"floor": floor, "session_ids": list(session_ids)}
    sessions: dict[uuid.UUID, WatchedSession] = {}
    messages: list[ChatMessage] = []
    for watched, deleted_at, *message in await connection.execute(statement, parameters):
        if watched not in sessions:
            sessions[watched] = WatchedSession(watched, deleted_at)
        if message[0] is not None and message[0] not in known:
            messages.append(ChatMessage(**dict(zip(MESSAGE_KEYS, message, strict=True))))
    return list(sessions.values()), messages


@dataclass(frozen=True)
class ChangedSession:
    """A session of a watched agent that changed after the floor, when its first and
    newest messages were written (None: it has none, so no list shows it), and how many
    it has (a row written without touching the session changes only this)."""

    row: ChatSession
    first_message_at: datetime | None
    newest_message_at: datetime | None
    message_count: int


def changed_at(dialect: str) -> ColumnElement[datetime]:
    """When a session's row last changed: the newest of its five times, as the server's
    ix_chat_api_sessions_changed_at (migration 0003) indexes it, written as there (the
    planner matches the expression). SQLite's max() of several values is NULL when one
    is, so its nullable times fall back to created_at."""
    s = ChatSession
    if dialect == "postgresql":
        times = (
            s.updated_at,
            s.last_message_at,
            s.created_at,
            s.deleted_at,
            s.last_read_at_by_user,
        )
        return func.greatest(*times, type_=UTCDateTime())
    fallback = (
        func.coalesce(at, s.created_at)
        for at in (s.last_message_at, s.deleted_at, s.last_read_at_by_user)
    )
    return func.max(s.updated_at, s.created_at, *fallback, type_=UTCDateTime())


@cache
def _changed_sessions_statement(dialect: str) -> Select[Any]:
    """`changed_sessions`' statement, built once per dialect (building it took as long as
    running it, four times a second): its `floor` and `agent_ids` are parameters."""
    floor = bindparam("floor")
    changed = changed_at(dialect) > floor
    recent = select(ChatMessage.conversation_id).where(ChatMessage.created_at > floor)
    messaged = cast(ChatSession.id, String).in_(recent)
    own = among(ChatSession.agent_id, "agent_ids", dialect)
    peer = and_(
        among(ChatSession.peer_agent_id, "agent_ids", dialect), ChatSession.session_type == "a2a"
    )
    ids = union_all(
        *(
            select(ChatSession.id).where(whose, why)
            for whose in (own, peer)
            for why in (changed, messaged)
        )
    ).subquery()
    message = aliased(ChatMessage)
    of_session = message.conversation_id == cast(ChatSession.id, String)
    first_message = select(func.min(message.created_at)).where(of_session).scalar_subquery()
    newest_message = select(func.max(message.created_at)).where(of_session).scalar_subquery()
    count = select(func.count()).select_from(message).where(of_session).scalar_subquery()
    return select(
        *SESSION_COLUMNS,
        type_coerce(first_message, UTCDateTime()).label("first_message_at"),
        type_coerce(newest_message, UTCDateTime()).label("newest_message_at"),
        count.label("message_count"),
    ).where(ChatSession.id.in_(select(ids.c.id)))


async def changed_sessions(
    connection: AsyncConnection, agent_ids: Sequence[uuid.UUID], floor: datetime
) -> list[ChangedSession]:
    """Sessions of the agents (or a2a sessions whose peer they are) created, written to,
    renamed, read, promoted or deleted after `floor`, or holding a message created after
    it however it was written (the runtime's tool_call rows leave the session's row as it
    is): one statement.

    The changed rows are read through the server's ix_chat_api_sessions_changed_at (the
    newest of their times, `changed_at`). The messages are the window's, read through
    ix_chat_messages_created_at (ix_chat_api_messages_created_at where the server made
    the tables); each finds its session through the server's ix_chat_api_sessions_id_text
    (the conversation id is the session id as text). So the read grows with what changed
    in the window, not with the agents' sessions (tests/db/test_live_indexes.py).
    """
    statement = _changed_sessions_statement(connection.dialect.name)
    parameters = {"floor": floor, "agent_ids": list(agent_ids)}
    result = []
    for row in (await connection.execute(statement, parameters)).mappings():
        session = ChatSession(**{column.key: row[column.key] for column in SESSION_COLUMNS})
        result.append(
            ChangedSession(
                session, row["first_message_at"], row["newest_message_at"], row["message_count"]
            )
        )
    return result


async def database_now(connection: AsyncConnection) -> datetime:
    """The database's clock (SQLite's has no fraction of a second)."""
    return (await connection.execute(select(type_coerce(func.now(), UTCDateTime())))).scalar_one()


@cache
def _new_run_events_statement(dialect: str) -> Select[Any]:
    """`new_run_events`' statement, built once per dialect: `floor` and `session_ids` are
    parameters."""
    events = join(
        AgentRun,
        AgentRunEvent,
        and_(
            AgentRunEvent.run_id == AgentRun.id,
            AgentRunEvent.tenant_id == AgentRun.tenant_id,
            AgentRunEvent.created_at > bindparam("floor"),
            AgentRunEvent.event_type.in_(SHOWN_EVENTS),
        ),
    )
    return (
        select(ChatSession.id, ChatSession.deleted_at, *EVENT_COLUMNS)
        .select_from(ChatSession)
        .outerjoin(events, AgentRun.session_id == ChatSession.id)
        .where(among(ChatSession.id, "session_ids", dialect))
        .order_by(AgentRunEvent.created_at, AgentRunEvent.id)
    )


async def new_run_events(
    connection: AsyncConnection, session_ids: Sequence[uuid.UUID], floor: datetime
) -> tuple[list[WatchedSession], list[tuple[uuid.UUID, EventRow]]]:
    """The watched sessions (whether deleted), and the events of their runs created after
    `floor`, in log order across runs, each with its session: one statement, one row per
    session without new events. Reads ix_agent_runs_session_created_at, then one range of
    ix_agent_run_events_run_created per run."""
    statement = _new_run_events_statement(connection.dialect.name)
    parameters = {"floor": floor, "session_ids": list(session_ids)}
    sessions: dict[uuid.UUID, WatchedSession] = {}
    found: list[tuple[uuid.UUID, EventRow]] = []
    for row in (await connection.execute(statement, parameters)).all():
        watched, deleted_at, *event = row
        sessions[watched] = WatchedSession(watched, deleted_at)
        if event[0] is not None:
            found.append((watched, EventRow._make(event)))
    return list(sessions.values()), found
