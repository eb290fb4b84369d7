"""The platform's tables, mapped column for column.

Only the columns this API uses are mapped, with the platform's names and types, so the
server runs on the platform's own database (`vendor/platform/schema.sql`), which has
many more. Indexes are declared in `migrations/`, where their per-database forms can be
spelled out.

Relationships are left out on purpose: every read goes
through an explicit `select()` in `db/`, so no attribute access does hidden I/O.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, column_property, mapped_column

from db.types import GUID, UTCDateTime, utcnow

USER_ROLES = ("platform_admin", "org_admin", "agent_admin", "member")
PERMISSION_SCOPES = ("company", "department", "user")
CHAT_ROLES = ("user", "assistant", "system", "tool_call")
SESSION_TYPES = ("direct", "group", "a2a", "trigger")
ACCESS_MODES = ("company", "custom", "private")

# The platform stores run payloads as JSONB; SQLite keeps JSON text.
JSONDocument = JSON().with_variant(JSONB(), "postgresql")


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
    # NOT NULL on the platform; a null (older rows) reads as "company".
    access_mode: Mapped[str | None] = mapped_column(
        String(20), default="company", server_default="company"
    )
    created_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=text("CURRENT_TIMESTAMP")
    )
    deleted_at: Mapped[datetime | None]


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
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    session_type: Mapped[str] = mapped_column(String(20))
    # Null only for group sessions, which are read through no agent.
    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agents.id"), nullable=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_by_participant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("participants.id")
    )
    title: Mapped[str] = mapped_column(String(200))
    source_channel: Mapped[str] = mapped_column(String(20))
    external_conv_id: Mapped[str | None] = mapped_column(String(200))
    is_group: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    group_name: Mapped[str | None] = mapped_column(String(200))
    participant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("participants.id"))
    peer_agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agents.id"))
    # The platform's group chats; a direct chat has none (read by the active-run rule).
    group_id: Mapped[uuid.UUID | None]
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    last_read_at_by_user: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=text("CURRENT_TIMESTAMP")
    )
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=text("CURRENT_TIMESTAMP")
    )
    last_message_at: Mapped[datetime | None]


class ChatMessage(Base):
    __tablename__ = "chat_messages"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agents.id"))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(_enum(CHAT_ROLES, "chat_role_enum"))
    content: Mapped[str] = mapped_column(Text)
    conversation_id: Mapped[str] = mapped_column(String(200))
    participant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("participants.id"))
    thinking: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=text("CURRENT_TIMESTAMP")
    )


class AgentRun(Base):
    """A run of an agent; deleting a session cancels the runs it started."""

    __tablename__ = "agent_runs"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agents.id"))
    session_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("chat_sessions.id"))
    parent_run_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agent_runs.id"))
    run_kind: Mapped[str] = mapped_column(String(24))
    # What makes a run the active run of a direct web chat (its lane), and who started it.
    source_type: Mapped[str] = mapped_column(String(32), default="chat", server_default="chat")
    origin_user_id: Mapped[uuid.UUID | None]
    runtime_type: Mapped[str] = mapped_column(
        String(24), default="langgraph", server_default="langgraph"
    )
    runtime_thread_id: Mapped[str] = mapped_column(String(255), default="", server_default="")
    scheduling_lane_key: Mapped[str | None] = mapped_column(String(255))
    lane_held: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=text("CURRENT_TIMESTAMP")
    )


class AgentRunEvent(Base):
    """What happened to a run; a failed delivery carries a message's runtime error."""

    __tablename__ = "agent_run_events"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agent_runs.id"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agents.id"))
    event_type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(
        JSONDocument, default=dict, server_default=text("'{}'")
    )
    created_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=text("CURRENT_TIMESTAMP")
    )


class AgentToolExecution(Base):
    """A tool call's receipt; one whose outcome is 'unknown' waits for the user to settle it."""

    __tablename__ = "agent_tool_executions"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agent_runs.id"))
    tool_call_id: Mapped[str] = mapped_column(String(255))
    tool_name: Mapped[str] = mapped_column(String(200))
    effect: Mapped[str] = mapped_column(
        String(24), default="external_write", server_default="external_write"
    )
    retry_policy: Mapped[str] = mapped_column(String(24), default="never", server_default="never")
    status: Mapped[str] = mapped_column(String(24))
    result_summary: Mapped[str | None] = mapped_column(Text)
    result_metadata: Mapped[dict[str, Any]] = mapped_column(
        JSONDocument, default=dict, server_default=text("'{}'")
    )
    started_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=text("CURRENT_TIMESTAMP")
    )


class AgentRunCommand(Base):
    """A command for the platform's run workers; this server only enqueues cancels."""

    __tablename__ = "agent_run_commands"
    __table_args__ = (
        UniqueConstraint("run_id", "idempotency_key", name="uq_agent_run_commands_run_idempotency"),
    )
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agent_runs.id"))
    command_type: Mapped[str] = mapped_column(String(24))
    payload: Mapped[dict[str, Any]] = mapped_column(
        JSONDocument, default=dict, server_default=text("'{}'")
    )
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    idempotency_key: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(24), default="pending", server_default="pending")
    attempt_count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=text("CURRENT_TIMESTAMP")
    )
