"""Reads of chat participants (the senders of messages)."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, select

from db.engine import Reader
from db.models import Participant


class ParticipantRow(NamedTuple):
    """A participants row (`Participant`'s names), without the ORM: see
    `db.sessions.SessionRow`."""

    id: uuid.UUID
    type: str
    ref_id: uuid.UUID
    display_name: str
    avatar_url: str | None
    created_at: datetime


_BY_IDS = select(*(Participant.__table__.c[name] for name in ParticipantRow._fields)).where(
    Participant.id.in_(bindparam("ids", expanding=True))
)


async def participants_by_ids(session: Reader, ids: Sequence[uuid.UUID]) -> list[ParticipantRow]:
    make = ParticipantRow._make
    return [make(row) for row in (await session.execute(_BY_IDS, {"ids": list(ids)})).all()]
