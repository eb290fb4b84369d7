"""Reads of chat participants (the senders of messages)."""

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Participant


async def participants_by_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> Sequence[Participant]:
    return (await session.scalars(select(Participant).where(Participant.id.in_(ids)))).all()
