"""Subscription.messageAdded, Subscription.sessionEvents and Subscription.runEvents.

At subscribe time, before any event: the viewer, the same access rules as Agent.session
(messageAdded) and Agent.sessions (sessionEvents), the cursor, and the cost limit, which
prices the selection that every event will resolve. Then the subscription watches the
process's broker (`live/`) and yields rows; `schema/subscriptions.py` wraps them.

messageAdded registers with the broker first and replays the messages after the cursor
second, so a message committed meanwhile is in the replay, in the live feed, or both:
it is sent once (by id). Without a cursor the replay starts after the newest message.
The subscription completes when its session is soft-deleted. runEvents does the same for
the events of the session's runs, with the same access function as messageAdded.

While it runs, the broker checks again, at least every 5 s, that the viewer may still
watch it (`auth/watching.py`): when the right is gone, it ends with the refusal's code
(UNAUTHENTICATED, FORBIDDEN, NOT_FOUND). A new kind of subscription that watches a
session or an agent's list passes its `Watched` to `_watch`, and is re-checked alike.

A subscription ends early, with a reason, when its token expires (the WebSocket is
closed by `web/subscriptions.py`; a multipart stream ends with UNAUTHENTICATED) or when
its buffer overflows because the client reads too slowly.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from functools import partial
from typing import Any, TypeVar

from auth.access import check_may_list, session_read_through
from auth.expiry import token_expiry
from context import Info
from db import models
from db.agents import AnyAgent
from db.live import ChangedSession
from db.messages import MessageKey, messages_after
from db.nodes import agents_with_grants_by_ids
from db.run_log import EventKey, RunEvent, session_events_after, typed
from db.sessions import SessionScope, conversation_id, session_by_id
from db.users import AnyUser
from db.watched_access import Watched
from errors import SERVICE_UNAVAILABLE, ApiError, BadUserInput, NotFound, Unauthenticated
from live import Broker, Tick, TooManySubscriptions, Watch
from loaders import Loaders
from resolvers.agents import viewer_agent
from resolvers.cursors import parse_event_cursor, parse_message_cursor
from resolvers.ids import parse_id
from schema.cost import query_cost

REPLAY_PAGE = 500
SLOW_CLOSE_CODE = 1008  # WebSocket "policy violation"


class Busy(ApiError):
    code = SERVICE_UNAVAILABLE


class TooSlow(ApiError):
    code = "SLOW_CONSUMER"


class TooCostly(BadUserInput):
    def __init__(self, cost: int, max_cost: int) -> None:
        super().__init__(
            f"Each event of this subscription costs {cost}, more than the limit of "
            f"{max_cost}: ask for fewer fields or smaller pages."
        )
        self.cost = cost
        self.max_cost = max_cost

    @property
    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, "cost": self.cost, "maxCost": self.max_cost}


Key = TypeVar("Key")


def broker_of(info: Info) -> Broker:
    return info.context.request.scope["app"].state.live


def check_cost(info: Info) -> None:
    """Price the selection each event resolves, by the rule of `schema/cost.py`."""
    limit = info.context.settings.max_query_cost
    raw = info._raw_info
    cost = query_cost(raw.schema, raw.operation, raw.fragments, raw.variable_values or {})
    if cost > limit:
        raise TooCostly(cost, limit)


def _check_capacity(broker: Broker) -> None:
    try:
        broker.check_capacity()
    except TooManySubscriptions as refusal:
        raise Busy(str(refusal)) from None


def _watch(info: Info, open_watch: Callable[[], Watch], watched: Watched) -> Watch:
    """Registered when the feed starts, so that a feed never started leaves nothing behind;
    the broker re-checks, while it runs, that the viewer may still watch `watched`."""
    watch = open_watch()
    watch.watched = watched
    disconnect = getattr(info.context, "disconnect_soon", None)
    if disconnect is not None:  # a WebSocket: close it at once, even while it is blocked
        reason = f"Too slow: more than {watch.limit} events waited to be sent."
        watch.on_too_slow = lambda: disconnect(SLOW_CLOSE_CODE, reason)
    return watch


async def _next(info: Info, watch: Watch) -> Tick:
    """The watch's next tick, within the token's lifetime on HTTP; the tick's loaders."""
    expires = None
    if getattr(info.context, "disconnect_soon", None) is None:
        expires = token_expiry(info.context.request.headers.get("authorization"))
    timeout = None if expires is None else (expires - datetime.now(UTC)).total_seconds()
    tick = await watch.next(max(timeout, 0) if timeout is not None else None)
    if tick is None:
        raise Unauthenticated("The token has expired.")
    if watch.too_slow:
        if getattr(info.context, "disconnect_soon", None) is not None:
            await asyncio.Event().wait()  # the connection is closing: its end cancels us
        raise TooSlow(f"Too slow: more than {watch.limit} events waited to be sent.")
    if "loaders" not in tick.shared:
        tick.shared["loaders"] = Loaders.for_request(info.context.database)
    info.context.loaders = tick.shared["loaders"]
    return tick


