"""Reads of users."""

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Identity, User


async def users_by_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> Sequence[User]:
    return (await session.scalars(select(User).where(User.id.in_(ids)))).all()


async def user_by_username(session: AsyncSession, username: str) -> User | None:
    statement = (
        select(User)
        .join(Identity, User.identity_id == Identity.id)
        .where(Identity.username == username)
    )
    return (await session.scalars(statement)).first()
