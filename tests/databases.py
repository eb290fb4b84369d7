"""The databases the suite runs on: SQLite always, PostgreSQL when TEST_DATABASE_URL is set.

Each test run gets a database of its own (a temporary SQLite file, or a PostgreSQL
database created for the run and dropped after it), migrated with the real migrations.
"""

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from db.engine import Database, create_engine
from db.models import Base
from settings import async_database_url

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


@asynccontextmanager
async def scratch_url(backend: str, directory: Path) -> AsyncIterator[str]:
    """The URL of a new, empty database, dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{directory / f'test-{uuid.uuid4().hex}.db'}"
        return
    assert POSTGRES_URL is not None
    server_url = make_url(async_database_url(POSTGRES_URL))
    name = f"chat_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        server_url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT"
    )
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server_url.set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


async def empty_tables(database: Database) -> None:
    async with database.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(table.delete())
