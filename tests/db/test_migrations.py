"""The migrations: the platform's shape on an empty database, and only indexes on the platform's.

An operator points `server.py migrate` at the platform's live database. There it must
leave every platform table and the platform's `alembic_version` row exactly as they
were, keep its own state in a table of its own, and add just the server's indexes.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, make_url

from db.engine import Database
from db.migrate import IncompatibleDatabase, upgrade
from db.models import Base
from tests.databases import BACKENDS, PLATFORM_HEAD, load_platform_schema, scratch_url

LIST_INDEXES = {
    "ix_chat_api_sessions_agent_list",
    "ix_chat_api_sessions_peer_list",
    "ix_chat_api_sessions_user_list",
}
LIVE_INDEX = "ix_chat_api_sessions_id_text"  # 0002
CHANGED_AT_INDEX = "ix_chat_api_sessions_changed_at"  # 0005
# 0005, only where the platform's ix_chat_messages_created_at is missing.
MESSAGES_CREATED_AT_INDEX = "ix_chat_api_messages_created_at"
SERVER_INDEXES = LIST_INDEXES | {LIVE_INDEX, CHANGED_AT_INDEX}
SERVER_VERSION_TABLE = "chat_api_alembic_version"
SERVER_HEAD = "0005"
# The server's own tables on the platform's database (db/idempotency.py).
SERVER_TABLES = ("chat_api_idempotency_keys",)
CREATED_SERVER_TABLES = [
    "Created table chat_api_idempotency_keys (the server's own: createSession idempotency keys)."
]

# Read from the catalog: SQLAlchemy does not reflect SQLite's expression indexes.
INDEX_NAMES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'index'",
    "postgresql": "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'",
}

needs_postgres = pytest.mark.skipif(
    "postgresql" not in BACKENDS, reason="set TEST_DATABASE_URL to run on PostgreSQL"
)


async def _describe(database: Database, backend: str) -> tuple[dict[str, set[str]], set[str]]:
    def describe(connection: Connection) -> tuple[dict[str, set[str]], set[str]]:
        inspector = inspect(connection)
        columns = {
            table: {column["name"] for column in inspector.get_columns(table)}
            for table in Base.metadata.tables
        }
        return columns, set(connection.execute(text(INDEX_NAMES[backend])).scalars())

    async with database.engine.connect() as connection:
        return await connection.run_sync(describe)


@pytest.mark.parametrize("backend", BACKENDS)
async def test_upgrade_from_empty_creates_the_platform_shape_and_the_list_indexes(
    backend: str, tmp_path: Path
) -> None:
    """Every mapped column, the platform's own indexes and the server's, in one run."""
    async with scratch_url(backend, tmp_path) as url:
        database = Database.from_url(url)
        first = await upgrade(database)
        second = await upgrade(database)
        columns, indexes = await _describe(database, backend)
        async with database.engine.connect() as connection:
            version = await connection.scalar(
                text(f"SELECT version_num FROM {SERVER_VERSION_TABLE}")
            )
            tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        await database.dispose()

    for table in Base.metadata.sorted_tables:
        assert columns[table.name] == {column.name for column in table.columns}, table.name
    assert (
        SERVER_INDEXES
        | {
            "uq_chat_sessions_primary_direct",
            "ix_chat_messages_conversation_created_id",
            "ix_agent_runs_session_created_at",
            MESSAGES_CREATED_AT_INDEX,
        }
        <= indexes
    )
    assert "alembic_version" not in tables
    assert version == SERVER_HEAD
    assert set(SERVER_TABLES) <= set(tables)
    assert first[0].startswith("Created the chat tables")
    assert second == []


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_database_from_before_the_renumbering_upgrades_to_head(
    backend: str, tmp_path: Path
) -> None:
    """Until the revisions were renumbered, 0002 was the runs migration (now 0004): a
    database stamped 0002 then has the runs' tables and none of today's 0002 and 0003."""
    async with scratch_url(backend, tmp_path) as url:
        if backend == "postgresql":
            await load_platform_schema(url)
        database = Database.from_url(url)
        await upgrade(database)
        async with database.engine.begin() as connection:
            await connection.execute(text(f"DROP INDEX {LIVE_INDEX}"))
            for table in SERVER_TABLES:
                await connection.execute(text(f"DROP TABLE {table}"))
            await connection.execute(
                text(f"UPDATE {SERVER_VERSION_TABLE} SET version_num = '0002'")
            )
        await upgrade(database)
        _, indexes = await _describe(database, backend)
        async with database.engine.connect() as connection:
            version = await connection.scalar(
                text(f"SELECT version_num FROM {SERVER_VERSION_TABLE}")
            )
            tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        await database.dispose()

    assert version == SERVER_HEAD
    assert indexes >= SERVER_INDEXES
    assert set(SERVER_TABLES) <= set(tables)


def _schema_dump(url: str) -> str:
    """pg_dump's schema of the database, less the server's own indexes and tables."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    dump = subprocess.run(
        ["pg_dump", "--schema-only", "--no-owner", "--no-privileges", dsn],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    # pg_dump writes one block per object, each headed by a "-- Name: ..." comment.
    blocks = re.split(r"\n(?=--\n-- Name: )", dump)
    ours = (*SERVER_INDEXES, MESSAGES_CREATED_AT_INDEX, SERVER_VERSION_TABLE, *SERVER_TABLES)
    kept = [block for block in blocks if not any(name in block for name in ours)]
    return "\n".join(line for line in "\n".join(kept).splitlines() if not line.startswith("\\"))


