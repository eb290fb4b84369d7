"""createSession's idempotency keys: the server's own table, never a platform one.

A client that lost a createSession response retries it with the same key; the key's
row, claimed in the transaction that creates the session, names the session the first
call made. Two calls at once cannot both claim it: the row's primary key is
(user, key), and the second insert waits for the first transaction, then finds the row
(PostgreSQL's unique index; on SQLite the write lock serialises the two).
"""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import String, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base

KEY_LIFETIME = timedelta(hours=24)
MAX_KEY_LENGTH = 200
TABLE = "chat_api_idempotency_keys"


class IdempotencyKey(Base):
    __tablename__ = TABLE
    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), primary_key=True)
    agent_id: Mapped[uuid.UUID]
    session_id: Mapped[uuid.UUID]
    created_at: Mapped[datetime]


async def claim_key(
    db: AsyncSession,
    *,
    user_id: uuid.UUID,
    key: str,
    agent_id: uuid.UUID,
    session_id: uuid.UUID,
    now: datetime,
) -> IdempotencyKey | None:
    """Claim `key` for the session `session_id` about to be created: None when claimed,
    else the claim made by an earlier call within KEY_LIFETIME (the caller then creates
    nothing). The user's expired keys are dropped first."""
    await db.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.created_at < now - KEY_LIFETIME
        )
    )
    insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    claimed = await db.execute(
        insert(IdempotencyKey)
        .values(user_id=user_id, key=key, agent_id=agent_id, session_id=session_id, created_at=now)
        .on_conflict_do_nothing(index_elements=["user_id", "key"])
        .returning(IdempotencyKey.session_id)
    )
    if claimed.first() is not None:
        return None
    earlier = select(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.key == key
    )
    return (await db.scalars(earlier)).one()
