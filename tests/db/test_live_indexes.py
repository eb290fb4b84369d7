"""Each statement of a live-updates tick reads through indexes, never a whole table.

A tick runs in every server process four times a second, whatever changed: a scan of
`chat_sessions` or `chat_messages` there costs what exists (200 ms at a million
sessions), not what changed. The database's own planner says which way it reads: on
PostgreSQL with sequential scans priced out (the tables here are tiny, and a scan that
remains means no index can serve), on SQLite as it plans.
"""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection

from auth.watching import Watched
from db.engine import Database
from db.live import changed_sessions, new_messages, only_new_messages
from db.watched_access import access_rows

TABLES = ("chat_sessions", "chat_messages", "users", "agents", "agent_permissions")


async def _tick_statements(database: Database) -> dict[str, tuple[str, Any]]:
    """The SQL and parameters of each read of a tick, as the broker sends them."""
    sessions, agents, viewer = [uuid.uuid4(), uuid.uuid4()], [uuid.uuid4()], uuid.uuid4()
    floor = datetime.now(UTC) - timedelta(seconds=60)
    watched = [Watched.session(viewer, sessions[0])]
    watched.append(Watched.session_list(viewer, agents[0], all_sessions=True))
    reads = {
        "new_messages": lambda c: new_messages(c, sessions, floor),
        "only_new_messages": lambda c: only_new_messages(c, sessions, floor),
        "changed_sessions": lambda c: changed_sessions(c, agents, floor),
        "access_rows": lambda c: access_rows(c, watched),
    }
    found: dict[str, tuple[str, Any]] = {}
    async with database.engine.connect() as connection:
        for name, read in reads.items():
            sent: list[tuple[str, Any]] = []

            def grab(*args: Any, sent: list[tuple[str, Any]] = sent) -> None:
                sent.append((args[2], args[3]))

            event.listen(connection.sync_connection, "before_cursor_execute", grab)
            await read(connection)
            event.remove(connection.sync_connection, "before_cursor_execute", grab)
            [found[name]] = [each for each in sent if each[0].lstrip().upper().startswith("SELECT")]
    return found


async def _plan(connection: AsyncConnection, sql: str, parameters: Any) -> str:
    if connection.dialect.name == "postgresql":
        await connection.exec_driver_sql("SET enable_seqscan = off")
        rows = await connection.exec_driver_sql(f"EXPLAIN {sql}", parameters)
        return "\n".join(row[0] for row in rows)
    rows = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", parameters)
    return "\n".join(row[-1] for row in rows)


def _table_scans(plan: str) -> list[str]:
    return [
        line.strip()
        for line in plan.splitlines()
        for table in TABLES
        if f"Seq Scan on {table} " in f"{line} " or line.strip().startswith(f"SCAN {table}")
    ]


async def test_every_read_of_a_tick_goes_through_indexes(database: Database) -> None:
    statements = await _tick_statements(database)
    async with database.engine.connect() as connection:
        plans = {name: await _plan(connection, *sent) for name, sent in statements.items()}

    assert {name: _table_scans(plan) for name, plan in plans.items()} == {
        name: [] for name in plans
    }, plans
    # Which sessions changed: through the newest of their times (migration 0003), rather
    # than each watched agent's every session.
    assert "ix_chat_api_sessions_changed_at" in plans["changed_sessions"], plans
