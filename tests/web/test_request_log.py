"""The request id and the one JSON log line per request, over the real app."""

import asyncio
import json
import logging
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from auth.tokens import issue_token
from db.engine import Database
from server import create_app
from settings import Settings
from tests.api import Api, count_statements, error_codes
from tests.factories import Factory

SESSIONS = """
query Sessions($id: ID!) {
  agent(id: $id) {
    sessions(scope: ALL) {
      nodes { title displayName messageCount user { displayName } }
    }
  }
}
"""
VIEWER = "query Viewer { viewer { displayName } }"


def request_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [
        json.loads(record.getMessage())
        for record in caplog.records
        if record.name == "chat_api.requests"
    ]


def line_for(caplog: pytest.LogCaptureFixture, response: httpx.Response) -> dict[str, Any]:
    request_id = response.headers["x-request-id"]
    (line,) = [line for line in request_lines(caplog) if line["request_id"] == request_id]
    return line


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="chat_api.requests")
    return caplog


async def busy_agent(factory: Factory) -> tuple[Any, Any]:
    """An admin and an agent with sessions of several users, so loaders have work to batch."""
    tenant = await factory.tenant()
    admin = await factory.user(tenant, role="org_admin")
    agent = await factory.agent(admin)
    for _ in range(3):
        member = await factory.user(tenant)
        await factory.session(agent, member, messages=2)
    return admin, agent


async def test_a_plain_request_id_is_kept_and_returned(api: Api, logs: Any) -> None:
    """A short, plain X-Request-ID from the caller comes back and is logged."""
    response = await api.post(VIEWER, headers={"X-Request-ID": "edge-7f3a:9.b_c"})

    assert response.headers["x-request-id"] == "edge-7f3a:9.b_c"
    assert line_for(logs, response)["request_id"] == "edge-7f3a:9.b_c"


@pytest.mark.parametrize(
    "given",
    [
        pytest.param("", id="empty"),
        pytest.param("x" * 129, id="too-long"),
        pytest.param("id with spaces", id="spaces"),
        pytest.param('a"}\\n{"forged": 1', id="log-injection"),
        pytest.param("é-accent", id="non-ascii"),
    ],
)
async def test_an_unsafe_request_id_is_replaced(api: Api, logs: Any, given: str) -> None:
    """An X-Request-ID that is empty, long or has odd characters gives way to a new one."""
    response = await api.client.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers=[(b"x-request-id", given.encode())],
    )

    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
    assert line_for(logs, response)["status"] == 200


async def test_each_request_gets_its_own_id(api: Api) -> None:
    """Without an X-Request-ID, every response carries a new one."""
    first = await api.client.get("/healthz")
    second = await api.client.get("/healthz")

    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_one_line_describes_a_graphql_request(
    api: Api, factory: Factory, database: Database, logs: Any
) -> None:
    """The line has method, path, status, operation, duration, SQL count and outcome."""
    admin, agent = await busy_agent(factory)

    with count_statements(database) as statements:
        response = await api.post(SESSIONS, {"id": str(agent.id)}, user=admin)

    assert response.status_code == 200 and "errors" not in response.json()
    line = line_for(logs, response)
    assert line == {
        "request_id": response.headers["x-request-id"],
        "method": "POST",
        "path": "/graphql",
        "status": 200,
        "operation": "Sessions",
        "duration_ms": line["duration_ms"],
        "sql_statements": len(statements),
        "outcome": "ok",
        "error_codes": [],
        "client": "127.0.0.1",
        "trace_id": None,
    }
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    # The viewer with the agent, the page with its counts and the users' batch: the loader
    # runs in a task of its own, and its statement is counted all the same.
    assert len(statements) == 3, statements


async def test_concurrent_requests_count_only_their_own_statements(
    api: Api, factory: Factory, logs: Any
) -> None:
    """Statements of requests in flight together are each counted against their request."""
    admin, agent = await busy_agent(factory)
    alone = [
        line_for(logs, await api.post(SESSIONS, {"id": str(agent.id)}, user=admin)),
        line_for(logs, await api.post(VIEWER, user=admin)),
    ]

    together = await asyncio.gather(
        *[api.post(SESSIONS, {"id": str(agent.id)}, user=admin) for _ in range(3)],
        *[api.post(VIEWER, user=admin) for _ in range(3)],
    )

    counts = [line_for(logs, response)["sql_statements"] for response in together]
    assert counts == [alone[0]["sql_statements"]] * 3 + [alone[1]["sql_statements"]] * 3
    assert alone[0]["sql_statements"] > alone[1]["sql_statements"] > 0


async def test_errors_are_the_outcome_of_a_request_that_answered_them(api: Api, logs: Any) -> None:
    """A GraphQL response with errors is logged with outcome errors and their codes."""
    response = await api.post(VIEWER)

    assert error_codes(response.json()) == ["UNAUTHENTICATED"]
    line = line_for(logs, response)
    assert (line["operation"], line["outcome"], line["error_codes"]) == (
        "Viewer",
        "errors",
        ["UNAUTHENTICATED"],
    )
    assert line["sql_statements"] == 0


async def test_a_refused_request_is_logged_with_its_status(api: Api, logs: Any) -> None:
    """A request refused by the transport is logged with outcome http_<status>."""
    response = await api.client.post(
        "/graphql", content="{", headers={"Content-Type": "application/json"}
    )

    line = line_for(logs, response)
    assert 400 <= response.status_code < 500
    assert (line["status"], line["outcome"]) == (
        response.status_code,
        f"http_{response.status_code}",
    )


async def test_requests_outside_graphql_are_logged_too(api: Api, logs: Any) -> None:
    """A probe gets a line of its own, with no operation."""
    response = await api.client.get("/readyz")

    line = line_for(logs, response)
    assert (line["method"], line["path"], line["operation"], line["outcome"]) == (
        "GET",
        "/readyz",
        None,
        "ok",
    )


async def test_an_unexpected_error_is_masked_and_logged_with_the_request_id(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A server fault reaches the client as INTERNAL_SERVER_ERROR; the log has it whole."""
    # Given a database without tables: every query fails inside the server.
    database = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'no-tables.db'}")
    app = create_app(settings, database)
    caplog.set_level(logging.INFO)
    token = {"Authorization": f"Bearer {issue_token(uuid.uuid4(), settings)}"}

    # When
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        response = await client.post(
            "/graphql",
            json={"query": VIEWER},
            headers={**token, "X-Request-ID": "fault-1"},
        )
    await database.dispose()

    # Then
    body = response.json()
    assert response.headers["x-request-id"] == "fault-1"
    assert body["errors"] == [
        {
            "message": "Internal server error.",
            "locations": body["errors"][0]["locations"],
            "path": ["viewer"],
            "extensions": {"code": "INTERNAL_SERVER_ERROR"},
        }
    ]
    assert "no such table" not in response.text
    (fault,) = [record for record in caplog.records if record.name == "chat_api.errors"]
    assert "fault-1" in fault.getMessage()
    assert fault.exc_info is not None and "no such table" in str(fault.exc_info[1])
    assert line_for(caplog, response)["error_codes"] == ["INTERNAL_SERVER_ERROR"]
