"""Reads of agents and of the permission rows that grant access to them."""

import uuid
from collections.abc import Sequence

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Agent, AgentPermission


async def agents_by_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> Sequence[Agent]:
    return (await session.scalars(select(Agent).where(Agent.id.in_(ids)))).all()


async def agent_with_grants(
    session: AsyncSession, agent_id: uuid.UUID, viewer_id: uuid.UUID
) -> tuple[Agent, list[str]] | None:
    """The agent and the access levels its permission rows grant the viewer, in one query.

    A row grants when its scope is the whole company, or the viewer as a user.
    """
    grants_viewer = and_(
        AgentPermission.agent_id == Agent.id,
        or_(
            AgentPermission.scope_type == "company",
            and_(AgentPermission.scope_type == "user", AgentPermission.scope_id == viewer_id),
        ),
    )
    statement = (
        select(Agent, AgentPermission.access_level)
        .outerjoin(AgentPermission, grants_viewer)
        .where(Agent.id == agent_id)
    )
    rows = (await session.execute(statement)).all()
    if not rows:
        return None
    return rows[0][0], [level for _, level in rows if level is not None]
