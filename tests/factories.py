"""Rows for tests, written straight to the database under test."""

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from db.engine import Database
from db.models import (
    Agent,
    AgentPermission,
    ChatMessage,
    ChatSession,
    Identity,
    Participant,
    Tenant,
    User,
)

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


class Factory:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._clock = T0

    def tick(self, minutes: int = 1) -> datetime:
        """A strictly increasing time, so rows made later sort later."""
        self._clock += timedelta(minutes=minutes)
        return self._clock

    async def add(self, *rows: Any) -> None:
        async with self.database.transaction() as session:
            session.add_all(rows)

    async def tenant(self, name: str = "Acme") -> Tenant:
        tenant = Tenant(id=uuid.uuid4(), name=name)
        await self.add(tenant)
        return tenant

    async def user(
        self,
        tenant: Tenant | None,
        *,
        role: str = "member",
        display_name: str = "",
        username: str | None = None,
        is_active: bool = True,
    ) -> User:
        identity = Identity(id=uuid.uuid4(), username=username or f"user-{uuid.uuid4().hex[:8]}")
        user = User(
            id=uuid.uuid4(),
            identity_id=identity.id,
            tenant_id=tenant.id if tenant else None,
            display_name=display_name or identity.username,
            role=role,
            is_active=is_active,
        )
        await self.add(identity)
        await self.add(user)
        return user

    async def agent(
        self, creator: User, *, name: str = "Atlas", tenant: Tenant | None = None
    ) -> Agent:
        agent = Agent(
            id=uuid.uuid4(),
            name=name,
            creator_id=creator.id,
            tenant_id=tenant.id if tenant else creator.tenant_id,
        )
        await self.add(agent)
        return agent

    async def grant(
        self, agent: Agent, scope_type: str, *, user: User | None = None, level: str = "use"
    ) -> AgentPermission:
        permission = AgentPermission(
            id=uuid.uuid4(),
            agent_id=agent.id,
            scope_type=scope_type,
            scope_id=user.id if user else None,
            access_level=level,
        )
        await self.add(permission)
        return permission

    async def participant(self, kind: str, ref_id: uuid.UUID, display_name: str) -> Participant:
        participant = Participant(
            id=uuid.uuid4(), type=kind, ref_id=ref_id, display_name=display_name
        )
        await self.add(participant)
        return participant

    async def session(
        self,
        agent: Agent,
        user: User | None = None,
        *,
        messages: int = 0,
        created_at: datetime | None = None,
        **columns: Any,
    ) -> ChatSession:
        """A session; with `messages`, that many user messages, and last_message_at set."""
        session = ChatSession(
            id=uuid.uuid4(),
            agent_id=agent.id,
            user_id=user.id if user else None,
            created_at=created_at or self.tick(),
            **columns,
        )
        await self.add(session)
        for _ in range(messages):
            await self.message(session, "user", "hello")
        return session

    async def message(
        self,
        session: ChatSession,
        role: str,
        content: str | dict[str, Any],
        *,
        created_at: datetime | None = None,
        touch_session: bool = True,
        **columns: Any,
    ) -> ChatMessage:
        """A message of `session`; by default it also becomes the session's last message."""
        at = created_at or self.tick()
        message = ChatMessage(
            id=uuid.uuid4(),
            agent_id=columns.pop("agent_id", session.agent_id),
            user_id=session.user_id if role == "user" else None,
            role=role,
            content=content if isinstance(content, str) else json.dumps(content),
            conversation_id=str(session.id),
            created_at=at,
            **columns,
        )
        async with self.database.transaction() as db:
            db.add(message)
            if touch_session:
                stored = await db.get(ChatSession, session.id)
                assert stored is not None
                stored.last_message_at = at
        if touch_session:
            session.last_message_at = at
        return message
