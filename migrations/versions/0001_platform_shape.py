"""The platform's chat tables, when they are missing, and the server's own list indexes.

On the platform's database (its tables exist) this revision creates, alters and drops
none of them: it only adds the server's indexes that are missing, on PostgreSQL with
CREATE INDEX CONCURRENTLY so that the platform's writers are never locked out. On an
empty database it first creates the tables and columns the server uses, in the
platform's shape (names, types, constraints and the indexes the rules lean on).

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.migrate import IncompatibleDatabase
from db.models import JSONDocument
from db.types import GUID, UTCDateTime
from migrations.steps import create_index, report

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Keep in step with db.types.EARLIEST: the planner matches the expression as written.
SORT_KEY = (
    "COALESCE(last_message_at, '0001-01-01 00:00:00+00') DESC",
    "created_at DESC",
    "id DESC",
)
# The server's own indexes: each list is one range of one of them (see db/sessions.py).
SERVER_INDEXES = {
    "ix_chat_api_sessions_agent_list": ("agent_id",),
    "ix_chat_api_sessions_peer_list": ("peer_agent_id",),
    "ix_chat_api_sessions_user_list": ("agent_id", "user_id"),
}
ACTIVE = "deleted_at IS NULL"


def _created_at(name: str = "created_at") -> sa.Column:
    return sa.Column(
        name, UTCDateTime(), nullable=False, server_default=sa.text("CURRENT_TIMESTAMP")
    )


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, create_constraint=True)


def _check_in(column: str, name: str, *values: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} IN ({', '.join(map(repr, values))})", name=name)


def _create_platform_tables() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", GUID(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
    )
    op.create_table(
        "identities",
        sa.Column("id", GUID(), primary_key=True),
        sa.Column("email", sa.String(255), unique=True),
        sa.Column("username", sa.String(100), unique=True),
    )
    op.create_table(
        "users",
        sa.Column("id", GUID(), primary_key=True),
        sa.Column("identity_id", GUID(), sa.ForeignKey("identities.id")),
        sa.Column("tenant_id", GUID(), sa.ForeignKey("tenants.id")),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("avatar_url", sa.String(500)),
        sa.Column(
            "role",
            _enum("user_role_enum", "platform_admin", "org_admin", "agent_admin", "member"),
            nullable=False,
            server_default="member",
        ),
        sa.Column("is_active", sa.Boolean(), nullable=False, server_default=sa.true()),
        _created_at(),
    )
    op.create_table(
        "agents",
        sa.Column("id", GUID(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("avatar_url", sa.String(500)),
        sa.Column("creator_id", GUID(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("tenant_id", GUID(), sa.ForeignKey("tenants.id")),
        sa.Column("access_mode", sa.String(20), nullable=False, server_default="company"),
        _created_at(),
        sa.Column("deleted_at", UTCDateTime()),
    )
    op.create_table(
        "agent_permissions",
        sa.Column("id", GUID(), primary_key=True),
        sa.Column("agent_id", GUID(), sa.ForeignKey("agents.id"), nullable=False),
        sa.Column(
            "scope_type",
            _enum("permission_scope_enum", "company", "department", "user"),
            nullable=False,
        ),
        sa.Column("scope_id", GUID()),
        sa.Column("access_level", sa.String(20), nullable=False, server_default="use"),
    )
    op.create_index(
        "ix_agent_permissions_agent_scope_scopeid_level",
        "agent_permissions",
        ["agent_id", "scope_type", "scope_id", "access_level"],
    )
    op.create_table(
        "participants",
        sa.Column("id", GUID(), primary_key=True),
        sa.Column("type", sa.String(10), nullable=False),
        sa.Column("ref_id", GUID(), nullable=False),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("avatar_url", sa.String(500)),
        _created_at(),
        sa.UniqueConstraint("type", "ref_id", name="uq_participants_type_ref_id"),
    )
    op.create_table(
        "chat_sessions",
        sa.Column("id", GUID(), primary_key=True),
        sa.Column("tenant_id", GUID(), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("session_type", sa.String(20), nullable=False),
        sa.Column("agent_id", GUID(), sa.ForeignKey("agents.id")),
        sa.Column("user_id", GUID(), sa.ForeignKey("users.id")),
        sa.Column("created_by_participant_id", GUID(), sa.ForeignKey("participants.id")),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("source_channel", sa.String(20), nullable=False),
        sa.Column("external_conv_id", sa.String(200)),
        sa.Column("is_group", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("group_name", sa.String(200)),
        sa.Column("participant_id", GUID(), sa.ForeignKey("participants.id")),
        sa.Column("peer_agent_id", GUID(), sa.ForeignKey("agents.id")),
        sa.Column("is_primary", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("last_read_at_by_user", UTCDateTime()),
        sa.Column("deleted_at", UTCDateTime()),
        _created_at(),
        _created_at("updated_at"),
        sa.Column("last_message_at", UTCDateTime()),
        _check_in(
            "session_type", "ck_chat_sessions_session_type", "direct", "group", "a2a", "trigger"
        ),
    )
    # The platform's guarantee of at most one primary direct session per owner and agent.
    primary = "session_type = 'direct' AND is_primary AND deleted_at IS NULL"
    op.create_index(
        "uq_chat_sessions_primary_direct",
        "chat_sessions",
        ["tenant_id", "agent_id", "user_id"],
        unique=True,
        postgresql_where=sa.text(primary),
        sqlite_where=sa.text(primary),
    )
    op.create_table(
        "chat_messages",
        sa.Column("id", GUID(), primary_key=True),
        sa.Column("agent_id", GUID(), sa.ForeignKey("agents.id")),
        sa.Column("user_id", GUID(), sa.ForeignKey("users.id")),
        sa.Column(
            "role",
            _enum("chat_role_enum", "user", "assistant", "system", "tool_call"),
            nullable=False,
        ),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("conversation_id", sa.String(200), nullable=False),
        sa.Column("participant_id", GUID(), sa.ForeignKey("participants.id")),
        sa.Column("thinking", sa.Text()),
        _created_at(),
    )
    op.create_index(
        "ix_chat_messages_conversation_created_id",
        "chat_messages",
        ["conversation_id", "created_at", "id"],
    )
    op.create_table(
        "agent_runs",
        sa.Column("id", GUID(), primary_key=True),
        sa.Column("tenant_id", GUID(), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("agent_id", GUID(), sa.ForeignKey("agents.id")),
        sa.Column("session_id", GUID(), sa.ForeignKey("chat_sessions.id")),
        sa.Column("parent_run_id", GUID(), sa.ForeignKey("agent_runs.id")),
        sa.Column("run_kind", sa.String(24), nullable=False),
        _created_at(),
        _check_in(
            "run_kind",
            "ck_agent_runs_run_kind",
            "foreground",
            "background",
            "delegated",
            "orchestration",
        ),
    )
    op.create_index("ix_agent_runs_session_created_at", "agent_runs", ["session_id", "created_at"])
    op.create_index("ix_agent_runs_parent_run_id", "agent_runs", ["parent_run_id"])
    op.create_table(
        "agent_run_events",
        sa.Column("id", GUID(), primary_key=True),
        sa.Column("run_id", GUID(), sa.ForeignKey("agent_runs.id"), nullable=False),
        sa.Column("tenant_id", GUID(), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("agent_id", GUID(), sa.ForeignKey("agents.id")),
        sa.Column("event_type", sa.String(40), nullable=False),
        sa.Column("payload", JSONDocument, nullable=False, server_default=sa.text("'{}'")),
        _created_at(),
    )
    op.create_index("ix_agent_run_events_run_created", "agent_run_events", ["run_id", "created_at"])
    op.create_table(
        "agent_run_commands",
        sa.Column("id", GUID(), primary_key=True),
        sa.Column("tenant_id", GUID(), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("run_id", GUID(), sa.ForeignKey("agent_runs.id"), nullable=False),
        sa.Column("command_type", sa.String(24), nullable=False),
        sa.Column("payload", JSONDocument, nullable=False, server_default=sa.text("'{}'")),
        sa.Column("actor_user_id", GUID(), sa.ForeignKey("users.id")),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("status", sa.String(24), nullable=False, server_default="pending"),
        sa.Column("attempt_count", sa.Integer(), nullable=False, server_default=sa.text("0")),
        _created_at(),
        sa.UniqueConstraint(
            "run_id", "idempotency_key", name="uq_agent_run_commands_run_idempotency"
        ),
        _check_in(
            "command_type", "ck_agent_run_commands_command_type", "start", "resume", "cancel"
        ),
    )


def _check_platform_shape(inspector: sa.Inspector) -> None:
    """Refuse a database whose chat tables predate the platform's current schema."""
    columns = {column["name"] for column in inspector.get_columns("chat_sessions")}
    missing = {"tenant_id", "session_type", "deleted_at", "is_primary"} - columns
    if missing:
        raise IncompatibleDatabase(
            "chat_sessions lacks " + ", ".join(sorted(missing)) + ": this database predates "
            "the platform's current schema. Upgrade the platform first, or start from an "
            "empty database (for the demo: delete the SQLite file)."
        )


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if inspector.has_table("chat_sessions"):
        _check_platform_shape(inspector)
        report("Found the platform's tables: left them as they are.")
    else:
        _create_platform_tables()
        report("Created the chat tables in the platform's shape (the columns this server uses).")
    for name, leading in SERVER_INDEXES.items():
        create_index(name, f"chat_sessions ({', '.join((*leading, *SORT_KEY))}) WHERE {ACTIVE}")


def downgrade() -> None:
    """Drops only the server's own indexes: the tables may be the platform's."""
    for name in SERVER_INDEXES:
        op.drop_index(name, table_name="chat_sessions")
