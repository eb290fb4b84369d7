"""A GraphQL client over the real ASGI app, and counters of the SQL it runs."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event

from auth.tokens import issue_token
from db.engine import Database
from db.models import User
from execution.compare import comparison_paused
from settings import Settings


class Api:
    def __init__(self, client: httpx.AsyncClient, settings: Settings) -> None:
        self.client = client
        self.settings = settings

    def headers(self, user: User | None) -> dict[str, str]:
        if user is None:
            return {}
        return {"Authorization": f"Bearer {issue_token(user.id, self.settings)}"}

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        user: User | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        return await self.client.post(
            "/graphql", json=payload, headers={**self.headers(user), **(headers or {})}
        )

    async def query(
        self, query: str, variables: dict[str, Any] | None = None, *, user: User | None = None
    ) -> dict[str, Any]:
        """The GraphQL response of a POST; it must be HTTP 200 and well formed."""
        response = await self.post(query, variables, user=user)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) <= {"data", "errors", "extensions"}, body
        return body


def error_codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


class StatementLog:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __len__(self) -> int:
        return len(self.statements)

    def __str__(self) -> str:
        return "\n".join(f"{n}. {sql}" for n, sql in enumerate(self.statements, 1))


@contextmanager
def count_statements(database: Database) -> Iterator[StatementLog]:
    """Every SQL statement the engine sends while the block runs.

    Queries in the block run once, on the compiled executor, as in production: the
    suite's comparison with graphql-core (execution/compare.py) would run them twice.
    """
    log = StatementLog()

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        log.statements.append(" ".join(statement.split()))

    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    try:
        with comparison_paused():
            yield log
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", record)


INTROSPECTION = ("typeinfo_tree", "pg_catalog.pg_type")
"""Marks of asyncpg's type introspection (a new connection's codecs, an unknown type)."""


@contextmanager
def count_received(database: Database) -> Iterator[StatementLog]:
    """Every statement the database receives while the block runs.

    `count_statements` sees what SQLAlchemy executes; on PostgreSQL asyncpg also sends
    statements of its own that no SQLAlchemy event sees: BEGIN, COMMIT and ROLLBACK, the
    pool's pings, and its type introspection on a new connection. asyncpg's per-connection
    query logger sees those (but not the prepared statements SQLAlchemy executes), so the
    two together are what PostgreSQL's own statement log shows (bench/pglog.py checks
    that on the benchmark database).
    """
    with count_statements(database) as log:
        if database.dialect != "postgresql":
            yield log
            return
        hooked: list[Any] = []

        def logged(record: Any) -> None:
            log.statements.append(" ".join(record.query.split()))

        def hook(dbapi_connection: Any, *_: Any) -> None:
            connection = dbapi_connection.driver_connection
            if all(connection is not seen for seen in hooked):
                connection.add_query_logger(logged)
                hooked.append(connection)

        engine = database.engine.sync_engine
        event.listen(engine, "connect", hook, insert=True)  # before the dialect's set-up
        event.listen(engine, "checkout", hook)
        try:
            yield log
        finally:
            event.remove(engine, "connect", hook)
            event.remove(engine, "checkout", hook)
            for connection in hooked:
                connection.remove_query_logger(logged)


def introspection(log: StatementLog) -> list[str]:
    return [sql for sql in log.statements if any(mark in sql for mark in INTROSPECTION)]
