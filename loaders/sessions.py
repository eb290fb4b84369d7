import uuid

from aiodataloader import DataLoader

from db.engine import Database
from db.messages import unread_by_session


class UnreadCountBySessionLoader(DataLoader[uuid.UUID, int]):
    """How many agent-side messages each session holds past its owner's last read; 0 for none.

    Only load the viewer's own direct sessions: every other session reads 0 unread.
    """

    def __init__(self, database: Database) -> None:
        super().__init__()
        self.database = database

    async def batch_load_fn(self, keys: list[uuid.UUID]) -> list[int]:
        async with self.database.connection() as connection:
            counts = await unread_by_session(connection, keys)
        return [counts.get(key, 0) for key in keys]
