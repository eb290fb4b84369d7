"""The shape every row-by-id loader shares: one short-lived session or connection per batch."""

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from aiodataloader import DataLoader

from db.engine import Database

Row = TypeVar("Row")


class RowByIdLoader(DataLoader[uuid.UUID, Row | None], Generic[Row]):
    """Loads rows by primary key; `None` in the slot of a key with no row."""

    fetch: ClassVar[Callable[[Any, Sequence[uuid.UUID]], Awaitable[Sequence[Any]]]]
    plain_rows: ClassVar[bool] = False
    """Whether `fetch` reads plain rows: then it runs on a Core connection, cheaper than a
    session, which entities need."""

    def __init__(self, database: Database) -> None:
        super().__init__()
        self.database = database

    async def batch_load_fn(self, keys: list[uuid.UUID]) -> list[Row | None]:
        reads = self.database.connection() if self.plain_rows else self.database.session()
        async with reads as reader:
            rows = await type(self).fetch(reader, keys)
        by_id = {row.id: row for row in rows}
        return [by_id.get(key) for key in keys]
