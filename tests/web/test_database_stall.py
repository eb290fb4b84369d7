"""A database that stalls (the network stops forwarding, nothing is refused) costs each
request a bounded wait and a clean timeout error, and /readyz a 503 within 2 s.

The stall is a TCP proxy between the app and PostgreSQL (`tests/proxy.py`) that keeps
every connection open but stops passing bytes, until the test lets them through again.
"""

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from db.engine import Database
from server import create_app
from settings import Settings
from tests.api import Api, error_codes
from tests.databases import POSTGRES_URL
from tests.factories import Factory
from tests.proxy import DatabaseProxy, proxied_url

pytestmark = [
    pytest.mark.skipif(not POSTGRES_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)"),
    pytest.mark.parametrize("database", ["postgresql"], indirect=True),
]

SESSIONS = """
query Sessions($agent: ID!) { agent(id: $agent) { sessions { nodes { title } } } }
"""
TIMEOUT = 0.5
STALL_CODES = {"STATEMENT_TIMEOUT", "DATABASE_CONNECT_TIMEOUT"}


@pytest.fixture
async def stalling_api(
    database: Database, settings: Settings, proxy: DatabaseProxy
) -> AsyncIterator[Api]:
    """The app with half-second database timeouts, reaching PostgreSQL through the proxy."""
    serving = dataclasses.replace(
        settings,
        database_url=proxied_url(database, proxy),
        db_connect_timeout=TIMEOUT,
        db_statement_timeout=TIMEOUT,
        db_pool_timeout=TIMEOUT,
    )
    proxied = Database.for_serving(serving)
    transport = httpx.ASGITransport(app=create_app(serving, proxied))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client, serving)
    await proxied.dispose()


async def timed(request: Any) -> tuple[httpx.Response, float]:
    started = asyncio.get_running_loop().time()
    response = await request
    return response, asyncio.get_running_loop().time() - started


async def test_a_stalled_database_times_out_cleanly_and_recovers(
    stalling_api: Api, proxy: DatabaseProxy, factory: Factory
) -> None:
    tenant = await factory.tenant()
    owner = await factory.user(tenant, role="org_admin")
    agent = await factory.agent(owner)
    await factory.session(agent, owner, messages=1, title="Before")
    variables = {"agent": str(agent.id)}
    healthy = await stalling_api.query(SESSIONS, variables, user=owner)
    assert "errors" not in healthy

    # When the network to the database stops forwarding (pooled connections stay open)
    proxy.flowing.clear()
    stalled, stalled_for = await timed(stalling_api.post(SESSIONS, variables, user=owner))
    again, again_for = await timed(stalling_api.post(SESSIONS, variables, user=owner))
    ready, ready_for = await timed(stalling_api.client.get("/readyz"))

    # Then each request ends within a few timeouts, with a timeout's own code
    for response, seconds in ((stalled, stalled_for), (again, again_for)):
        assert response.status_code == 200, response.text
        assert set(error_codes(response.json())) <= STALL_CODES, response.text
        assert error_codes(response.json()), response.text
        assert seconds < 4 * TIMEOUT + 1
    assert ready.status_code == 503 and ready_for < 2

    # When the network forwards again, the same app serves without a restart
    proxy.flowing.set()
    ready = await stalling_api.client.get("/readyz")
    recovered = await stalling_api.query(SESSIONS, variables, user=owner)
    assert ready.status_code == 200
    assert recovered == healthy


async def test_readyz_answers_within_2_s_while_requests_are_stalled(
    database: Database, settings: Settings, proxy: DatabaseProxy, factory: Factory
) -> None:
    """A warm pool, a stall, and requests waiting on it: the probe answers at once, 503,
    and never behind a stalled pooled connection; once the stall ends, 200 again."""
    owner = await factory.user(await factory.tenant(), role="org_admin")
    agent = await factory.agent(owner)
    await factory.session(agent, owner, messages=1)
    variables = {"agent": str(agent.id)}
    # The default timeouts: a stalled request waits seconds, longer than a probe may.
    serving = dataclasses.replace(settings, database_url=proxied_url(database, proxy))
    proxied = Database.for_serving(serving)
    transport = httpx.ASGITransport(app=create_app(serving, proxied))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        api = Api(client, serving)
        warm = await asyncio.gather(*(api.query(SESSIONS, variables, user=owner) for _ in range(3)))
        assert all("errors" not in body for body in warm)

        proxy.flowing.clear()
        in_flight = [
            asyncio.create_task(api.post(SESSIONS, variables, user=owner)) for _ in range(2)
        ]
        await asyncio.sleep(0.3)  # the requests hold pooled connections, stalled
        probes = [await timed(client.get("/readyz")) for _ in range(2)]
        proxy.flowing.set()
        ready = await client.get("/readyz")
        await asyncio.gather(*in_flight)
    await proxied.dispose()

    for response, seconds in probes:
        assert response.status_code == 503 and seconds < 2, (response.text, seconds)
        assert response.json() == {"status": "unavailable", "database": "down"}
    assert ready.status_code == 200
