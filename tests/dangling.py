"""Rows that point at rows which are gone, as a platform database can hold them.

The platform deletes agents, users and participants without always cleaning up what
refers to them, and the API must still answer. The test schema enforces foreign keys,
so these rows are written on a connection with the checks switched off, and that
connection is thrown away rather than returned to the pool.
"""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import Database

_CHECKS_OFF = {
    "postgresql": "SET session_replication_role = replica",
    "sqlite": "PRAGMA foreign_keys = OFF",
}


async def add_dangling(database: Database, *rows: Any) -> None:
    """Insert `rows` although their foreign keys name rows that do not exist."""
    async with database.engine.connect() as connection:
        # Outside any transaction (the engine begins SQLite's with BEGIN IMMEDIATE, see
        # db/engine.py): SQLite ignores the pragma inside one.
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.exec_driver_sql(_CHECKS_OFF[database.dialect])
        async with AsyncSession(bind=connection) as session:
            session.add_all(rows)
            await session.flush()
        await connection.commit()
        await connection.invalidate()
