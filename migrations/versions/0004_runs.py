"""What the run views read, on the server's own database: the platform's shape, nothing more.

On the platform's database every column and table here is the platform's, there already:
this revision leaves it as it is. On the server's own database (made by 0001) it adds
the columns of `agent_runs` that say which run holds a direct chat's lane, the
`chat_sessions.group_id` the active-run rule reads, and the platform's tool receipts
(`agent_tool_executions`, only the columns read), with the platform's names and types.

The platform's database is told apart as 0001 does it, by what is there: the platform's
own `alembic_version` table, or an `agent_runs` with the platform's `goal` column, which
0001 never creates.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.models import JSONDocument
from db.types import GUID, UTCDateTime
from migrations.steps import report

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _run_columns() -> list[sa.Column]:
    return [
        sa.Column("source_type", sa.String(32), nullable=False, server_default="chat"),
        sa.Column("origin_user_id", GUID()),
        sa.Column("runtime_type", sa.String(24), nullable=False, server_default="langgraph"),
        sa.Column("runtime_thread_id", sa.String(255), nullable=False, server_default=""),
        sa.Column("scheduling_lane_key", sa.String(255)),
        sa.Column("lane_held", sa.Boolean(), nullable=False, server_default=sa.false()),
    ]


def _is_platform_database(inspector: sa.Inspector) -> bool:
    if inspector.has_table("alembic_version"):
        return True
    return "goal" in {column["name"] for column in inspector.get_columns("agent_runs")}


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if _is_platform_database(inspector):
        report("Found the platform's run tables: left them as they are.")
        return
    present = {column["name"] for column in inspector.get_columns("agent_runs")}
    for column in _run_columns():
        if column.name not in present:
            op.add_column("agent_runs", column)
    if "group_id" not in {column["name"] for column in inspector.get_columns("chat_sessions")}:
        op.add_column("chat_sessions", sa.Column("group_id", GUID()))
    # A database migrated when this was revision 0002 has them already (see 0005).
    if not inspector.has_table("agent_tool_executions"):
        op.create_table(
            "agent_tool_executions",
            sa.Column("id", GUID(), primary_key=True),
            sa.Column("tenant_id", GUID(), sa.ForeignKey("tenants.id"), nullable=False),
            sa.Column("run_id", GUID(), sa.ForeignKey("agent_runs.id"), nullable=False),
            sa.Column("tool_call_id", sa.String(255), nullable=False),
            sa.Column("tool_name", sa.String(200), nullable=False),
            sa.Column("effect", sa.String(24), nullable=False, server_default="external_write"),
            sa.Column("retry_policy", sa.String(24), nullable=False, server_default="never"),
            sa.Column("status", sa.String(24), nullable=False),
            sa.Column("result_summary", sa.Text()),
            sa.Column(
                "result_metadata", JSONDocument, nullable=False, server_default=sa.text("'{}'")
            ),
            sa.Column(
                "started_at",
                UTCDateTime(),
                nullable=False,
                server_default=sa.text("CURRENT_TIMESTAMP"),
            ),
            sa.UniqueConstraint(
                "run_id", "tool_call_id", name="uq_agent_tool_executions_run_tool_call"
            ),
        )
    report("Added the run columns and tool receipts in the platform's shape.")


def downgrade() -> None:
    """Only on the server's own database: the platform's tables are never touched."""
    inspector = sa.inspect(op.get_bind())
    if _is_platform_database(inspector):
        return
    op.drop_table("agent_tool_executions")
    with op.batch_alter_table("chat_sessions") as batch:
        batch.drop_column("group_id")
    with op.batch_alter_table("agent_runs") as batch:
        for column in reversed(_run_columns()):
            batch.drop_column(column.name)
