"""The rows most subscription tests start from, and writes made as the platform makes them."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from db.engine import Database
from db.models import Agent, ChatSession, Tenant, User
from tests.factories import Factory


@dataclass
class World:
    acme: Tenant
    ada: User  # org admin, creator of Atlas
    cleo: User  # member
    dan: User  # member
    atlas: Agent
    chat: ChatSession  # Cleo's direct session with Atlas, two messages


async def make_world(factory: Factory) -> World:
    acme = await factory.tenant()
    ada = await factory.user(acme, role="org_admin", display_name="Ada")
    cleo = await factory.user(acme, display_name="Cleo")
    dan = await factory.user(acme, display_name="Dan")
    atlas = await factory.agent(ada, name="Atlas")
    chat = await factory.session(atlas, cleo, title="Trip", is_primary=True)
    await factory.message(chat, "user", "first", created_at=now(-2))
    await factory.message(chat, "assistant", "second", created_at=now(-1))
    return World(acme, ada, cleo, dan, atlas, chat)


def now(seconds: float = 0) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


async def insert_message_sql(
    database: Database, session: ChatSession, content: str, role: str = "assistant"
) -> uuid.UUID:
    """A message written by plain SQL, as another process would: created_at is the
    database's default (its clock), and the session's last_message_at follows."""
    id = uuid.uuid4()
    async with database.transaction() as db:
        await db.execute(
            text(
                "INSERT INTO chat_messages (id, agent_id, role, content, conversation_id) "
                "VALUES (:id, :agent, :role, :content, :conversation)"
            ),
            {
                "id": _sql_id(database, id),
                "agent": _sql_id(database, session.agent_id),
                "role": role,
                "content": content,
                "conversation": str(session.id),
            },
        )
        await db.execute(
            text("UPDATE chat_sessions SET last_message_at = CURRENT_TIMESTAMP WHERE id = :id"),
            {"id": _sql_id(database, session.id)},
        )
    return id


def _sql_id(database: Database, id: uuid.UUID) -> object:
    return id if database.dialect == "postgresql" else str(id)
