"""The server's own table of createSession idempotency keys (db/idempotency.py).

A table of the server's, beside the platform's on its database: no platform table is
created, altered or dropped. No foreign keys either, so that the platform deletes its
users and sessions as before; a key names its session by id only, for 24 hours.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.types import GUID, UTCDateTime
from migrations.steps import report

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "chat_api_idempotency_keys"


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table(TABLE):
        report(f"Table {TABLE} is already there.")
        return
    op.create_table(
        TABLE,
        sa.Column("user_id", GUID(), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("agent_id", GUID(), nullable=False),
        sa.Column("session_id", GUID(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "key", name="pk_chat_api_idempotency_keys"),
    )
    report(f"Created table {TABLE} (the server's own: createSession idempotency keys).")


def downgrade() -> None:
    op.drop_table(TABLE)
