from aiodataloader import DataLoader

from db.engine import Database
from db.messages import count_by_conversation


class MessageCountByConversationLoader(DataLoader[str, int]):
    """How many messages each conversation (session id as text) holds; 0 for none."""

    def __init__(self, database: Database) -> None:
        super().__init__()
        self.database = database

    async def batch_load_fn(self, keys: list[str]) -> list[int]:
        async with self.database.connection() as connection:
            counts = await count_by_conversation(connection, keys)
        return [counts.get(key, 0) for key in keys]
