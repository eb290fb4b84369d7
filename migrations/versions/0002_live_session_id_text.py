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

from alembic import op

from migrations.steps import ID_TEXT_INDEX, create_index

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME, DEFINITION = ID_TEXT_INDEX
SERVER_INDEXES = (NAME,)
"""What `server.py check` looks for (db/check.py)."""


def upgrade() -> None:
    create_index(NAME, DEFINITION)


def downgrade() -> None:
    op.drop_index(NAME, table_name="chat_sessions")
