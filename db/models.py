"""The platform's tables, mapped column for column.

Only the columns this API uses are mapped, so the server can run against an existing
platform database that has more. Indexes are declared in `migrations/`, where their
per-database forms (PostgreSQL's NULLS LAST) can be spelled out.

Relationships are left out on purpose: every read goes
through an explicit `select()` in `db/`, so no attribute access does hidden I/O.
"""

import uuid
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, String, Text, UniqueConstraint, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, column_property, mapped_column

from db.types import GUID, UTCDateTime, utcnow

USER_ROLES = ("platform_admin", "org_admin", "agent_admin", "member")
PERMISSION_SCOPES = ("company", "department", "user")
CHAT_ROLES = ("user", "assistant", "system", "tool_call")


def _enum(values: tuple[str, ...], name: str) -> Enum:
    return Enum(*values, name=name, create_constraint=True, validate_strings=True)


class Base(DeclarativeBase):
    type_annotation_map = {uuid.UUID: GUID(), datetime: UTCDateTime()}


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200))


class Identity(Base):
    __tablename__ = "identities"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    username: Mapped[str | None] = mapped_column(String(100), unique=True)
    email: Mapped[str | None] = mapped_column(String(255), unique=True)


class User(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    identity_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("identities.id"))
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenants.id"))
    display_name: Mapped[str] = mapped_column(String(100))
    avatar_url: Mapped[str | None] = mapped_column(String(500))
    role: Mapped[str] = mapped_column(
        _enum(USER_ROLES, "user_role_enum"), default="member", server_default="member"
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=text("CURRENT_TIMESTAMP")
    )

    # The identity's username, read in the same statement as the user (the platform
    # exposes it the same way, as an association proxy).
    username: Mapped[str | None] = column_property(
        select(Identity.username)
        .where(Identity.id == identity_id)
        .correlate_except(Identity)
        .scalar_subquery()
    )


class Agent(Base):
    __tablename__ = "agents"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(100))
    avatar_url: Mapped[str | None] = mapped_column(String(500))
    creator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenants.id"))
    created_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=text("CURRENT_TIMESTAMP")
    )


class AgentPermission(Base):
    __tablename__ = "agent_permissions"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agents.id"))
    scope_type: Mapped[str] = mapped_column(_enum(PERMISSION_SCOPES, "permission_scope_enum"))
    scope_id: Mapped[uuid.UUID | None]
    access_level: Mapped[str] = mapped_column(String(20), default="use", server_default="use")


class Participant(Base):
    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("type", "ref_id", name="uq_participants_type_ref_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    type: Mapped[str] = mapped_column(String(10))
    ref_id: Mapped[uuid.UUID]
    display_name: Mapped[str] = mapped_column(String(100))
    avatar_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=text("CURRENT_TIMESTAMP")
    )


class ChatSession(Base):
    __tablename__ = "chat_sessions"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agents.id"))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(
        String(200), default="New Session", server_default="New Session"
    )
    source_channel: Mapped[str] = mapped_column(String(20), default="web", server_default="web")
    external_conv_id: Mapped[str | None] = mapped_column(String(200))
    is_group: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    group_name: Mapped[str | None] = mapped_column(String(200))
    participant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("participants.id"))
    peer_agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agents.id"))
    created_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=text("CURRENT_TIMESTAMP")
    )
    last_message_at: Mapped[datetime | None]


class ChatMessage(Base):
    __tablename__ = "chat_messages"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agents.id"))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(_enum(CHAT_ROLES, "chat_role_enum"))
    content: Mapped[str] = mapped_column(Text)
    conversation_id: Mapped[str] = mapped_column(String(200))
    participant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("participants.id"))
    thinking: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=text("CURRENT_TIMESTAMP")
    )
