from aiodataloader import DataLoader

from db.engine import Database
from db.run_events import MessageRef, RuntimeFailure, failures_by_message


class RuntimeFailureByMessageLoader(DataLoader[MessageRef, RuntimeFailure | None]):
    """The delivery failure recorded for each (session id, message id); None for none."""

    def __init__(self, database: Database) -> None:
        super().__init__()
        self.database = database

    async def batch_load_fn(self, keys: list[MessageRef]) -> list[RuntimeFailure | None]:
        async with self.database.connection() as connection:
            failures = await failures_by_message(connection, keys)
        return [failures.get(key) for key in keys]
