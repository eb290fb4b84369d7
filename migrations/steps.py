"""What the migrations share: how they tell the operator what they did, and how they add
an index of the server's without blocking the platform's writers."""

import sqlalchemy as sa
from alembic import op


def report(line: str) -> None:
    """`server.py migrate` collects the lines and prints them once it is done; run by the
    Alembic CLI, a migration prints each at once."""
    lines = op.get_context().config.attributes.get("report")
    if lines is None:
        print(line)
    else:
        lines.append(line)


def index_valid(name: str) -> bool | None:
    """True when the index is there, False when a concurrent build left it invalid, None
    when it is missing."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        found = bind.scalar(
            sa.text("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = :name"),
            {"name": name},
        )
        return None if found is None else True
    return bind.scalar(
        sa.text(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname = :name AND c.relnamespace = current_schema()::regnamespace"
        ),
        {"name": name},
    )


def create_index(name: str, definition: str) -> bool:
    """Create the index `name ON definition` unless it is there (on PostgreSQL
    CONCURRENTLY, replacing one a broken build left invalid); whether it was created."""
    valid = index_valid(name)
    if valid:
        report(f"Index {name} is already there.")
        return False
    if op.get_bind().dialect.name != "postgresql":
        op.execute(f"CREATE INDEX {name} ON {definition}")
        report(f"Created index {name}.")
        return True
    with op.get_context().autocommit_block():
        if valid is False:
            op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
        op.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {definition}")
    report(f"Created index {name} concurrently (writers were not blocked).")
    return True


ID_TEXT_INDEX = ("ix_chat_api_sessions_id_text", "chat_sessions ((CAST(id AS VARCHAR)))")
"""Migration 0002's index (name, definition); 0005 builds it too where 0002 never ran."""
