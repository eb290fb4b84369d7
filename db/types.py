"""Column types that read the same on PostgreSQL and SQLite.

UUIDs are native on PostgreSQL and 36-character lowercase text on SQLite, so a session
id compares equal to `chat_messages.conversation_id` on both. Timestamps always leave
the database timezone-aware in UTC: SQLite stores them without an offset.
"""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, String, Uuid, literal_column
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

_UUID_STORAGE: dict[type[Dialect], TypeEngine[Any]] = {}


class GUID(TypeDecorator[uuid.UUID]):
    impl = Uuid
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        # SQLAlchemy asks again for every statement that binds a GUID: worked out once.
        storage = _UUID_STORAGE.get(type(dialect))
        if storage is None:
            stored = Uuid(as_uuid=True) if dialect.name == "postgresql" else String(36)
            storage = _UUID_STORAGE[type(dialect)] = dialect.type_descriptor(stored)
        return storage

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name == "postgresql":
            return value
        return str(value if isinstance(value, uuid.UUID) else uuid.UUID(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> uuid.UUID | None:
        if value is None or isinstance(value, uuid.UUID):
            return value
        return uuid.UUID(value)


class UTCDateTime(TypeDecorator[datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


# The same literal as in the list indexes of migration 0001: a constant, not a parameter, so
# the planner matches the expression to the index in generic plans too. On SQLite the
# text sorts before every stored timestamp.
EARLIEST = literal_column("'0001-01-01 00:00:00+00'", UTCDateTime())
"""The earliest time: what a missing time reads as where times are compared or sorted."""
