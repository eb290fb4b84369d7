"""Changes to a viewer's rights, written by plain SQL as the platform's admin pages make them."""

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import delete, update

from db.engine import Database
from db.models import Agent, AgentPermission, User
from tests.factories import Factory
from tests.subscriptions.world import now


async def set_user(database: Database, user_id: uuid.UUID, **values: Any) -> None:
    async with database.transaction() as db:
        await db.execute(update(User).where(User.id == user_id).values(**values))


async def set_agent(database: Database, agent_id: uuid.UUID, **values: Any) -> None:
    async with database.transaction() as db:
        await db.execute(update(Agent).where(Agent.id == agent_id).values(**values))


async def delete_permissions(database: Database, agent_id: uuid.UUID) -> None:
    async with database.transaction() as db:
        await db.execute(delete(AgentPermission).where(AgentPermission.agent_id == agent_id))


async def new_tenant(database: Database) -> uuid.UUID:
    return (await Factory(database).tenant("Elsewhere")).id


Change = Callable[[Database, uuid.UUID], Awaitable[None]]


async def deactivate(database: Database, user_id: uuid.UUID) -> None:
    await set_user(database, user_id, is_active=False)


async def demote(database: Database, user_id: uuid.UUID) -> None:
    await set_user(database, user_id, role="member")


async def move_tenant(database: Database, user_id: uuid.UUID) -> None:
    await set_user(database, user_id, tenant_id=await new_tenant(database))


async def soft_delete_agent(database: Database, agent_id: uuid.UUID) -> None:
    await set_agent(database, agent_id, deleted_at=now())


async def make_private(database: Database, agent_id: uuid.UUID) -> None:
    await set_agent(database, agent_id, access_mode="private")
