"""The server outlives a database outage: clean errors while it lasts, no restart after it.

The outage is a TCP proxy between the app and PostgreSQL (`tests/proxy.py`) that the
test cuts and restores on the same port.
"""

import asyncio
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import func, select

from db.engine import Database
from db.models import ChatSession
from server import create_app
from settings import Settings
from tests.api import Api
from tests.databases import POSTGRES_URL
from tests.factories import Factory
from tests.proxy import DatabaseProxy, proxied_url

pytestmark = [
    pytest.mark.skipif(not POSTGRES_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)"),
    pytest.mark.parametrize("database", ["postgresql"], indirect=True),
]

SESSIONS = """
query Sessions($agent: ID!) { agent(id: $agent) { sessions { nodes { title messageCount } } } }
"""
CREATE = """
mutation Create($agent: ID!) { createSession(agentId: $agent, title: "During") { __typename } }
"""


@pytest.fixture
async def proxied_api(
    database: Database, settings: Settings, proxy: DatabaseProxy
) -> AsyncIterator[Api]:
    """The app, reaching the test database through the proxy only."""
    proxied = Database.from_url(proxied_url(database, proxy))
    transport = httpx.ASGITransport(app=create_app(settings, proxied))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client, settings)
    await proxied.dispose()


async def session_count(database: Database) -> int:
    async with database.session() as session:
        return await session.scalar(select(func.count()).select_from(ChatSession)) or 0


async def test_the_server_rides_out_a_database_outage(
    proxied_api: Api,
    proxy: DatabaseProxy,
    factory: Factory,
    database: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """While the database is away: 503 readiness, masked errors; afterwards: business as usual."""
    caplog.set_level(logging.INFO)
    tenant = await factory.tenant()
    owner = await factory.user(tenant, role="org_admin")
    agent = await factory.agent(owner)
    await factory.session(agent, owner, messages=2, title="Before")
    variables = {"agent": str(agent.id)}
    healthy = await proxied_api.query(SESSIONS, variables, user=owner)
    assert healthy["data"]["agent"]["sessions"]["nodes"] == [{"title": "Before", "messageCount": 2}]

    # When the database goes away (with the app's pooled connections open through the proxy)
    await proxy.cut()
    async with asyncio.timeout(30):
        ready = await proxied_api.client.get("/readyz")
        alive = await proxied_api.client.get("/healthz")
        failed = await proxied_api.post(SESSIONS, variables, user=owner)
        refused = await proxied_api.post(CREATE, variables, user=owner)

    # Then the process is alive but not ready, and requests fail cleanly
    assert (alive.status_code, ready.status_code) == (200, 503)
    for response in (failed, refused):
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["data"] is None or not any(body["data"].values())
        assert {error["extensions"]["code"] for error in body["errors"]} == {
            "INTERNAL_SERVER_ERROR"
        }
        assert {error["message"] for error in body["errors"]} == {"Internal server error."}
    logged = [r.getMessage() for r in caplog.records if r.name == "chat_api.errors"]
    assert any(failed.headers["x-request-id"] in message for message in logged)
    assert await session_count(database) == 1

    # When it comes back, on the same address
    await proxy.start()
    async with asyncio.timeout(30):
        ready = await proxied_api.client.get("/readyz")
        recovered = await proxied_api.query(SESSIONS, variables, user=owner)
        created = await proxied_api.query(CREATE, variables, user=owner)

    # Then the same app serves again, without a restart
    assert ready.status_code == 200
    assert recovered == healthy
    assert created["data"]["createSession"] == {"__typename": "Session"}
    assert await session_count(database) == 2


async def test_connections_left_dead_by_an_idle_outage_are_replaced(
    proxied_api: Api, proxy: DatabaseProxy, factory: Factory
) -> None:
    """An outage that no request saw leaves dead pooled connections: pre-ping replaces them."""
    tenant = await factory.tenant()
    owner = await factory.user(tenant, role="org_admin")
    agent = await factory.agent(owner)
    await factory.session(agent, owner, messages=1, title="Kept")
    variables = {"agent": str(agent.id)}
    before = await proxied_api.query(SESSIONS, variables, user=owner)

    await proxy.cut()
    await proxy.start()
    async with asyncio.timeout(30):
        after = await proxied_api.query(SESSIONS, variables, user=owner)

    assert after == before
    assert "errors" not in after
