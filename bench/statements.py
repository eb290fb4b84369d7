"""The SQL a request sends, caught in this process, and what PostgreSQL does with it.

Counting runs the real app in-process (httpx's ASGI transport) with a
`before_cursor_execute` listener on its engine, one request at a time, so every statement
caught belongs to that request. The statements are then run again under
`EXPLAIN (ANALYZE, BUFFERS)` with the parameters the server bound, both as PostgreSQL
plans them for those values and as the generic plan a cached prepared statement may
switch to after five runs.
"""

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg
import httpx
import orjson
from sqlalchemy import event

from bench.load import graphql_data
from db.engine import Database
from server import create_app
from settings import Settings

SEQUENTIAL = re.compile(r"Seq Scan on (chat_messages|chat_sessions)\b")
INDEX = re.compile(r"Index (?:Only )?Scan(?: Backward)? using (\w+)|Bitmap Index Scan on (\w+)")


@dataclass
class Statement:
    sql: str
    parameters: tuple[Any, ...]


@dataclass
class QueryPlan:
    sql: str
    custom: list[str]
    generic: list[str]
    milliseconds: float
    sequential_scans: list[str] = field(default_factory=list)
    indexes: list[str] = field(default_factory=list)


class InProcess:
    """The server's app in this process, on the benchmark database."""

    def __init__(self, settings: Settings) -> None:
        self.database = Database.from_url(settings.database_url)
        self.app = create_app(settings, self.database)
        self.caught: list[Statement] | None = None
        event.listen(self.database.engine.sync_engine, "before_cursor_execute", self._catch)

    def _catch(self, _c: Any, _cursor: Any, sql: str, parameters: Any, *_: Any) -> None:
        if self.caught is not None:
            self.caught.append(Statement(sql, tuple(parameters or ())))

    async def request(
        self, token: str, operation: str, document: str, variables: dict[str, Any]
    ) -> tuple[dict[str, Any], list[Statement]]:
        """The data of one request, and the statements it sent (after one warm-up run)."""
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            body = {"query": document, "operationName": operation, "variables": variables}
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            await client.post("/graphql", content=orjson.dumps(body), headers=headers)
            self.caught = []
            try:
                response = await client.post(
                    "/graphql", content=orjson.dumps(body), headers=headers
                )
                return graphql_data(response), self.caught
            finally:
                self.caught = None

    async def dispose(self) -> None:
        await self.database.dispose()


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime):
        value = value.isoformat()
    if isinstance(value, uuid.UUID):
        value = str(value)
    return "'" + str(value).replace("'", "''") + "'"


async def explain(connection: asyncpg.Connection, statement: Statement) -> QueryPlan:
    rows = await connection.fetch(
        "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement.sql, *statement.parameters
    )
    custom = [row[0] for row in rows]
    await connection.execute(f"PREPARE bench_plan AS {statement.sql}")
    try:
        await connection.execute("SET plan_cache_mode = force_generic_plan")
        arguments = ", ".join(_literal(value) for value in statement.parameters)
        execute = f"EXECUTE bench_plan({arguments})" if arguments else "EXECUTE bench_plan"
        generic = [row[0] for row in await connection.fetch(f"EXPLAIN (COSTS OFF) {execute}")]
    finally:
        await connection.execute("RESET plan_cache_mode")
        await connection.execute("DEALLOCATE bench_plan")
    text = "\n".join(custom + generic)
    timing = re.search(r"Execution Time: ([\d.]+) ms", "\n".join(custom))
    return QueryPlan(
        sql=" ".join(statement.sql.split()),
        custom=custom,
        generic=generic,
        milliseconds=float(timing.group(1)) if timing else float("nan"),
        sequential_scans=sorted(set(SEQUENTIAL.findall(text))),
        indexes=sorted({name for match in INDEX.findall(text) for name in match if name}),
    )
