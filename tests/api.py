"""A GraphQL client over the real ASGI app, and a counter of the SQL it runs."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event

from auth.tokens import issue_token
from db.engine import Database
from db.models import User
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
    """Every SQL statement the engine sends while the block runs."""
    log = StatementLog()

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        log.statements.append(" ".join(statement.split()))

    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield log
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", record)
