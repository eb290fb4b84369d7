"""Killing every database connection under load (pg_terminate_backend) fails no query:
a query whose connection died is run once more on a fresh one (schema/read_retry.py).
Mutations are not run again; bench/kills.py measures both."""

import asyncio
import contextlib
import gc
import warnings
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from db.engine import Database
from tests.api import Api, error_codes
from tests.databases import POSTGRES_URL
from tests.factories import Factory

# A connection killed while it is being checked out is dropped by SQLAlchemy's pool, which
# terminates it when it is collected and warns; that is not what this test is about (the
# warning is the pool's, with or without the retry).
ABANDONED = "The garbage collector is trying to clean up non-checked-in connection"

pytestmark = [
    pytest.mark.skipif(not POSTGRES_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)"),
    pytest.mark.parametrize("database", ["postgresql"], indirect=True),
    pytest.mark.filterwarnings(f"ignore:{ABANDONED}:sqlalchemy.exc.SAWarning"),
]

SESSIONS = """
query Sessions($agent: ID!) {
  viewer { id }
  agent(id: $agent) {
    sessions(first: 20) {
      totalCount
      nodes { title messageCount messages(last: 2) { nodes { id } } }
    }
  }
}
"""
KILL_OTHERS = text(
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
)
CLIENTS = 10
KILLS = 5
KILL_EVERY = 1.0
"""Seconds between kills: a retry opens its connection well before the next one."""


async def test_killing_every_connection_under_load_fails_no_query(
    api: Api, database: Database, factory: Factory
) -> None:
    owner = await factory.user(await factory.tenant(), role="org_admin")
    agent = await factory.agent(owner)
    for n in range(5):
        await factory.session(agent, owner, messages=3, title=f"Chat {n}")
    variables = {"agent": str(agent.id)}
    expected = await api.query(SESSIONS, variables, user=owner)
    assert "errors" not in expected
    killer = create_async_engine(database.engine.url, poolclass=NullPool)
    answers: list[dict[str, Any]] = []
    killed: list[int] = []
    done = asyncio.Event()

    async def client() -> None:
        while not done.is_set():
            answers.append(await api.query(SESSIONS, variables, user=owner))

    async def kill() -> None:
        for _ in range(KILLS):
            await asyncio.sleep(KILL_EVERY)
            async with killer.connect() as connection:
                killed.append(await connection.scalar(KILL_OTHERS))
        await asyncio.sleep(0.3)
        done.set()

    try:
        await asyncio.gather(kill(), *(client() for _ in range(CLIENTS)))
    finally:
        done.set()
        with contextlib.suppress(Exception):
            await killer.dispose()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", ABANDONED)
            gc.collect()  # here, not in a later test

    failed = [body for body in answers if "errors" in body]
    assert sum(killed) >= KILLS, killed  # each round killed the connections in use
    assert failed == [], f"{len(failed)} of {len(answers)} failed: {error_codes(failed[0])}"
    assert all(body == expected for body in answers)
