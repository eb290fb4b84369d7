"""Reads of agents and of the permission rows that grant access to them."""

import uuid
from collections.abc import Sequence

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Agent, AgentPermission


async def agents_by_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> Sequence[Agent]:
    return (await session.scalars(select(Agent).where(Agent.id.in_(ids)))).all()


async def agent_with_grants(
    session: AsyncSession, agent_id: uuid.UUID, viewer_id: uuid.UUID
) -> tuple[Agent, list[str]] | None:
    """The agent and the levels of the viewer's own (user-scope) permission rows, in one query.

    Whether the agent is visible to the viewer, and what the rows grant under its access
    mode, is for `auth.access` to say.
    """
    grants_viewer = and_(
        AgentPermission.agent_id == Agent.id,
        AgentPermission.scope_type == "user",
        AgentPermission.scope_id == viewer_id,
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
