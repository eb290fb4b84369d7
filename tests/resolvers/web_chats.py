"""A user's direct web chat with an agent: where runs, their events and cancels happen."""

from dataclasses import dataclass
from typing import Any

from db.models import Agent, ChatSession, Tenant, User
from tests.factories import Factory


@dataclass
class Chat:
    factory: Factory
    tenant: Tenant
    owner: User
    agent: Agent
    session: ChatSession

    def variables(self, **more: Any) -> dict[str, Any]:
        return {"agentId": str(self.agent.id), "sessionId": str(self.session.id), **more}


async def web_chat(factory: Factory) -> Chat:
    tenant = await factory.tenant()
    owner = await factory.user(tenant)
    agent = await factory.agent(owner)
    session = await factory.session(agent, owner, messages=1)
    return Chat(factory, tenant, owner, agent, session)
