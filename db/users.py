"""Reads of users."""

import uuid
from collections.abc import Sequence
from contextlib import suppress
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import Reader
from db.models import Identity, User


class UserRow(NamedTuple):
    """A users row as the API reads it (`User`'s names, its identity's username included).

    Reads return these rather than ORM instances, as for sessions (`db.sessions.SessionRow`):
    the API only reads attributes. Writes and the command line still use `User`.
    """

    id: uuid.UUID
    identity_id: uuid.UUID | None
    tenant_id: uuid.UUID | None
    display_name: str
    avatar_url: str | None
    role: str
    is_active: bool
    created_at: datetime
    username: str | None


AnyUser = User | UserRow
"""What the API reads a user from: a row, or (in tests and writes) an instance."""

USER_COLUMNS: tuple[ColumnElement, ...] = (
    *(User.__table__.c[name] for name in UserRow._fields[:-1]),
    User.__mapper__.column_attrs["username"].expression.label("username"),
)
"""The columns of a `UserRow`, in order: the table's, then the identity's username."""


_USERS_BY_IDS = select(*USER_COLUMNS).where(
    User.__table__.c.id.in_(bindparam("ids", expanding=True))
)
"""Built once, run with bound values (see `db.sessions`)."""


async def users_by_ids(reader: Reader, ids: Sequence[uuid.UUID]) -> list[UserRow]:
    rows = await reader.execute(_USERS_BY_IDS, {"ids": list(ids)})
    return [UserRow._make(row) for row in rows]


async def user_by_username(session: AsyncSession, username: str) -> User | None:
    statement = (
        select(User)
        .join(Identity, User.identity_id == Identity.id)
        .where(Identity.username == username)
    )
    return (await session.scalars(statement)).first()


async def users_named(session: AsyncSession, who: str) -> list[User]:
    """The users a command line names: by user id, or by their identity's username or email.

    On the platform one identity may have a user in each tenant, so a name can match several.
    """
    named = [Identity.username == who, func.lower(Identity.email) == who.lower()]
    with suppress(ValueError):
        named.append(User.id == uuid.UUID(who))
    statement = (
        select(User)
        .outerjoin(Identity, User.identity_id == Identity.id)
        .where(or_(*named))
        .order_by(User.created_at, User.id)
    )
    return list((await session.scalars(statement)).all())