# messageAdded


@dataclass
class MessageFeed:
    session: models.ChatSession
    messages: AsyncIterator[models.ChatMessage]


async def _readable_session(
    info: Info, viewer: AnyUser, session_id: uuid.UUID
) -> models.ChatSession:
    """The active session, if the viewer may read it as Agent.session reads it (through its
    agent or its peer)."""
    async with info.context.database.session() as db:
        row = await session_by_id(db, session_id)
        agents = await agents_with_grants_by_ids(db, (), (session_id,), viewer.id)
    if row is None:
        raise NotFound("Session not found.")
    session_read_through(viewer, row, agents)
    return row


async def _watch_one_session(
    info: Info,
    session_id: str,
    after: str | None,
    parse_cursor: Callable[[str, uuid.UUID], Key],
    watch_of: Callable[[Broker, uuid.UUID], Watch],
) -> tuple[models.ChatSession, Key | None, Callable[[], Watch]]:
    """What a feed of one session's rows (messages, run events) starts from: the session,
    read as the viewer may read it; the client's cursor; and how to watch the session, with
    the viewer's right to it re-checked while the feed runs."""
    async with broker_of(info).starting:
        viewer = await info.context.viewer()
        parsed = parse_id(session_id, "session id")
        key = parse_cursor(after, parsed) if after is not None else None
        check_cost(info)
        session = await _readable_session(info, viewer, parsed)
        broker = broker_of(info)
        _check_capacity(broker)
    watched = Watched.session(viewer.id, session.id)
    return session, key, partial(_watch, info, lambda: watch_of(broker, session.id), watched)


async def open_message_feed(info: Info, session_id: str, after: str | None) -> MessageFeed:
    session, key, watch = await _watch_one_session(
        info, session_id, after, parse_message_cursor, Broker.watch_messages
    )
    return MessageFeed(session, _message_feed(info, watch, session, key))


async def _message_feed(
    info: Info,
    open_watch: Callable[[], Watch],
    session: models.ChatSession,
    cursor: MessageKey | None,
) -> AsyncIterator[models.ChatMessage]:
    sent: dict[uuid.UUID, datetime] = {}
    conversation = conversation_id(session.id)
    database = info.context.database
    watch = open_watch()
    # The broker may still send what lies in its lookback window: read from there, so
    # that what the client has (up to its cursor; all of it, without one) is not sent.
    window = MessageKey(watch.broker.now() - watch.broker.lookback, uuid.UUID(int=0))
    key = window if cursor is None else min(cursor, window, key=_order)
    try:
        while True:  # the replay, one page at a time
            async with watch.broker.starting, database.session() as db:
                rows = await messages_after(db, conversation, REPLAY_PAGE, key)
            info.context.loaders = Loaders.for_request(database)
            for row in rows:
                sent[row.id] = row.created_at
                if cursor is not None and _order(MessageKey.of(row)) > _order(cursor):
                    yield row
            if len(rows) < REPLAY_PAGE:
                break
            key = MessageKey.of(rows[-1])
        while True:  # then live
            tick = await _next(info, watch)
            # What the broker will never send again can be forgotten.
            sent = {id: at for id, at in sent.items() if at > tick.floor}
            for row in tick.messages:
                if row.id not in sent:
                    sent[row.id] = row.created_at
                    yield row
            if tick.deleted:
                return
    finally:
        watch.close()


def _order(key: MessageKey) -> tuple[datetime, uuid.UUID]:
    return (key.created_at, key.id)


# sessionEvents


class SessionEventKind(Enum):
    ADDED = "added"
    CHANGED = "changed"
    REMOVED = "removed"


@dataclass(frozen=True)
class SessionEvent:
    kind: SessionEventKind
    session: models.ChatSession


@dataclass
class SessionFeed:
    agent: AnyAgent
    events: AsyncIterator[SessionEvent]


def in_scope(
    row: models.ChatSession, agent: AnyAgent, viewer: AnyUser, scope: SessionScope
) -> bool:
    """Whether the list would show the session if it were active and held a message: the
    rules of `db.sessions` (its `_parts`), for one row."""
    if row.tenant_id != agent.tenant_id:
        return False
    if scope is SessionScope.MINE:
        return (
            row.agent_id == agent.id and row.user_id == viewer.id and row.session_type == "direct"
        )
    return row.agent_id == agent.id or (row.peer_agent_id == agent.id and row.session_type == "a2a")


async def open_session_feed(info: Info, agent_id: str, scope: SessionScope) -> SessionFeed:
    async with broker_of(info).starting:
        return await _open_session_feed(info, agent_id, scope)


