"""Reads of agents and of the permission rows that grant access to them."""

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Agent, AgentPermission, User
from db.types import GUID


async def agents_by_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> Sequence[Agent]:
    return (await session.scalars(select(Agent).where(Agent.id.in_(ids)))).all()


def grants_of(user_id: ColumnElement[uuid.UUID] | uuid.UUID) -> ColumnElement[bool]:
    """Join condition: the agent's permission rows that name the user (scope 'user'), the
    only rows that grant anything under the access modes (`auth.access`)."""
    return and_(
        AgentPermission.agent_id == Agent.id,
        AgentPermission.scope_type == "user",
        AgentPermission.scope_id == user_id,
    )


_VIEWER_WITH_AGENT = (
    select(User, Agent, AgentPermission.access_level)
    .select_from(User)
    .outerjoin(Agent, Agent.id == bindparam("agent_id", type_=GUID()))
    .outerjoin(AgentPermission, grants_of(User.id))
    .where(User.id == bindparam("viewer_id", type_=GUID()))
)
"""Built once, run with bound values (see `db.sessions`); entities, for the loaders it primes."""


async def viewer_with_agent(
    session: AsyncSession, viewer_id: uuid.UUID, agent_id: uuid.UUID
) -> tuple[User, Agent | None, list[str]] | None:
    """The viewer's user row, the agent and the levels of the viewer's own (user-scope)
    permission rows on it, in one statement; None when there is no such user, and no agent
    when there is no such agent.

    Whether the user may sign in, whether the agent is visible to them, and what the rows
    grant under its access mode, is for the caller and `auth.access` to say.
    """
    values = {"viewer_id": viewer_id, "agent_id": agent_id}
    rows = (await session.execute(_VIEWER_WITH_AGENT, values)).all()
    if not rows:
        return None
    user, agent, _ = rows[0]
    return user, agent, [level for _, _, level in rows if level is not None]
