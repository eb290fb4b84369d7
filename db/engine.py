"""The engine and session factory, one per process.

Each unit of work opens its own short-lived `AsyncSession` from `Database.session()`:
Strawberry resolves sibling fields concurrently, and one session must never be shared
by two coroutines.

The server's engine (`Database.for_serving`) bounds every wait on the database: for a
pooled connection (`pool_timeout`: sqlalchemy.exc.TimeoutError), for a new one
(`ConnectTimeout`) and for each statement (asyncpg's `command_timeout`, which also cancels
the statement on the server; SQLite's busy timeout): TimeoutError. Without them a stalled
database holds requests for as long as TCP does. Migrations and scripts keep no limits.

A read costs PostgreSQL one statement and nothing else. SQLAlchemy's `pool_pre_ping`
would ping on every checkout, and asyncpg's ping runs in a transaction of its own unless
the connection is already in autocommit, which the AUTOCOMMIT execution option only sets
after the ping: BEGIN, `;` and ROLLBACK around each read, four round trips for one. So on
PostgreSQL a checkout costs nothing when the connection is known dead (asyncpg saw the
socket close: the pool replaces it) or fresh, and is pinged, outside any transaction, only
when it sat idle in the pool for `PING_AFTER_IDLE` seconds, long enough for a firewall or a
database restart to have dropped it unseen.
"""

import asyncio
import copy
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from functools import cached_property, partial
from typing import Any

import asyncpg
from sqlalchemy import URL, Connection, Enum, event, exc, make_url, text
from sqlalchemy.engine.interfaces import DBAPIConnection, ExceptionContext
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry, NullPool, PoolProxiedConnection
from sqlalchemy.util import await_only

from db.lost_connections import connection_lost
from db.models import Base
from db.pool import MeteredPool
from settings import Settings


class ConnectTimeout(Exception):
    """The database did not accept a new connection within the connect timeout."""


def _sqlite_pragmas(
    dbapi_connection: DBAPIConnection, _: ConnectionPoolEntry, busy_ms: int = 30_000
) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
    cursor.close()


def _sqlite_driver_without_begin(dbapi_connection: DBAPIConnection, _: ConnectionPoolEntry) -> None:
    dbapi_connection.isolation_level = None  # the driver emits no BEGIN: _sqlite_begin does


def _sqlite_begin(connection: Connection) -> None:
    """Begin each write transaction with SQLite's write lock (BEGIN IMMEDIATE).

    Under the driver's deferred BEGIN, a transaction that reads and then writes fails
    at once ("database is locked", SQLITE_BUSY_SNAPSHOT) when another one wrote in
    between; taking the lock at BEGIN makes concurrent writers wait their turn (up to
    the busy timeout) instead. Reads run in autocommit and never begin (SQLAlchemy's
    documented recipe for aiosqlite).
    """
    if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


async def _connect_asyncpg(*args: Any, **kwargs: Any) -> asyncpg.Connection:
    try:
        return await asyncpg.connect(*args, **kwargs)
    except TimeoutError as error:
        raise ConnectTimeout("The database did not accept a connection in time.") from error


PING_AFTER_IDLE = 5.0
"""Seconds a pooled PostgreSQL connection may sit idle before its checkout pings it."""
_IDLE_SINCE = "idle_since"


def _mark_idle(_dbapi: DBAPIConnection, record: ConnectionPoolEntry, *_: Any) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def _enum_names() -> list[str]:
    return sorted(
        {
            column.type.name
            for table in Base.metadata.tables.values()
            for column in table.columns
            if isinstance(column.type, Enum) and column.type.name
        }
    )


def _introspect_enums(dbapi_connection: DBAPIConnection, _: ConnectionPoolEntry) -> None:
    """Learn the enum types the server reads and writes when a connection opens.

    asyncpg introspects a type (`WITH RECURSIVE typeinfo_tree ...`, with a `jit` toggle
    around it) the first time a connection meets it, so each pooled connection would do so
    in the middle of some later request for each enum; done here, a connection in steady
    state sends nothing but the statements themselves.
    """
    connection: asyncpg.Connection = dbapi_connection.driver_connection  # type: ignore[attr-defined]
    found = await_only(
        connection.fetch(
            "SELECT typname FROM pg_type WHERE typtype = 'e' AND typname = ANY($1::text[])",
            _enum_names(),
        )
    )
    if found:
        casts = ", ".join(f'NULL::"{row["typname"]}"' for row in found)
        await_only(connection.fetch(f"SELECT {casts}"))


def _check_asyncpg(
    dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry, _: PoolProxiedConnection
) -> None:
    """Hand out a live connection: free when it is fresh, a ping when it idled a while."""
    connection: asyncpg.Connection = dbapi_connection.driver_connection  # type: ignore[attr-defined]
    if connection.is_closed():
        raise exc.DisconnectionError("The pooled connection was closed.")
    idle_since = record.info.get(_IDLE_SINCE)
    if idle_since is not None and time.monotonic() - idle_since > PING_AFTER_IDLE:
        try:
            await_only(connection.execute("SELECT 1"))  # no transaction around it
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            raise exc.DisconnectionError("The pooled connection did not answer.") from error


def _disconnect_when_lost(context: ExceptionContext) -> None:
    """A lost connection is a disconnect, whatever asyncpg called it (db/lost_connections.py):
    SQLAlchemy then invalidates it and every pooled connection opened before it."""
    if connection_lost(context.original_exception):
        context.is_disconnect = True


def _in_memory(url: str | URL) -> bool:
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


