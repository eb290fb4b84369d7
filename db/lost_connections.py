"""Which failures mean the connection died: a killed backend, a reset, a failover.

SQLAlchemy's asyncpg dialect recognises only some of them as disconnects; the engine's
`handle_error` hook (db/engine.py) makes it recognise them all, so that it invalidates
the connection and every pooled one opened before it (a failover or a
pg_terminate_backend of all takes them all): the next checkout opens a fresh one.
"""

import asyncpg
from sqlalchemy import exc

LOST_SQLSTATES = ("08", "57P01", "57P02", "57P03")
"""Connection exceptions (class 08), and a backend terminated by an administrator
(pg_terminate_backend), a crash or a shutdown (57P01..57P03)."""


def connection_lost(original: BaseException | None) -> bool:
    """Whether a statement failed because its connection died (killed, reset, closed),
    as SQLAlchemy or asyncpg report it: the connection is then invalidated, and the pool
    hands out others."""
    seen: set[int] = set()
    while original is not None and id(original) not in seen:
        seen.add(id(original))
        if isinstance(original, exc.DBAPIError) and original.connection_invalidated:
            return True
        sqlstate = getattr(original, "sqlstate", None) or ""
        if sqlstate.startswith(LOST_SQLSTATES):
            return True
        # asyncpg's "connection is closed", or its protocol state left broken by one.
        if isinstance(original, asyncpg.InterfaceError | asyncpg.InternalClientError):
            return True
        if isinstance(original, ConnectionError):
            return True
        original = getattr(original, "orig", None) or original.__cause__
    return False
