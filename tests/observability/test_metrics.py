"""/metrics: scraped after real requests over HTTP and WebSocket, read with the library's parser.

The metrics are the process's own (prometheus-client's registry), shared by every app a
test builds, so each test compares a scrape after with one before.
"""

import asyncio
import dataclasses
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from auth.tokens import issue_token
from db.engine import Database
from db.models import User
from observability.metrics import exposition
from server import create_app
from settings import Settings
from tests.api import Api, count_statements
from tests.clients.live_server import live_server
from tests.factories import Factory
from tests.observability.scrape import Scrape, scrape
from tests.subscriptions.client import ws_connection
from tests.subscriptions.world import insert_message_sql, make_world
from tests.web.test_overload import HeldApp, client_for
from web.admission import Admission

OPERATIONS = Path(__file__).resolve().parents[2] / "clients/operations"
SESSION_LIST = (OPERATIONS / "session_list.graphql").read_text()
VIEWER = (OPERATIONS / "viewer.graphql").read_text()
MESSAGE_ADDED = """
subscription Live($sessionId: ID!) { messageAdded(sessionId: $sessionId) { id content } }
"""
REQUESTS = "chat_api_request_duration_seconds_count"


@pytest.fixture
def metered(settings: Settings) -> Settings:
    return dataclasses.replace(settings, metrics=True)


