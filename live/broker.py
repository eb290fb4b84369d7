"""The event source of live updates: one poller per process, fanned out in-process.

One task polls the database for every subscription of the process: each tick is one
statement for all watched sessions (their new messages; whether they were deleted, with
the whole window below) and, while some subscription watches agents, one for their
changed sessions (`db/live.py`). Both run on one connection of the broker's own, never
one per subscriber, and touch no platform table: no trigger, no LISTEN/NOTIFY. Any
writer is seen, this server's own processes or replicas, the platform's runtime or
plain SQL.

Each tick re-reads the last 5 s behind the database's clock, and the whole lookback
window (`live_lookback`, 60 s) once a second and whenever it finds a new message, so a
row committed late with an earlier `created_at` (`now()` is its transaction's start; the
platform's runtime writes tool_call rows with its checkpoint's time) is not missed; what
it delivered before is dropped, by id. The window is re-read rather than tracked by
transaction ids, so that it works alike on SQLite and on PostgreSQL (BENCHMARKS.md has
its cost). Rows are delivered to each subscriber in (created_at, id) order within a tick;
a row that commits later than newer ones is delivered when it commits, not dropped. The
5 s read holds no row at all when nothing is new; a deleted session's subscriptions
complete within a second.

Every `recheck_interval` seconds (after a tick), whether each subscriber's viewer may still
watch what it registered (`Watch.watched`) is asked again, for all of them in one
statement (`live/rechecks.py`); one that may not ends with the reason (`Watch.revoke`).

This process's own commits (`Session.after_commit`) wake the poller at once, so the
server's writes reach subscribers without waiting for the next tick.

Each subscriber has a bounded buffer. The broker never waits for a subscriber: one whose
buffer is full is marked too slow, and its transport disconnects it with a reason.
"""

import asyncio
import contextlib
import json
import logging
import time
import uuid
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from db.live import (
    ChangedSession,
    changed_sessions,
    database_now,
    new_messages,
    new_run_events,
    only_new_messages,
)
from db.models import ChatMessage
from db.run_log import EventRow
from db.watched_access import Watched
from errors import ApiError
from live.rechecks import refusals
from observability.metrics import POLL_LAG, POLL_TICK, SUBSCRIPTIONS

logger = logging.getLogger("chat_api.live")

RECENT = timedelta(seconds=5)
"""The part of the lookback window every tick reads."""
FULL_READ_EVERY = 1.0
"""Seconds between reads of the whole window: a late commit arrives within this."""


class TooManySubscriptions(Exception):
    """The process already serves its cap of subscriptions."""


@dataclass(frozen=True)
class Tick:
    """What one tick read, as one subscriber sees it.

    `shared` is the same dict for every subscriber of the tick: the GraphQL layer keeps
    the tick's dataloaders there, so all subscribers' events batch into one load.
    """

    messages: list[ChatMessage]
    sessions: list[ChangedSession]
    deleted: bool
    floor: datetime
    shared: dict[str, Any]
    run_events: list[EventRow] = field(default_factory=list)

    @property
    def size(self) -> int:
        """How many events the tick holds for its subscriber (1 for a bare deletion)."""
        return max(1, len(self.messages) + len(self.sessions) + len(self.run_events))


class Watch:
    """One subscriber: what it watches and the ticks waiting for it (at most `limit`)."""

    def __init__(self, broker: "Broker", key: uuid.UUID, limit: int) -> None:
        self.broker = broker
        self.key = key
        self.limit = limit
        self.waiting: asyncio.Queue[Tick] = asyncio.Queue()
        self.pending_events = 0
        self.too_slow = False
        self.on_too_slow: Callable[[], None] | None = None
        self.watched: Watched | None = None
        """What the subscriber's viewer must still be allowed to watch (re-checked)."""
        self.refusal: ApiError | None = None

    def push(self, tick: Tick) -> None:
        if self.too_slow:
            return
        self.pending_events += tick.size
        if self.pending_events > self.limit:
            # Never wait for a subscriber: drop its buffer and let it be disconnected.
            self.too_slow = True
            while not self.waiting.empty():
                self.waiting.get_nowait()
            if self.on_too_slow is not None:
                self.on_too_slow()
        self.waiting.put_nowait(tick)

    def revoke(self, refusal: ApiError) -> None:
        """The viewer lost the right to watch: `next` raises `refusal`, at once."""
        self.refusal = refusal
        self.waiting.put_nowait(Tick([], [], False, datetime.now(UTC), {}))

    async def next(self, within: float | None = None) -> Tick | None:
        """The next tick for this subscriber; None when `within` seconds passed first.
        Raises the refusal once the viewer's rights are gone."""
        try:
            async with asyncio.timeout(within):
                tick = await self.waiting.get()
        except TimeoutError:
            return None
        if self.refusal is not None:
            raise self.refusal
        self.pending_events -= tick.size
        return tick

    def close(self) -> None:
        self.broker.unwatch(self)


