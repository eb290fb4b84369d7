"""What `server.py check` finds in a database, read without writing anything.

PostgreSQL is read in a READ ONLY transaction, an SQLite file opened read-only, so the
check is safe on the platform's live database, before or after `migrate`.
"""

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass

from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from db.engine import create_engine
from db.migrate import VERSION_TABLE, alembic_config
from db.models import Agent, User
from settings import sqlite_file


@dataclass(frozen=True)
class Finding:
    ok: bool
    line: str


def _migrations() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def server_indexes() -> set[str]:
    """The names of the server's indexes on chat_sessions, as its migrations declare them."""
    return {
        name
        for revision in _migrations().walk_revisions()
        for name in getattr(revision.module, "SERVER_INDEXES", {})
    }


def _version(connection: Connection, table: str) -> list[str]:
    return list(connection.execute(text(f"SELECT version_num FROM {table}")).scalars())


def _indexes(connection: Connection) -> dict[str, bool]:
    """The indexes on chat_sessions, and whether each is valid (the reflection API skips
    expression indexes on SQLite, and does not tell an invalid one)."""
    if connection.dialect.name == "sqlite":
        statement = "SELECT name, 1 FROM sqlite_master WHERE type = 'index' AND tbl_name = :table"
    else:
        statement = (
            "SELECT c.relname, i.indisvalid FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid"
            " WHERE t.relname = :table AND t.relnamespace = current_schema()::regnamespace"
        )
    rows = connection.execute(text(statement), {"table": "chat_sessions"})
    return {name: bool(valid) for name, valid in rows}


def _findings(connection: Connection) -> Iterator[Finding]:
    version = connection.dialect.server_version_info or ()
    yield Finding(
        True,
        f"Database reachable: {connection.dialect.name} {'.'.join(map(str, version))}".rstrip(),
    )
    tables = set(inspect(connection).get_table_names())
    if "alembic_version" in tables:
        heads = _version(connection, "alembic_version")
        head = ", ".join(heads) or "none (alembic_version is empty)"
        yield Finding(True, f"Platform head: {head}")
    else:
        yield Finding(True, "Platform head: none (no alembic_version: not the platform's database)")

    newest = _migrations().get_current_head()
    found = _version(connection, VERSION_TABLE) if VERSION_TABLE in tables else []
    if found == [newest]:
        yield Finding(True, f"Server migrations: at {newest}, the newest")
    else:
        at = ", ".join(found) or "none"
        yield Finding(False, f"Server migrations: at {at}, the newest is {newest}: run migrate")

    present = _indexes(connection) if "chat_sessions" in tables else {}
    for index in sorted(server_indexes()):
        if index not in present:
            yield Finding(False, f"Index {index}: missing: run migrate")
        elif not present[index]:
            # A CREATE INDEX CONCURRENTLY that was interrupted leaves an invalid index.
            yield Finding(False, f"Index {index}: invalid: drop it, then run migrate")
        else:
            yield Finding(True, f"Index {index}: present")

    if {"users", "agents"} <= tables:
        users, active = connection.execute(
            select(func.count(), func.count().filter(User.is_active))
        ).one()
        agents, deleted = connection.execute(
            select(func.count(), func.count(Agent.deleted_at))
        ).one()
        yield Finding(True, f"Users: {users} ({active} active)")
        yield Finding(True, f"Agents: {agents} ({deleted} deleted)")
    else:
        yield Finding(False, "Users and agents: no such tables: run migrate")


async def check(database_url: str) -> list[Finding]:
    """The findings, in order; a database that cannot be reached is one failed finding."""
    path = sqlite_file(database_url)
    if path is not None:
        if not await asyncio.to_thread(path.exists):
            return [Finding(False, f"Database unreachable: {path} does not exist")]
        # A read-only URI: nothing (not even the WAL switch of db.engine) writes to the file.
        engine = create_async_engine(f"sqlite+aiosqlite:///file:{path}?mode=ro&uri=true")
    else:
        engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                await connection.execution_options(postgresql_readonly=True)
            return await connection.run_sync(lambda sync: list(_findings(sync)))
    except Exception as error:  # whatever stops the connection, say it
        return [Finding(False, f"Database unreachable: {type(error).__name__}: {error}")]
    finally:
        await engine.dispose()