def create_engine(url: str | URL, *, busy_ms: int = 30_000, **options: Any) -> AsyncEngine:
    asyncpg_driver = make_url(url).get_driver_name() == "asyncpg"
    # LIFO: the connection a request gets is the one used last, warm (asyncpg introspects
    # each type once per connection; idle ones age past PING_AFTER_IDLE or are closed).
    if asyncpg_driver:
        options.setdefault("pool_use_lifo", True)
    if options.get("poolclass") is None and not _in_memory(url):
        options["poolclass"] = MeteredPool  # the default queue pool, with its metrics
    engine = create_async_engine(url, pool_pre_ping=not asyncpg_driver, **options)
    event.listen(engine.sync_engine, "handle_error", _disconnect_when_lost)
    if asyncpg_driver:
        event.listen(engine.sync_engine, "connect", _introspect_enums)
        event.listen(engine.sync_engine, "connect", _mark_idle)
        event.listen(engine.sync_engine, "checkin", _mark_idle)
        event.listen(engine.sync_engine, "checkout", _check_asyncpg)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", partial(_sqlite_pragmas, busy_ms=busy_ms))
        event.listen(engine.sync_engine, "connect", _sqlite_driver_without_begin)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
    return engine


def serving_engine(settings: Settings) -> AsyncEngine:
    """The engine of a serving process, with the pool and timeouts of `settings`."""
    url = make_url(settings.database_url)
    pool = {
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_timeout": settings.db_pool_timeout,
    }
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            return create_engine(url)  # one connection, no pool to size
        return create_engine(url, busy_ms=int(settings.db_statement_timeout * 1000), **pool)
    if url.get_driver_name() == "asyncpg":
        connect_args = {
            "timeout": settings.db_connect_timeout,
            "command_timeout": settings.db_statement_timeout,
            "async_creator_fn": _connect_asyncpg,
        }
        return create_engine(url, connect_args=connect_args, **pool)
    return create_engine(url, **pool)


class _HeldConnection:
    """The connection of `Database.one_connection()`: checked out at first use."""

    def __init__(self) -> None:
        self._connection: AsyncConnection | None = None

    @asynccontextmanager
    async def use(self, engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
        if self._connection is None:
            self._connection = await engine.connect()
        try:
            yield self._connection
        except BaseException:
            await self.close()  # it may be broken: the next read takes another
            raise

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.close()


Reader = AsyncConnection | AsyncSession
"""What a read of plain rows (a Core select) runs on: a connection, or a caller's session."""


class Database:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        # Reads run in autocommit: a read session sends one statement, and a transaction
        # around it would only add a BEGIN and a ROLLBACK round trip (and make the pool's
        # ping one transaction more). Writes keep their transaction.
        self._read_engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._reads = async_sessionmaker(self._read_engine, expire_on_commit=False)
        self._writes = async_sessionmaker(engine, expire_on_commit=False)
        self._turn: asyncio.Lock | None = None
        self._held: _HeldConnection | None = None

    def one_read_at_a_time(self) -> "Database":
        """This database, with its reads taking turns (a request's resolvers and loaders).

        Batches that fire together would each hold a pooled connection at once (a list
        holds four): under a few concurrent requests the pool overflows, and every
        overflow connection is a new one, with asyncpg's type introspection. Taking turns,
        a request holds one connection at a time, for about the same time in all (each
        batch is one short statement).
        """
        if self._turn is not None:
            return self  # already one request's: its reads share the one turn
        serial = copy.copy(self)
        serial._turn = asyncio.Lock()
        return serial

    def one_connection(self) -> "Database":
        """This database for one HTTP request: its reads take turns (`one_read_at_a_time`)
        on one connection, checked out at the first read and given back by `release()`.

        A request's five or so reads then cost one checkout, not five (each a reset, the
        autocommit setting and the pool's events). A read that fails gives the connection
        back at once; the next one checks out another.
        """
        held = self.one_read_at_a_time()
        held._held = _HeldConnection()
        return held

    async def release(self) -> None:
        """Give back the connection `one_connection()` holds; later reads check out their own."""
        held, self._held = self._held, None
        if held is not None:
            await held.close()

    @classmethod
    def from_url(cls, url: str) -> "Database":
        return cls(create_engine(url))

    @classmethod
    def for_serving(cls, settings: Settings) -> "Database":
        return cls(serving_engine(settings))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session for reads, in autocommit: each statement sees the latest commits."""
        async with self._turn or nullcontext():
            if self._held is None:
                async with self._reads() as session:
                    yield session
                return
            async with (
                self._held.use(self._read_engine) as connection,
                self._reads(bind=connection) as session,
            ):
                yield session

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection]:
        """A Core connection for reads of plain rows, in autocommit, taking turns as
        `session()` does: it skips the ORM's execution path, which costs several times the
        Core one for a statement that returns no entities."""
        async with self._turn or nullcontext():
            if self._held is None:
                async with self._read_engine.connect() as connection:
                    yield connection
                return
            async with self._held.use(self._read_engine) as connection:
                yield connection

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on error."""
        async with self._writes() as session, session.begin():
            yield session

    @cached_property
    def _probe_engine(self) -> AsyncEngine:
        """Unpooled: a probe opens a connection of its own, so it never waits for a pool
        slot nor behind a pooled connection that a stall holds."""
        return create_async_engine(self.engine.url, poolclass=NullPool)

    async def ping(self) -> None:
        """SELECT 1 on a new connection; raises whatever keeps the database from answering."""
        async with self._probe_engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
