"""The live-updates index: a session found by its id as text.

A message names its session by `chat_messages.conversation_id`, the session id as text.
The poller of live updates reads the window's new messages (ix_chat_messages_created_at)
and finds each one's session through this index (`db/live.py`, `changed_sessions`), so
that a tick grows with the window's messages, not with the watched agents' sessions.

Like 0001 on the platform's database, it creates, alters and drops no platform table: it
only adds the index when missing, on PostgreSQL CONCURRENTLY.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.reporting import report

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_chat_api_sessions_id_text"
DEFINITION = f"{NAME} ON chat_sessions ((CAST(id AS VARCHAR)))"
SERVER_INDEXES = (NAME,)
"""What `server.py check` looks for (db/check.py)."""


def _valid() -> bool | None:
    """True when the index is there, False when a concurrent build left it invalid."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        found = bind.scalar(
            sa.text("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = :name"),
            {"name": NAME},
        )
        return None if found is None else True
    return bind.scalar(
        sa.text(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname = :name AND c.relnamespace = current_schema()::regnamespace"
        ),
        {"name": NAME},
    )


def upgrade() -> None:
    valid = _valid()
    if valid:
        report(f"Index {NAME} is already there.")
        return
    if op.get_bind().dialect.name != "postgresql":
        op.execute(f"CREATE INDEX {DEFINITION}")
        report(f"Created index {NAME}.")
        return
    with op.get_context().autocommit_block():
        if valid is False:
            op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")
        op.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {DEFINITION}")
    report(f"Created index {NAME} concurrently (writers were not blocked).")


def downgrade() -> None:
    op.drop_index(NAME, table_name="chat_sessions")