class MessageWatch(Watch):
    """Watches one session: its new messages, and its soft delete."""


class SessionWatch(Watch):
    """Watches one agent's sessions (and the a2a sessions whose peer it is)."""


class RunEventWatch(Watch):
    """Watches one session's runs: their new events, and the session's soft delete."""


_brokers: "weakref.WeakSet[Broker]" = weakref.WeakSet()


@event.listens_for(Session, "after_commit")
def _wake_after_commit(_: Session) -> None:
    for broker in list(_brokers):
        broker.wake()


@dataclass
class BrokerStats:
    ticks: int = 0
    rechecks: int = 0
    statements: int = 0
    delivered: int = 0
    too_slow: int = 0
    polling_seconds: float = 0.0
    tick_seconds: list[float] = field(default_factory=list)


class Broker:
    def __init__(
        self,
        url: str | URL,
        *,
        poll_interval: float,
        lookback: float,
        buffer: int,
        max_subscriptions: int,
        max_starting: int = 10,
        recheck_interval: float = 5.0,
    ) -> None:
        # One connection, held while anyone subscribes; none while no one does.
        self.engine: AsyncEngine = create_async_engine(
            url, poolclass=NullPool, isolation_level="AUTOCOMMIT"
        )
        self.poll_interval = poll_interval
        self.lookback = timedelta(seconds=lookback)
        self.buffer = buffer
        self.max_subscriptions = max_subscriptions
        self.message_watches: dict[uuid.UUID, set[MessageWatch]] = {}
        self.session_watches: dict[uuid.UUID, set[SessionWatch]] = {}
        self.run_event_watches: dict[uuid.UUID, set[RunEventWatch]] = {}
        self.recheck_interval = recheck_interval
        self._watches: set[Watch] = set()
        self._next_recheck = 0.0
        self._next_full_read = 0.0
        # Subscriptions starting at once (access checks, replay): a burst of them queues
        # here rather than for the request pool's connections.
        self.starting = asyncio.Semaphore(max_starting)
        self.stats = BrokerStats()
        self._clock_offset = timedelta(0)
        self._delivered: dict[uuid.UUID, datetime] = {}
        self._delivered_events: dict[uuid.UUID, datetime] = {}
        self._session_versions: dict[uuid.UUID, tuple[Any, ...]] = {}
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        _brokers.add(self)

    # Subscribing.

    def watch_messages(self, session_id: uuid.UUID) -> MessageWatch:
        watch = MessageWatch(self, session_id, self.buffer)
        self._add(self.message_watches, watch)
        return watch

    def watch_sessions(self, agent_id: uuid.UUID) -> SessionWatch:
        watch = SessionWatch(self, agent_id, self.buffer)
        self._add(self.session_watches, watch)
        return watch

    def watch_run_events(self, session_id: uuid.UUID) -> RunEventWatch:
        watch = RunEventWatch(self, session_id, self.buffer)
        self._add(self.run_event_watches, watch)
        return watch

    @property
    def count(self) -> int:
        """How many subscriptions this process serves."""
        return len(self._watches)

    def check_capacity(self) -> None:
        if self.count >= self.max_subscriptions:
            raise TooManySubscriptions(
                f"This server already serves {self.max_subscriptions} subscriptions: "
                "retry shortly, or on another replica."
            )

    def _add(self, watches: dict[uuid.UUID, Any], watch: Watch) -> None:
        watches.setdefault(watch.key, set()).add(watch)
        self._watches.add(watch)
        SUBSCRIPTIONS.inc()
        self._ensure_running()

    def unwatch(self, watch: Watch) -> None:
        self._watches.discard(watch)
        watches: dict[uuid.UUID, Any] = {
            MessageWatch: self.message_watches,
            SessionWatch: self.session_watches,
            RunEventWatch: self.run_event_watches,
        }[type(watch)]
        group = watches.get(watch.key)
        if group is None or watch not in group:
            return
        group.discard(watch)
        if not group:
            del watches[watch.key]
        SUBSCRIPTIONS.dec()

    def now(self) -> datetime:
        """The database's clock, as well as this process knows it."""
        return datetime.now(UTC) + self._clock_offset

    def wake(self) -> None:
        """Poll now rather than at the next tick (safe from any thread)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._wakeup.set()
        else:
            loop.call_soon_threadsafe(self._wakeup.set)

    # Polling.

    def _ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._loop = asyncio.get_running_loop()
            self._task = asyncio.create_task(self._run(), name="live-broker")

    async def _run(self) -> None:
        """Poll while anyone subscribes; then give the connection back and stop."""
        while self.count:
            began = time.perf_counter()
            try:
                async with self.engine.connect() as connection:
                    await self._measure_clock(connection)
                    while self.count:
                        started = time.perf_counter()
                        await self._tick(connection)
                        if time.monotonic() >= self._next_recheck:
                            await self._recheck(connection)
                        self.stats.tick_seconds.append(time.perf_counter() - started)
                        POLL_TICK.observe(self.stats.tick_seconds[-1])
                        del self.stats.tick_seconds[:-1000]
                        await self._sleep()
            except asyncio.CancelledError:
                raise
            except Exception:
                # The database went away or a statement failed: retry on a new connection.
                logger.exception("live updates: polling failed; retrying in 1 s")
                await asyncio.sleep(1)
            finally:
                self.stats.polling_seconds += time.perf_counter() - began

    async def _sleep(self) -> None:
        """Until the next tick is due (or a commit wakes the poller); the poll lag metric is
        how late a tick that was not woken starts after it was due."""
        due = time.perf_counter() + self.poll_interval
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.poll_interval):
                await self._wakeup.wait()
        if not self._wakeup.is_set():
            POLL_LAG.observe(max(0.0, time.perf_counter() - due))
        self._wakeup.clear()

    async def _measure_clock(self, connection: AsyncConnection) -> None:
        if connection.dialect.name == "sqlite":
            return  # the same machine's clock, kept in whole seconds
        before = datetime.now(UTC)
        database = await database_now(connection)
        after = datetime.now(UTC)
        self._clock_offset = database - (before + (after - before) / 2)

    async def _tick(self, connection: AsyncConnection) -> None:
        now = self.now()
        floor = now - self.lookback
        # The recent part of the window every tick; the whole window, where only a late
        # commit can hold anything new, every FULL_READ_EVERY seconds (and for messages,
        # whenever a tick finds a new one).
        since = max(floor, now - RECENT)
        if time.monotonic() >= self._next_full_read:
            self._next_full_read = time.monotonic() + FULL_READ_EVERY
            since = floor
        shared: dict[str, Any] = {}
        self.stats.ticks += 1
        if self.message_watches:
            await self._messages(connection, since, floor, shared)
        if self.session_watches:
            await self._sessions(connection, since, floor, shared)
        if self.run_event_watches:
            await self._run_events(connection, since, floor, shared)

    async def _messages(
        self, connection: AsyncConnection, since: datetime, floor: datetime, shared: dict[str, Any]
    ) -> None:
        watched = list(self.message_watches)
        if since > floor:
            # Most ticks: only rows newer than `since`, none when nothing is new; whether
            # the watched sessions are still there is read with the whole window.
            recent = await only_new_messages(connection, watched, since, self._delivered)
            self.stats.statements += 1
            if not recent:
                return
            # A commit just came: late rows of the same commit go out with it, in order.
        # What fell out of the window can no longer be read again: forget it.
        self._delivered = {k: v for k, v in self._delivered.items() if v > floor}
        sessions, rows = await new_messages(connection, watched, floor, self._delivered)
        self.stats.statements += 1
        fresh: dict[uuid.UUID, list[ChatMessage]] = {}
        for row in rows:
            self._delivered[row.id] = row.created_at
            fresh.setdefault(uuid.UUID(row.conversation_id), []).append(row)
        for session in sessions:
            messages = fresh.get(session.id, [])
            deleted = session.deleted_at is not None
            if messages or deleted:
                tick = Tick(messages, [], deleted, floor, shared)
                self._push(self.message_watches.get(session.id, ()), tick)
        for missing in set(watched) - {session.id for session in sessions}:
            self._push(self.message_watches.get(missing, ()), Tick([], [], True, floor, shared))

    async def _sessions(
        self, connection: AsyncConnection, since: datetime, floor: datetime, shared: dict[str, Any]
    ) -> None:
        changed = await changed_sessions(connection, list(self.session_watches), since)
        self.stats.statements += 1
        by_agent: dict[uuid.UUID, list[ChangedSession]] = {}
        for item in changed:
            row = item.row
            version = (
                row.title,
                row.updated_at,
                row.last_message_at,
                row.deleted_at,
                row.last_read_at_by_user,
                row.is_primary,
                item.first_message_at,
                item.message_count,
            )
            if self._session_versions.get(row.id, (None,))[:-1] == version:
                continue
            changed_at = max(
                at
                for at in (
                    row.updated_at,
                    row.last_message_at,
                    row.created_at,
                    row.deleted_at,
                    row.last_read_at_by_user,
                    item.newest_message_at,
                )
                if at is not None
            )
            self._session_versions[row.id] = (*version, changed_at)
            for agent in {row.agent_id, row.peer_agent_id} - {None}:
                by_agent.setdefault(agent, []).append(item)
        # Out of the window, a session is read again only when it changes again.
        self._session_versions = {
            id: version for id, version in self._session_versions.items() if version[-1] > floor
        }
        for agent, items in by_agent.items():
            self._push(self.session_watches.get(agent, ()), Tick([], items, False, floor, shared))

    async def _recheck(self, connection: AsyncConnection) -> None:
        """Whether each subscriber's viewer may still watch what it watches: one statement
        for all of them (`live/rechecks.py`), after the tick's events were pushed."""
        self._next_recheck = time.monotonic() + self.recheck_interval
        watches = list(self._watches)  # not those added while the statement runs
        watched = {what for watch in watches if (what := watch.watched) is not None}
        if not watched:
            return
        refused = await refusals(connection, watched)
        self.stats.rechecks += 1
        self.stats.statements += 1
        if not refused:
            return
        for watch in watches:
            if watch.watched in refused:
                watch.revoke(refused[watch.watched])

    async def _run_events(
        self, connection: AsyncConnection, since: datetime, floor: datetime, shared: dict[str, Any]
    ) -> None:
        """As `_messages`, for the events of the watched sessions' runs."""
        watched = list(self.run_event_watches)  # not those added while the statement runs
        sessions, rows = await new_run_events(connection, watched, since)
        self.stats.statements += 1
        if since > floor and rows:
            # A commit just came: late events of the same commit go out with it, in order.
            sessions, rows = await new_run_events(connection, watched, floor)
            self.stats.statements += 1
        delivered = {k: v for k, v in self._delivered_events.items() if v > floor}
        fresh: dict[uuid.UUID, list[EventRow]] = {}
        for session_id, row in rows:
            if row.id not in delivered:
                delivered[row.id] = row.created_at
                fresh.setdefault(session_id, []).append(row)
        self._delivered_events = delivered
        for session in sessions:
            events, deleted = fresh.get(session.id, []), session.deleted_at is not None
            if events or deleted:
                tick = Tick([], [], deleted, floor, shared, events)
                self._push(self.run_event_watches.get(session.id, ()), tick)
        for missing in set(watched) - {session.id for session in sessions}:
            self._push(self.run_event_watches.get(missing, ()), Tick([], [], True, floor, shared))

    def _push(self, watches: Iterable[Watch], tick: Tick) -> None:
        for watch in list(watches):
            was_slow = watch.too_slow
            watch.push(tick)
            self.stats.delivered += len(tick.messages) + len(tick.sessions) + len(tick.run_events)
            if watch.too_slow and not was_slow:
                self.stats.too_slow += 1

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.stats.ticks:
            stats = self.stats
            logger.info(
                "live updates: %s",
                json.dumps(
                    {
                        "ticks": stats.ticks,
                        "statements": stats.statements,
                        "polling_seconds": round(stats.polling_seconds, 1),
                        "delivered": stats.delivered,
                        "too_slow": stats.too_slow,
                        "tick_ms_p50": round(_median(stats.tick_seconds) * 1000, 2),
                    }
                ),
            )
        _brokers.discard(self)
        await self.engine.dispose()


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2] if values else 0.0
