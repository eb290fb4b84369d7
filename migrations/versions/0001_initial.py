"""The platform's chat tables and the indexes the API's queries need.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.types import GUID, UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, create_constraint=True)


def _created_at() -> sa.Column:
    return sa.Column(
        "created_at", UTCDateTime(), nullable=False, server_default=sa.text("CURRENT_TIMESTAMP")
    )


def _list_order(*leading: str) -> list[sa.TextClause | str]:
    """Columns of an index that serves `ORDER BY last_message_at DESC NULLS LAST, ...`.

    SQLite already sorts NULLs last in a descending index and has no NULLS LAST there.
    """
    nulls_last = " NULLS LAST" if op.get_bind().dialect.name == "postgresql" else ""
    return [
        *leading,
        sa.text(f"last_message_at DESC{nulls_last}"),
        sa.text("created_at DESC"),
        sa.text("id DESC"),
    ]


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", GUID(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
    )
    op.create_table(
        "identities",
        sa.Column("id", GUID(), primary_key=True),
        sa.Column("username", sa.String(100), unique=True),
        sa.Column("email", sa.String(255), unique=True),
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
        _created_at(),
    )
    op.create_table(
        "agent_permissions",
        sa.Column("id", GUID(), primary_key=True),
        sa.Column("agent_id", GUID(), sa.ForeignKey("agents.id"), nullable=False, index=True),
        sa.Column(
            "scope_type",
            _enum("permission_scope_enum", "company", "department", "user"),
            nullable=False,
        ),
        sa.Column("scope_id", GUID()),
        sa.Column("access_level", sa.String(20), nullable=False, server_default="use"),
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
        sa.Column("agent_id", GUID(), sa.ForeignKey("agents.id"), nullable=False),
        sa.Column("user_id", GUID(), sa.ForeignKey("users.id")),
        sa.Column("title", sa.String(200), nullable=False, server_default="New Session"),
        sa.Column("source_channel", sa.String(20), nullable=False, server_default="web"),
        sa.Column("external_conv_id", sa.String(200)),
        sa.Column("is_group", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("group_name", sa.String(200)),
        sa.Column("participant_id", GUID(), sa.ForeignKey("participants.id")),
        sa.Column("peer_agent_id", GUID(), sa.ForeignKey("agents.id")),
        _created_at(),
        sa.Column("last_message_at", UTCDateTime()),
    )
    op.create_index("ix_chat_sessions_agent_list", "chat_sessions", _list_order("agent_id"))
    op.create_index("ix_chat_sessions_peer_list", "chat_sessions", _list_order("peer_agent_id"))
    op.create_index(
        "ix_chat_sessions_user_list", "chat_sessions", _list_order("agent_id", "user_id")
    )
    op.create_table(
        "chat_messages",
        sa.Column("id", GUID(), primary_key=True),
        sa.Column("agent_id", GUID(), sa.ForeignKey("agents.id"), nullable=False),
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
        "ix_chat_messages_conversation", "chat_messages", ["conversation_id", "created_at", "id"]
    )
    op.create_index(
        "ix_chat_messages_conversation_role",
        "chat_messages",
        ["conversation_id", "role", "agent_id"],
    )


def downgrade() -> None:
    for table in (
        "chat_messages",
        "chat_sessions",
        "participants",
        "agent_permissions",
        "agents",
        "users",
        "identities",
        "tenants",
    ):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        for enum in ("chat_role_enum", "permission_scope_enum", "user_role_enum"):
            sa.Enum(name=enum).drop(op.get_bind(), checkfirst=True)
