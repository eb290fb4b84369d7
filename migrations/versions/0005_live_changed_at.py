"""The live-updates poll's indexes: sessions by when they last changed, messages by time.

`sessionEvents` asks each tick which sessions of the watched agents changed after a floor
time (`db/live.py`, `changed_sessions`): any of five times newer than the floor. Without
an index on them together that is a scan of every session (24 ms at 100k, 200 ms at 1M);
through ix_chat_api_sessions_changed_at, an index on the newest of the five, a tick reads
only the sessions that changed. The expression is written as `db.live.changed_at` writes
it: the planner matches it as written.

The same tick finds the sessions holding the window's new messages through the messages'
`created_at`. The platform's database has ix_chat_messages_created_at; a database the
server made itself (0001) does not, and gets ix_chat_api_messages_created_at.

Until the revisions were renumbered (issue 23's first landing), 0002 was the runs
migration (now 0004): a database stamped 0002 then never ran today's 0002, so this one
builds that index too where it is missing.

Like 0001 and 0002 on the platform's database, it creates, alters and drops no platform
table: it only adds the indexes that are missing, on PostgreSQL CONCURRENTLY, then has
PostgreSQL ANALYZE chat_sessions, which does not block writers, so that the planner knows
the new expression's values (without them it guesses a third of the table).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

from migrations.steps import ID_TEXT_INDEX, create_index, index_valid, report

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANGED_AT = "ix_chat_api_sessions_changed_at"
SERVER_INDEXES = (CHANGED_AT,)
"""What `server.py check` looks for (db/check.py)."""
# Keep in step with db.live.changed_at. SQLite's max() of several values is NULL when
# one is: its nullable times fall back to created_at.
CHANGED_AT_EXPRESSION = {
    "postgresql": "GREATEST(updated_at, last_message_at, created_at, deleted_at, "
    "last_read_at_by_user)",
    "sqlite": "max(updated_at, created_at, coalesce(last_message_at, created_at), "
    "coalesce(deleted_at, created_at), coalesce(last_read_at_by_user, created_at))",
}
MESSAGES_CREATED_AT = "ix_chat_api_messages_created_at"
PLATFORMS_MESSAGES_CREATED_AT = "ix_chat_messages_created_at"


def upgrade() -> None:
    if not index_valid(ID_TEXT_INDEX[0]):
        create_index(*ID_TEXT_INDEX)
    dialect = op.get_bind().dialect.name
    expression = CHANGED_AT_EXPRESSION["postgresql" if dialect == "postgresql" else "sqlite"]
    created = create_index(CHANGED_AT, f"chat_sessions (({expression}))")
    if created and dialect == "postgresql":
        with op.get_context().autocommit_block():
            op.execute("ANALYZE chat_sessions")
        report("Analysed chat_sessions for the new index (writers were not blocked).")
    if not index_valid(PLATFORMS_MESSAGES_CREATED_AT):
        create_index(MESSAGES_CREATED_AT, "chat_messages (created_at)")


def downgrade() -> None:
    op.execute(f"DROP INDEX IF EXISTS {MESSAGES_CREATED_AT}")
    op.execute(f"DROP INDEX IF EXISTS {CHANGED_AT}")
