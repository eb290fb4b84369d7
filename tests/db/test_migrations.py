"""The migrations build the whole schema from an empty database, on every backend."""

from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from db.engine import Database
from db.migrate import upgrade
from db.models import Base
from tests.databases import BACKENDS, scratch_url

# Read from the catalog: SQLAlchemy does not reflect SQLite's expression indexes.
INDEX_NAMES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'index'",
    "postgresql": "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'",
}


@pytest.mark.parametrize("backend", BACKENDS)
async def test_upgrade_from_empty_creates_every_mapped_column_and_the_list_indexes(
    backend: str, tmp_path: Path
) -> None:
    async with scratch_url(backend, tmp_path) as url:
        database = Database.from_url(url)
        await upgrade(database)
        await upgrade(database)  # a second run finds nothing to do

        def describe(connection: Connection) -> tuple[dict[str, set[str]], set[str]]:
            inspector = inspect(connection)
            columns = {
                table: {column["name"] for column in inspector.get_columns(table)}
                for table in Base.metadata.tables
            }
            return columns, set(connection.execute(text(INDEX_NAMES[backend])).scalars())

        async with database.engine.connect() as connection:
            columns, indexes = await connection.run_sync(describe)
        await database.dispose()

    for table in Base.metadata.sorted_tables:
        assert columns[table.name] == {column.name for column in table.columns}, table.name
    assert {
        "ix_chat_sessions_agent_list",
        "ix_chat_sessions_peer_list",
        "ix_chat_sessions_user_list",
        "ix_chat_messages_conversation",
        "ix_chat_messages_conversation_role",
    } <= indexes
