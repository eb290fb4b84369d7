"""A list of ids as one bound parameter, for statements built once and run many times.

The live poller's statements (`db/live.py`, `db/watched_access.py`) run four times a
second, each with the ids of every watched session, agent or viewer. An expanding IN
binds each id on its own and renders the SQL anew for each number of them (a new
prepared statement for asyncpg whenever that number changes).
"""

import uuid

from sqlalchemy import ColumnElement, Uuid, any_, bindparam
from sqlalchemy.dialects import postgresql


def among(column: ColumnElement[uuid.UUID], ids: str, dialect: str) -> ColumnElement[bool]:
    """`column` is one of the ids bound as `ids`: one array parameter on PostgreSQL
    (`= ANY`), the same SQL whatever their number; an expanding IN on SQLite, which has
    no arrays."""
    if dialect == "postgresql":
        return column == any_(bindparam(ids, type_=postgresql.ARRAY(Uuid())))
    return column.in_(bindparam(ids, expanding=True))
