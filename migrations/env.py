"""Alembic environment: runs on a connection handed in by `db.migrate`, or on its own.

Run by the Alembic CLI it makes an async engine from DATABASE_URL; run from the server
it reuses the caller's connection (Alembic's "connection sharing" recipe for asyncio).

The server's migration state lives in a version table of its own: on the platform's
database, `alembic_version` is the platform's and is never read or written here.
"""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from db.engine import create_engine
from db.migrate import VERSION_TABLE
from db.models import Base
from settings import Settings


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection, target_metadata=Base.metadata, version_table=VERSION_TABLE
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    engine = create_engine(Settings.from_env().database_url)
    async with engine.connect() as connection:
        await connection.run_sync(run_migrations)
    await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is None:
    asyncio.run(run_migrations_online())
else:
    run_migrations(connection)
