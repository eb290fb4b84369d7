"""The shape every row-by-id loader shares: one short-lived session per batch."""

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import Database

Row = TypeVar("Row")


class RowByIdLoader(DataLoader[uuid.UUID, Row | None], Generic[Row]):
    """Loads rows by primary key; `None` in the slot of a key with no row."""

    fetch: ClassVar[Callable[[AsyncSession, Sequence[uuid.UUID]], Awaitable[Sequence[Any]]]]

    def __init__(self, database: Database) -> None:
        super().__init__()
        self.database = database

    async def batch_load_fn(self, keys: list[uuid.UUID]) -> list[Row | None]:
        async with self.database.session() as session:
            rows = await type(self).fetch(session, keys)
        by_id = {row.id: row for row in rows}
        return [by_id.get(key) for key in keys]
