"""The benchmark's data generator writes the platform it plans, consistently and repeatably.

Runs the generator at a tiny size against a scratch PostgreSQL database (the generator
loads with PostgreSQL's COPY, so there is no SQLite variant).
"""

import hashlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bench.generate import (
    AGENT_ADMIN,
    BUSY_AGENT,
    BUSY_TENANT,
    Plan,
    build,
    growth_agent,
    load,
    long_session,
)
from db.engine import Database
from db.models import Base
from db.sessions import SessionScope, count_sessions
from tests.databases import POSTGRES_URL, scratch_url

TINY = Plan(sessions=60, messages=6_000, long=1_000, users_per_tenant=12)

needs_postgres = pytest.mark.skipif(POSTGRES_URL is None, reason="needs TEST_DATABASE_URL")


@pytest.fixture(scope="module")
async def loaded(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Database]:
    directory: Path = tmp_path_factory.mktemp("bench")
    async with scratch_url("postgresql", directory) as url:
        await load(url, TINY)
        database = Database.from_url(url)
        yield database
        await database.dispose()


async def _scalar(database: Database, sql: str) -> int:
    async with database.session() as session:
        return int((await session.execute(text(sql))).scalar_one())


async def _values(database: Database, sql: str) -> set[str]:
    async with database.session() as session:
        return {str(value) for value in (await session.execute(text(sql))).scalars()}


def _fingerprint(plan: Plan) -> str:
    platform = build(plan)
    digest = hashlib.sha256()
    for row in (*[spec.row() for spec in platform.sessions], *platform.messages()):
        digest.update(repr(row).encode())
    for spec in platform.sessions:  # filled in while the messages were written
        digest.update(repr(spec.last_message_at).encode())
    return digest.hexdigest()


def test_the_same_plan_gives_the_same_rows_and_another_seed_other_rows() -> None:
    """Generating twice with one seed yields identical rows, ids and times included."""
    first = _fingerprint(TINY)

    again = _fingerprint(TINY)
    other = _fingerprint(Plan(**{**TINY.__dict__, "seed": TINY.seed + 1}))

    assert again == first
    assert other != first


@needs_postgres
async def test_every_table_holds_the_planned_number_of_rows(loaded: Database) -> None:
    """The messages add up to the plan's total and every planned session is written."""
    platform = build(TINY)

    messages = await _scalar(loaded, "SELECT count(*) FROM chat_messages")
    sessions = await _scalar(loaded, "SELECT count(*) FROM chat_sessions")
    users = await _scalar(loaded, "SELECT count(*) FROM users")

    assert messages == TINY.messages
    assert sessions == len(platform.sessions)
    assert users == len(platform.tables["users"][1])


@needs_postgres
async def test_last_message_at_is_the_newest_message_time_or_null(loaded: Database) -> None:
    """Each session's last_message_at equals its newest message's time, null without any."""
    mismatched = await _scalar(
        loaded,
        """
        SELECT count(*) FROM chat_sessions s
        LEFT JOIN (
            SELECT conversation_id, max(created_at) AS newest FROM chat_messages
            GROUP BY conversation_id
        ) m ON m.conversation_id = s.id::text
        WHERE s.last_message_at IS DISTINCT FROM m.newest
        """,
    )
    empty = await _scalar(
        loaded, "SELECT count(*) FROM chat_sessions WHERE last_message_at IS NULL"
    )

    assert mismatched == 0
    assert empty > 0


@needs_postgres
async def test_no_message_belongs_to_a_session_that_does_not_exist(loaded: Database) -> None:
    """Every conversation_id is the id of a session."""
    orphans = await _scalar(
        loaded,
        """
        SELECT count(*) FROM chat_messages m
        WHERE NOT EXISTS (SELECT 1 FROM chat_sessions s WHERE s.id::text = m.conversation_id)
        """,
    )

    assert orphans == 0


