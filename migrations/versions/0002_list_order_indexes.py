"""Session list indexes on the sort key `db.sessions` pages by.

The lists sort by COALESCE(last_message_at, <earliest time>) instead of last_message_at
NULLS LAST (the same order), so that a page after a cursor is one row comparison and
so one index range. 0001's indexes could not bound a deep page: its "after the cursor"
condition needed an OR for the NULLs, and PostgreSQL then read the list from its head.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Keep in step with db.sessions.EARLIEST: the planner matches the expression as written.
SORT_TIME = "COALESCE(last_message_at, '0001-01-01 00:00:00+00') DESC"
INDEXES = {
    "ix_chat_sessions_agent_list": ("agent_id",),
    "ix_chat_sessions_peer_list": ("peer_agent_id",),
    "ix_chat_sessions_user_list": ("agent_id", "user_id"),
}


def _columns(leading: tuple[str, ...], sort_time: str) -> list[sa.TextClause | str]:
    return [*leading, sa.text(sort_time), sa.text("created_at DESC"), sa.text("id DESC")]


def _recreate(sort_time: str) -> None:
    for name, leading in INDEXES.items():
        op.drop_index(name, table_name="chat_sessions")
        op.create_index(name, "chat_sessions", _columns(leading, sort_time))


def upgrade() -> None:
    _recreate(SORT_TIME)


def downgrade() -> None:
    nulls_last = " NULLS LAST" if op.get_bind().dialect.name == "postgresql" else ""
    _recreate(f"last_message_at DESC{nulls_last}")
