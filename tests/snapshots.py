"""Every row of every table, to show that a request changed nothing."""

from typing import Any

from sqlalchemy import select

from db.engine import Database
from db.models import Base


async def snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Rows by table, sorted, so two snapshots are equal exactly when the data is."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    async with database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = (await connection.execute(select(table))).all()
            tables[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return tables
