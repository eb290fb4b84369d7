"""Which database failures are the database's, not the request's: busy, or too slow."""

from sqlalchemy import exc

from db.engine import ConnectTimeout
from errors import DATABASE_CONNECT_TIMEOUT, SERVICE_UNAVAILABLE, STATEMENT_TIMEOUT

QUERY_CANCELED = "57014"
"""PostgreSQL's SQLSTATE for a statement cut by its statement_timeout."""
INSUFFICIENT_RESOURCES = "53"
"""PostgreSQL's SQLSTATE class for a server out of connections (53300), memory or disk."""


def database_failure(original: BaseException | None) -> tuple[str, str] | None:
    """The code and message of a database that was busy or too slow; None for anything else."""
    sqlstate = getattr(getattr(original, "orig", None), "sqlstate", None) or ""
    if isinstance(original, exc.TimeoutError) or sqlstate.startswith(INSUFFICIENT_RESOURCES):
        # No pooled connection free in time, or the database has no room for another.
        return SERVICE_UNAVAILABLE, "The server is busy: retry shortly."
    if isinstance(original, ConnectTimeout):
        return DATABASE_CONNECT_TIMEOUT, "The database did not accept a connection in time."
    if isinstance(original, TimeoutError) or sqlstate == QUERY_CANCELED:
        return STATEMENT_TIMEOUT, "The database did not answer in time."
    return None