async def _open_session_feed(info: Info, agent_id: str, scope: SessionScope) -> SessionFeed:
    viewer, agent, _ = await viewer_agent(info, parse_id(agent_id, "agent id"))
    all_sessions = scope is SessionScope.ALL
    check_may_list(viewer, agent, all_sessions=all_sessions)
    check_cost(info)
    broker = broker_of(info)
    _check_capacity(broker)
    watched = Watched.session_list(viewer.id, agent.id, all_sessions=all_sessions)
    watch = partial(_watch, info, lambda: broker.watch_sessions(agent.id), watched)
    events = _session_feed(info, watch, agent, viewer, scope, broker.now())
    return SessionFeed(agent, events)


_REMOVED = ("removed",)


async def _session_feed(
    info: Info,
    open_watch: Callable[[], Watch],
    agent: AnyAgent,
    viewer: AnyUser,
    scope: SessionScope,
    started: datetime,
) -> AsyncIterator[SessionEvent]:
    sent: dict[uuid.UUID, tuple[Any, ...]] = {}
    watch = open_watch()
    try:
        while True:
            tick = await _next(info, watch)
            for item in tick.sessions:
                event = _event(item, agent, viewer, scope, started, sent)
                if event is not None:
                    yield event
    finally:
        watch.close()


def _changed_at(item: ChangedSession) -> datetime:
    row = item.row
    times = (row.updated_at, row.last_message_at, row.last_read_at_by_user, row.created_at)
    return max(at for at in (*times, item.newest_message_at) if at is not None)


def _event(
    item: ChangedSession,
    agent: AnyAgent,
    viewer: AnyUser,
    scope: SessionScope,
    started: datetime,
    sent: dict[uuid.UUID, tuple[Any, ...]],
) -> SessionEvent | None:
    """What a changed session means to one subscriber, given what it was sent before.

    Added: its first message came after the subscription started (a list shows no
    session without one). Changed: a listed session's title, activity, read mark,
    primary flag, update time or message count (so its unread count) moved, however it
    was written. Removed: a session it could have listed was deleted.
    """
    row, first = item.row, item.first_message_at
    if not in_scope(row, agent, viewer, scope):
        return None
    before = sent.get(row.id)
    if row.deleted_at is not None:
        if first is None or before == _REMOVED:
            return None
        if before is None and row.deleted_at <= started:
            return None  # deleted before the subscription started
        sent[row.id] = _REMOVED
        return SessionEvent(SessionEventKind.REMOVED, row)
    if first is None:
        return None
    version = (row.title, row.last_message_at, row.is_primary, row.last_read_at_by_user)
    version += (row.updated_at, item.message_count)
    if before == version:
        return None
    sent[row.id] = version
    if before is None and _changed_at(item) <= started:
        return None  # the broker re-reads its window: this changed before we started
    if before is None and first > started:
        return SessionEvent(SessionEventKind.ADDED, row)
    return SessionEvent(SessionEventKind.CHANGED, row)


# runEvents


@dataclass
class RunEventFeed:
    session: models.ChatSession
    events: AsyncIterator[RunEvent]


async def open_run_event_feed(info: Info, session_id: str, after: str | None) -> RunEventFeed:
    session, key, watch = await _watch_one_session(
        info, session_id, after, parse_event_cursor, Broker.watch_run_events
    )
    return RunEventFeed(session, _run_event_feed(info, watch, session, key))


async def _run_event_feed(
    info: Info,
    open_watch: Callable[[], Watch],
    session: models.ChatSession,
    cursor: EventKey | None,
) -> AsyncIterator[RunEvent]:
    """As `_message_feed`: watch first, replay from the cursor (or the broker's window),
    then live, each event once by id, in log order across the session's runs."""
    sent: dict[uuid.UUID, datetime] = {}
    database = info.context.database
    watch = open_watch()
    window = EventKey(watch.broker.now() - watch.broker.lookback, uuid.UUID(int=0))
    key = window if cursor is None else min(cursor, window)
    try:
        while True:
            async with watch.broker.starting, database.connection() as db:
                rows = await session_events_after(db, session.id, key, REPLAY_PAGE)
            info.context.loaders = Loaders.for_request(database)
            for row in rows:
                sent[row.id] = row.created_at
                after_cursor = cursor is not None and EventKey(row.created_at, row.id) > cursor
                if after_cursor and (event := typed(row)) is not None:
                    yield event
            if len(rows) < REPLAY_PAGE:
                break
            key = EventKey(rows[-1].created_at, rows[-1].id)
        while True:
            tick = await _next(info, watch)
            sent = {id: at for id, at in sent.items() if at > tick.floor}
            for row in tick.run_events:
                if row.id not in sent:
                    sent[row.id] = row.created_at
                    if (event := typed(row)) is not None:
                        yield event
            if tick.deleted:
                return
    finally:
        watch.close()
