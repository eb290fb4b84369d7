"""The databases the suite runs on: SQLite always, PostgreSQL when TEST_DATABASE_URL is set.

Each test run gets a database of its own (a temporary SQLite file, or a PostgreSQL
database created for the run and dropped after it). SQLite is the embedded default,
built by the project's migrations. PostgreSQL is the server's home: the platform's own
database, loaded from `vendor/platform/schema.sql` with the platform's Alembic head
in `alembic_version`, then migrated as an operator would (`server.py migrate`).
`tests/db/test_migrations.py` also builds an empty PostgreSQL with the migrations alone.
"""

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from db.engine import Database, create_engine
from db.models import Base
from settings import async_database_url

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]

PLATFORM_SCHEMA = Path(__file__).resolve().parents[1] / "vendor" / "platform" / "schema.sql"
PLATFORM_HEAD = "f061_enterprise_info_tenant_id"


@asynccontextmanager
async def scratch_url(backend: str, directory: Path) -> AsyncIterator[str]:
    """The URL of a new, empty database, dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{directory / f'test-{uuid.uuid4().hex}.db'}"
        return
    assert POSTGRES_URL is not None
    server_url = make_url(async_database_url(POSTGRES_URL))
    name = f"chat_test_{uuid.uuid4().hex[:12]}"
    # Through the `postgres` maintenance database, so TEST_DATABASE_URL's own database need
    # not exist: only its server, user and password are used.
    maintenance = server_url.set(database="postgres").render_as_string(hide_password=False)
    admin = create_engine(maintenance, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server_url.set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


async def load_platform_schema(url: str) -> None:
    """Make an empty PostgreSQL database the platform's, as its migrations leave it."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(PLATFORM_SCHEMA.read_text())
        await connection.execute(
            "INSERT INTO public.alembic_version (version_num) VALUES ($1)", PLATFORM_HEAD
        )
    finally:
        await connection.close()


async def empty_tables(database: Database) -> None:
    async with database.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(table.delete())
