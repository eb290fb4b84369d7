"""Query.agent, and the agent lookup every agent-scoped field and mutation starts with."""

import uuid

from auth.access import AgentAccess, agent_access
from context import Info
from db.agents import AnyAgent
from db.users import AnyUser
from resolvers.ids import parse_id
from schema.agents import Agent


async def viewer_agent(info: Info, agent_id: uuid.UUID) -> tuple[AnyUser, AnyAgent, AgentAccess]:
    """The viewer, the agent and the viewer's access to it; NotFound or Forbidden otherwise."""
    viewer, agent, grants = await info.context.viewer_and_agent(agent_id)
    access = agent_access(viewer, agent, grants)
    assert agent is not None
    return viewer, agent, access


async def resolve_agent(info: Info, id: str) -> Agent:
    viewer, agent, access = await viewer_agent(info, parse_id(id, "agent id"))
    return Agent.from_model(agent, viewer, access)
