"""Reads of agents and of the permission rows that grant access to them."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, and_, bindparam, select

from db.engine import Reader
from db.models import Agent, AgentPermission, User
from db.types import GUID
from db.users import USER_COLUMNS, UserRow


class AgentRow(NamedTuple):
    """An agents row as the API reads it (`Agent`'s names), as `db.users.UserRow`."""

    id: uuid.UUID
    name: str
    avatar_url: str | None
    creator_id: uuid.UUID
    tenant_id: uuid.UUID | None
    access_mode: str | None
    created_at: datetime
    deleted_at: datetime | None


AnyAgent = Agent | AgentRow
"""What the API reads an agent from: a row, or (in tests and writes) an instance."""

AGENT_COLUMNS = tuple(Agent.__table__.c[name] for name in AgentRow._fields)


_AGENTS_BY_IDS = select(*AGENT_COLUMNS).where(
    Agent.__table__.c.id.in_(bindparam("ids", expanding=True))
)


async def agents_by_ids(reader: Reader, ids: Sequence[uuid.UUID]) -> list[AgentRow]:
    rows = await reader.execute(_AGENTS_BY_IDS, {"ids": list(ids)})
    return [AgentRow._make(row) for row in rows]


def grants_of(user_id: ColumnElement[uuid.UUID] | uuid.UUID) -> ColumnElement[bool]:
    """Join condition: the agent's permission rows that name the user (scope 'user'), the
    only rows that grant anything under the access modes (`auth.access`)."""
    return and_(
        AgentPermission.agent_id == Agent.id,
        AgentPermission.scope_type == "user",
        AgentPermission.scope_id == user_id,
    )


_VIEWER_WITH_AGENT = (
    select(*USER_COLUMNS, *AGENT_COLUMNS, AgentPermission.access_level)
    .select_from(User)
    .outerjoin(Agent, Agent.id == bindparam("agent_id", type_=GUID()))
    .outerjoin(AgentPermission, grants_of(User.id))
    .where(User.id == bindparam("viewer_id", type_=GUID()))
)
"""Built once, run with bound values (see `db.sessions`)."""
_AGENT_AT = len(USER_COLUMNS)
_LEVEL_AT = _AGENT_AT + len(AGENT_COLUMNS)


async def viewer_with_agent(
    reader: Reader, viewer_id: uuid.UUID, agent_id: uuid.UUID
) -> tuple[UserRow, AgentRow | None, list[str]] | None:
    """The viewer's user row, the agent and the levels of the viewer's own (user-scope)
    permission rows on it, in one statement; None when there is no such user, and no agent
    when there is no such agent.

    Whether the user may sign in, whether the agent is visible to them, and what the rows
    grant under its access mode, is for the caller and `auth.access` to say.
    """
    values = {"viewer_id": viewer_id, "agent_id": agent_id}
    rows = (await reader.execute(_VIEWER_WITH_AGENT, values)).all()
    if not rows:
        return None
    first = rows[0]
    user = UserRow._make(first[:_AGENT_AT])
    agent = AgentRow._make(first[_AGENT_AT:_LEVEL_AT]) if first[_AGENT_AT] is not None else None
    return user, agent, [row[_LEVEL_AT] for row in rows if row[_LEVEL_AT] is not None]