@needs_postgres
@pytest.mark.parametrize(
    ("table", "column", "target"),
    [
        pytest.param(
            table.name, key.parent.name, key.column.table.name, id=f"{table.name}.{key.parent.name}"
        )
        for table in Base.metadata.sorted_tables
        for key in table.foreign_keys
    ],
)
async def test_every_reference_points_at_a_row(
    loaded: Database, table: str, column: str, target: str
) -> None:
    """The load skips foreign-key triggers for speed, so every reference is checked here."""
    dangling = await _scalar(
        loaded,
        f"""
        SELECT count(*) FROM {table} t
        WHERE t.{column} IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM {target} r WHERE r.id = t.{column})
        """,
    )

    assert dangling == 0


@needs_postgres
@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        pytest.param(BUSY_AGENT, TINY.sessions, id="busiest"),
        pytest.param(growth_agent(TINY.growth_sizes[0]), TINY.growth_sizes[0], id="growth-small"),
        pytest.param(growth_agent(TINY.growth_sizes[1]), TINY.growth_sizes[1], id="growth-large"),
    ],
)
async def test_each_agent_lists_its_planned_number_of_sessions(
    loaded: Database, agent: uuid.UUID, expected: int
) -> None:
    """The server's own ALL count finds the planned size of each agent's list."""
    async with loaded.session() as session:
        listed = await count_sessions(
            session, agent, AGENT_ADMIN, SessionScope.ALL, tenant_id=BUSY_TENANT
        )

    assert listed == expected


@needs_postgres
@pytest.mark.parametrize("size", [pytest.param(size, id=f"{size}") for size in TINY.long_sizes])
async def test_the_long_sessions_hold_exactly_their_size(loaded: Database, size: int) -> None:
    """Each long session of the busiest agent has exactly its planned number of messages."""
    count = await _scalar(
        loaded,
        f"SELECT count(*) FROM chat_messages WHERE conversation_id = '{long_session(size)}'",
    )

    assert count == size


@needs_postgres
@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        pytest.param(
            "SELECT DISTINCT role FROM users",
            {"platform_admin", "org_admin", "agent_admin", "member"},
            id="user-roles",
        ),
        pytest.param(
            "SELECT DISTINCT role FROM chat_messages",
            {"user", "assistant", "system", "tool_call"},
            id="message-roles",
        ),
        pytest.param(
            "SELECT DISTINCT source_channel FROM chat_sessions WHERE NOT is_group",
            {"web", "feishu", "slack", "discord", "agent", "trigger"},
            id="channels",
        ),
        pytest.param(
            "SELECT DISTINCT source_channel FROM chat_sessions WHERE is_group",
            {"feishu", "slack", "discord"},
            id="group-channels",
        ),
    ],
)
async def test_every_kind_of_row_occurs(loaded: Database, sql: str, expected: set[str]) -> None:
    """Users of every role, messages of every role and sessions of every channel exist."""
    assert await _values(loaded, sql) == expected


@needs_postgres
@pytest.mark.parametrize(
    "sql",
    [
        pytest.param(
            "SELECT count(*) FROM chat_sessions WHERE source_channel = 'agent' "
            "AND peer_agent_id IS NOT NULL",
            id="agent-to-agent-with-peer",
        ),
        pytest.param(
            "SELECT count(*) FROM chat_sessions WHERE peer_agent_id = "
            f"'{BUSY_AGENT}' AND agent_id <> '{BUSY_AGENT}'",
            id="peer-of-the-busiest",
        ),
        pytest.param(
            "SELECT count(*) FROM chat_messages WHERE role = 'tool_call' AND content LIKE '{%'",
            id="tool-call-json",
        ),
        pytest.param(
            "SELECT count(*) FROM chat_messages WHERE role = 'tool_call' AND content NOT LIKE '{%'",
            id="tool-call-not-json",
        ),
        pytest.param(
            "SELECT count(*) FROM chat_messages m JOIN chat_sessions s "
            "ON s.id::text = m.conversation_id WHERE s.source_channel = 'agent' "
            "AND m.role = 'assistant' AND m.content LIKE '%```tool_code%'",
            id="inline-tool-code",
        ),
        pytest.param(
            "SELECT count(*) FROM chat_messages WHERE thinking IS NOT NULL", id="thinking"
        ),
    ],
)
async def test_the_traffic_has_each_feature_a_chat_view_renders(loaded: Database, sql: str) -> None:
    """Agent-to-agent sessions, tool calls in both forms and thinking text all occur."""
    assert await _scalar(loaded, sql) > 0