@pytest.fixture
async def client(database: Database, metered: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(metered, database)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        yield client


def bearer(user: User, settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(user.id, settings)}"}


async def test_metrics_are_not_served_unless_turned_on(api: Api) -> None:
    """Off by default: /metrics is not public unless METRICS=true."""
    response = await api.client.get("/metrics")

    assert response.status_code == 404


async def test_requests_are_counted_by_operation_and_outcome(
    client: httpx.AsyncClient, database: Database, factory: Factory, metered: Settings
) -> None:
    """Each GraphQL request over HTTP counts once under its operation and outcome, with
    its latency and its SQL statements."""
    world = await make_world(factory)
    variables = {"agentId": str(world.atlas.id), "scope": "ALL", "first": 10}
    before = await scrape(client)

    with count_statements(database) as statements:
        listed = await client.post(
            "/graphql",
            json={"query": SESSION_LIST, "variables": variables},
            headers=bearer(world.ada, metered),
        )
    assert listed.status_code == 200 and "errors" not in listed.json()
    unauthenticated = await client.post("/graphql", json={"query": VIEWER})
    assert unauthenticated.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    await client.post("/graphql", json={"query": "query Mine { __typename }"})
    await client.post("/graphql", json={"query": "{ __typename }"})
    await client.post("/graphql", content="{", headers={"Content-Type": "application/json"})
    await client.get("/healthz")  # not a GraphQL request: not counted
    after = await scrape(client)

    def delta(name: str, **labels: str) -> float:
        return after.value(name, **labels) - before.value(name, **labels)

    assert delta(REQUESTS, operation="SessionList", outcome="ok") == 1
    assert delta(REQUESTS, operation="Viewer", outcome="errors") == 1
    assert delta(REQUESTS, operation="other", outcome="ok") == 1
    assert delta(REQUESTS, operation="anonymous", outcome="ok") == 1
    assert delta(REQUESTS, operation="anonymous", outcome="http_400") == 1
    counted = sum(
        value - before.samples.get(key, 0.0)
        for key, value in after.samples.items()
        if key[0] == REQUESTS
    )
    assert counted == 5
    latency = "chat_api_request_duration_seconds_bucket"
    assert delta(latency, operation="SessionList", outcome="ok", le="+Inf") == 1
    assert delta("chat_api_request_duration_seconds_sum", operation="SessionList", outcome="ok") > 0
    assert len(statements) >= 3
    sql = "chat_api_request_sql_statements"
    assert delta(f"{sql}_sum", operation="SessionList") == len(statements)
    assert delta(f"{sql}_count", operation="SessionList") == 1
    assert delta(f"{sql}_sum", operation="Viewer") == 0


async def test_operation_labels_stay_bounded(client: httpx.AsyncClient) -> None:
    """Names the server does not know all count as `other`: a client cannot add series."""
    before = await scrape(client)

    for number in range(25):
        await client.post("/graphql", json={"query": f"query Made{number} {{ __typename }}"})

    after = await scrape(client)
    assert not any(label.startswith("Made") for label in after.labels(REQUESTS, "operation"))
    other = after.value(REQUESTS, operation="other", outcome="ok")
    assert other - before.value(REQUESTS, operation="other", outcome="ok") == 25


async def test_apq_hits_and_misses_are_counted(client: httpx.AsyncClient) -> None:
    """A hash the server does not hold is a miss; once registered, the same hash is a hit."""
    document = "query Apq { __typename }"
    digest = hashlib.sha256(document.encode()).hexdigest()
    by_hash = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
    before = await scrape(client)

    missed = await client.post("/graphql", json=by_hash)
    registered = await client.post("/graphql", json={**by_hash, "query": document})
    hit = await client.post("/graphql", json=by_hash)

    assert missed.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert registered.json() == hit.json() == {"data": {"__typename": "Query"}}
    after = await scrape(client)
    name = "chat_api_apq_lookups_total"
    assert after.value(name, result="miss") - before.value(name, result="miss") == 1
    assert after.value(name, result="hit") - before.value(name, result="hit") == 1


async def test_pool_connections_in_use_and_waiting(database: Database, settings: Settings) -> None:
    """A pool of one: one connection checked out, and a second caller waiting for it."""
    url = database.engine.url.render_as_string(hide_password=False)
    small = dataclasses.replace(
        settings, database_url=url, db_pool_size=1, db_max_overflow=0, db_pool_timeout=10
    )
    serving = Database.for_serving(small)
    try:
        async with serving.engine.connect():
            waiter = asyncio.create_task(serving.engine.connect().start())
            await asyncio.sleep(0.2)
            busy = Scrape(exposition().decode())
            assert (
                busy.value("chat_api_db_pool_connections_in_use"),
                busy.value("chat_api_db_pool_waiting"),
            ) == (1, 1)
        second = await waiter
        await second.close()
        idle = Scrape(exposition().decode())
        assert (
            idle.value("chat_api_db_pool_connections_in_use"),
            idle.value("chat_api_db_pool_waiting"),
        ) == (0, 0)
    finally:
        await serving.dispose()


async def test_admission_queue_length_and_refusals(settings: Settings) -> None:
    """One slot taken: the next request waits in the queue, then is refused as busy."""
    held = HeldApp()
    admission = Admission(held, dataclasses.replace(settings, max_in_flight=1, queue_timeout=0.5))
    before = Scrape(exposition().decode())
    async with client_for(admission) as http:
        running = asyncio.create_task(http.post("/graphql", json={}))
        await held.started.get()
        queued = asyncio.create_task(http.post("/graphql", json={}))
        await asyncio.sleep(0.1)
        waiting = Scrape(exposition().decode())
        refused = await queued
        held.release.set()
        await running
    after = Scrape(exposition().decode())

    assert waiting.value("chat_api_admission_queue_length") == 1
    assert refused.status_code == 503
    assert after.value("chat_api_admission_queue_length") == 0
    name = "chat_api_admission_refusals_total"
    assert after.value(name, reason="busy") - before.value(name, reason="busy") == 1


TICKS = "chat_api_live_poll_tick_seconds_count"


async def test_websockets_subscriptions_and_poll_ticks(
    database: Database, factory: Factory, metered: Settings
) -> None:
    """A WebSocket with a live subscription shows in the gauges while it is open; the
    poller's ticks and their lag are timed; all of it is gone once the client leaves."""
    live = dataclasses.replace(metered, live_poll_interval=0.05, ws_keep_alive=0.5)
    app = create_app(live, database)
    world = await make_world(factory)
    async with live_server(app) as url, httpx.AsyncClient(base_url=url) as http:
        before = await scrape(http)
        async with ws_connection(url, issue_token(world.cleo.id, live)) as ws:
            id = await ws.subscribe(MESSAGE_ADDED, {"sessionId": str(world.chat.id)})
            await asyncio.sleep(0.3)
            await insert_message_sql(database, world.chat, "hello")
            assert (await ws.next_data(id))["messageAdded"]["content"] == "hello"
            for _ in range(100):  # a loaded machine may have ticked only once or twice yet
                during = await scrape(http)
                if during.value(TICKS) - before.value(TICKS) >= 3:
                    break
                await asyncio.sleep(0.05)
        for _ in range(50):  # the server notices the close a moment later
            after = await scrape(http)
            if after.value("chat_api_subscriptions_active") == before.value(
                "chat_api_subscriptions_active"
            ):
                break
            await asyncio.sleep(0.05)
    await app.state.live.close()

    for gauge in ("chat_api_websockets_open", "chat_api_subscriptions_active"):
        assert during.value(gauge) - before.value(gauge) == 1, gauge
        assert after.value(gauge) == before.value(gauge), gauge
    assert during.value(TICKS) - before.value(TICKS) >= 3
    lag = "chat_api_live_poll_lag_seconds_count"
    assert during.value(lag) - before.value(lag) >= 1
