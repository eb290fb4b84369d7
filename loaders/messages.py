import uuid
from dataclasses import dataclass
from itertools import groupby

from aiodataloader import DataLoader

from db.engine import Database
from db.messages import (
    MessageKey,
    MessagePage,
    count_by_conversation,
    count_by_session_up_to,
    message_pages,
)


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


@dataclass(frozen=True)
class PageRequest:
    """One session's page, as `db.messages.message_page` takes it."""

    conversation_id: str
    limit: int
    key: MessageKey | None
    forward: bool
    total: bool
    senders: bool

    @property
    def shape(self) -> tuple[int, MessageKey | None, bool, bool, bool]:
        """What the sessions of one statement share (a list asks the same of each)."""
        return self.limit, self.key, self.forward, self.total, self.senders


class MessagePageLoader(DataLoader[PageRequest, MessagePage]):
    """The pages of messages that a list's sessions ask for: one statement per shape,
    however many sessions, a session asked for twice read once.

    Uncached (each batch reads afresh), so a page never outlives the statement that read it.
    """

    def __init__(self, database: Database) -> None:
        super().__init__(cache=False)
        self.database = database

    async def batch_load_fn(self, keys: list[PageRequest]) -> list[MessagePage]:
        by_shape: dict[tuple, dict[str, None]] = {}  # conversations in order, each once
        for request in keys:
            by_shape.setdefault(request.shape, {})[request.conversation_id] = None
        pages: dict[tuple, MessagePage] = {}
        async with self.database.connection() as connection:
            for shape, conversations in by_shape.items():
                limit, key, forward, total, senders = shape
                found = await message_pages(
                    connection,
                    list(conversations),
                    limit,
                    key,
                    forward=forward,
                    total=total,
                    senders=senders,
                )
                pages |= {(shape, conversation): page for conversation, page in found.items()}
        return [pages[(request.shape, request.conversation_id)] for request in keys]
