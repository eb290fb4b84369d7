"""Runs, their state and their events, batched: one statement per batch, whatever its size.

Paged loaders take the page's arguments in their key: the keys of one batch that share
them (every session of a list asks for the same page) are read in one statement.
"""

import uuid
from collections.abc import Awaitable, Callable, Hashable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from aiodataloader import DataLoader

from db.engine import Database, Reader
from db.messages import MessageRow, messages_by_ids
from db.run_log import EventKey, EventRow, events_page
from db.runs import (
    ExecutionRow,
    RunRow,
    lane_holders,
    open_commands,
    run_states,
    runs_page,
    unknown_executions,
)

Value = TypeVar("Value")

RunsKey = tuple[uuid.UUID, uuid.UUID, int, tuple[datetime, uuid.UUID] | None]
"""(session id, tenant id, page size, the key the page starts before)."""
EventsKey = tuple[uuid.UUID, int, EventKey | None]
"""(run id, page size, the key the page starts after)."""
HoldersKey = tuple[uuid.UUID, uuid.UUID]
"""(session id, tenant id)."""


class _Loader(DataLoader[Any, Any]):
    def __init__(self, database: Database) -> None:
        super().__init__()
        self.database = database

    async def _grouped(
        self,
        keys: Sequence[tuple[Any, ...]],
        read: Callable[[Reader, list[Any], tuple[Any, ...]], Awaitable[dict[Any, Any]]],
        empty: Callable[[], Any],
    ) -> list[Any]:
        """Read the keys that share their tail (all but the first item) together."""
        groups: dict[tuple[Any, ...], list[Any]] = {}
        for key in keys:
            groups.setdefault(key[1:], []).append(key[0])
        found: dict[Hashable, Any] = {}
        async with self.database.connection() as connection:
            for tail, heads in groups.items():
                values = await read(connection, heads, tail)
                found |= {(head, *tail): values.get(head, empty()) for head in heads}
        return [found[key] for key in keys]


class RunsBySessionLoader(_Loader):
    """A page of each session's runs, newest first (see `RunsKey`); one row more than the
    page, to tell whether another follows."""

    async def batch_load_fn(self, keys: list[RunsKey]) -> list[list[RunRow]]:
        async def read(reader: Reader, ids: list[Any], tail: tuple[Any, ...]) -> dict:
            tenant, size, before = tail
            return await runs_page(reader, ids, tenant, size + 1, before)

        return await self._grouped(keys, read, list)


class LaneHoldersLoader(_Loader):
    """The chat runs holding each session's lane (see `db.runs.lane_holders`)."""

    async def batch_load_fn(self, keys: list[HoldersKey]) -> list[list[RunRow]]:
        async def read(reader: Reader, ids: list[Any], tail: tuple[Any, ...]) -> dict:
            return await lane_holders(reader, ids, tail[0])

        return await self._grouped(keys, read, list)


class EventsByRunLoader(_Loader):
    """A page of each run's events, oldest first (see `EventsKey`), one row more."""

    async def batch_load_fn(self, keys: list[EventsKey]) -> list[list[EventRow]]:
        async def read(reader: Reader, ids: list[Any], tail: tuple[Any, ...]) -> dict:
            size, after = tail
            return await events_page(reader, ids, size + 1, after)

        return await self._grouped(keys, read, list)


class _ByRunLoader(_Loader):
    read: Callable[[Reader, Sequence[uuid.UUID]], Awaitable[dict[uuid.UUID, Any]]]

    async def batch_load_fn(self, keys: list[uuid.UUID]) -> list[Any]:
        async with self.database.connection() as connection:
            found = await type(self).read(connection, keys)
        return [found[key] for key in keys]


class RunStateLoader(_ByRunLoader):
    """Each run's state events (`db.runs.RunState`)."""

    read = staticmethod(run_states)


class OpenCommandsLoader(_ByRunLoader):
    """Each run's cancel and resume commands still pending or claimed, by type."""

    read = staticmethod(open_commands)


class UnknownExecutionsLoader(_ByRunLoader):
    """Each run's tool receipts whose outcome is unknown."""

    read = staticmethod(unknown_executions)


class MessageByIdLoader(_Loader):
    """Messages by id (a delivery names its message); None for an unknown id."""

    async def batch_load_fn(self, keys: list[uuid.UUID]) -> list[MessageRow | None]:
        async with self.database.connection() as connection:
            rows = {row.id: row for row in await messages_by_ids(connection, keys)}
        return [rows.get(key) for key in keys]


__all__ = [
    "EventsByRunLoader",
    "ExecutionRow",
    "LaneHoldersLoader",
    "MessageByIdLoader",
    "OpenCommandsLoader",
    "RunStateLoader",
    "RunsBySessionLoader",
    "UnknownExecutionsLoader",
]