@needs_postgres
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
async def test_migrate_on_the_platforms_database_adds_only_the_servers_indexes(
    tmp_path: Path,
) -> None:
    async with scratch_url("postgresql", tmp_path) as url:
        await load_platform_schema(url)
        before = _schema_dump(url)
        database = Database.from_url(url)
        report = await upgrade(database)
        again = await upgrade(database)
        _, indexes = await _describe(database, "postgresql")
        async with database.engine.connect() as connection:
            platform_version = (
                await connection.scalars(text("SELECT version_num FROM alembic_version"))
            ).all()
            server_version = await connection.scalar(
                text(f"SELECT version_num FROM {SERVER_VERSION_TABLE}")
            )
        await database.dispose()
        after = _schema_dump(url)

    assert after == before
    assert platform_version == [PLATFORM_HEAD]
    assert server_version == SERVER_HEAD
    assert indexes >= SERVER_INDEXES
    assert MESSAGES_CREATED_AT_INDEX not in indexes  # the platform has its own
    assert report == [
        "Found the platform's tables: left them as they are.",
        *(
            f"Created index {name} concurrently (writers were not blocked)."
            for name in (*sorted(LIST_INDEXES), LIVE_INDEX)
        ),
        *CREATED_SERVER_TABLES,
        "Found the platform's run tables: left them as they are.",
        f"Created index {CHANGED_AT_INDEX} concurrently (writers were not blocked).",
        "Analysed chat_sessions for the new index (writers were not blocked).",
    ]
    assert again == []


@needs_postgres
async def test_migrate_finds_the_servers_indexes_already_there(tmp_path: Path) -> None:
    """A database whose indexes an operator built by hand: nothing is built twice."""
    async with scratch_url("postgresql", tmp_path) as url:
        await load_platform_schema(url)
        database = Database.from_url(url)
        await upgrade(database)
        async with database.engine.begin() as connection:
            await connection.execute(text(f"DROP TABLE {SERVER_VERSION_TABLE}"))
        report = await upgrade(database)
        await database.dispose()

    assert report[1:] == [
        *(f"Index {name} is already there." for name in (*sorted(LIST_INDEXES), LIVE_INDEX)),
        *(f"Table {name} is already there." for name in SERVER_TABLES),
        "Found the platform's run tables: left them as they are.",
        f"Index {CHANGED_AT_INDEX} is already there.",
    ]


@pytest.mark.parametrize("backend", BACKENDS)
async def test_migrate_refuses_chat_tables_older_than_the_platforms_schema(
    backend: str, tmp_path: Path
) -> None:
    async with scratch_url(backend, tmp_path) as url:
        database = Database.from_url(url)
        async with database.engine.begin() as connection:
            await connection.execute(text("CREATE TABLE chat_sessions (id VARCHAR(36))"))
        with pytest.raises(IncompatibleDatabase, match="predates the platform's current schema"):
            await upgrade(database)
        await database.dispose()
