import uuid
from itertools import groupby

from aiodataloader import DataLoader

from db.engine import Database
from db.messages import count_by_conversation, count_by_session_up_to


class MessageCountByConversationLoader(DataLoader[str, int]):
    """How many messages each conversation (session id as text) holds; 0 for none."""

    def __init__(self, database: Database) -> None:
        super().__init__()
        self.database = database

    async def batch_load_fn(self, keys: list[str]) -> list[int]:
        async with self.database.connection() as connection:
            counts = await count_by_conversation(connection, keys)
        return [counts.get(key, 0) for key in keys]


class MessageCountUpToLoader(DataLoader[tuple[uuid.UUID, int], int]):
    """How many messages each session holds, by (session id, limit), reading at most the
    limit of each: one statement per distinct limit (a request nearly always has one)."""

    def __init__(self, database: Database) -> None:
        super().__init__()
        self.database = database

    async def batch_load_fn(self, keys: list[tuple[uuid.UUID, int]]) -> list[int]:
        found: dict[tuple[uuid.UUID, int], int] = {}
        async with self.database.connection() as connection:
            for limit, same in groupby(sorted(keys, key=lambda key: key[1]), lambda key: key[1]):
                counts = await count_by_session_up_to(connection, [id for id, _ in same], limit)
                found |= {(id, limit): n for id, n in counts.items()}
        return [found.get(key, 0) for key in keys]
