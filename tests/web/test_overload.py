"""Back-pressure: a busy server answers 503 with Retry-After at once, never a late 500.

The admission rules run over a stand-in app whose requests wait on an event, so a test
decides how many are in flight; the pool rule runs over the real app and database.
"""

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import exc
from starlette.types import Receive, Scope, Send

from db.engine import ConnectTimeout, Database
from db.failures import database_failure
from server import create_app
from settings import Settings
from tests.api import Api, error_codes
from tests.factories import Factory
from web.admission import Admission

VIEWER = "{ viewer { id } }"
SESSIONS = "query S($agent: ID!) { agent(id: $agent) { sessions { nodes { title } } } }"
CREATE = 'mutation C($agent: ID!) { createSession(agentId: $agent, title: "x") { __typename } }'


class HeldApp:
    """An ASGI app whose requests finish when the test lets them, or after `delay`."""

    def __init__(self, delay: float | None = None) -> None:
        self.release = asyncio.Event()
        self.started: asyncio.Queue[None] = asyncio.Queue()
        self.delay = delay

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = b""
        while (message := await receive())["type"] == "http.request":
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if scope["path"] == "/graphql":
            self.started.put_nowait(None)
            await (self.release.wait() if self.delay is None else asyncio.sleep(self.delay))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body or b"ok"})


def client_for(app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def limits(settings: Settings, **changes: Any) -> Settings:
    return dataclasses.replace(settings, **changes)


async def test_requests_up_to_the_in_flight_cap_run(settings: Settings) -> None:
    """Two slots, two requests: both run at once."""
    held = HeldApp()
    async with client_for(Admission(held, limits(settings, max_in_flight=2))) as client:
        requests = [asyncio.create_task(client.post("/graphql", json={})) for _ in range(2)]
        for _ in requests:
            await held.started.get()
        held.release.set()
        responses = await asyncio.gather(*requests)

    assert [response.status_code for response in responses] == [200, 200]


async def test_a_request_over_the_cap_is_refused_with_503_and_retry_after(
    settings: Settings,
) -> None:
    """Two slots taken: a third waits `queue_timeout`, then gets a GraphQL 503."""
    held = HeldApp()
    admission = Admission(held, limits(settings, max_in_flight=2, queue_timeout=0.1))
    async with client_for(admission) as client:
        requests = [asyncio.create_task(client.post("/graphql", json={})) for _ in range(2)]
        for _ in requests:
            await held.started.get()
        started = asyncio.get_running_loop().time()
        refused = await client.post(
            "/graphql", json={}, headers={"Accept": "application/graphql-response+json"}
        )
        waited = asyncio.get_running_loop().time() - started
        probe = await client.get("/healthz")
        held.release.set()
        await asyncio.gather(*requests)

    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "1"
    assert refused.headers["content-type"] == "application/graphql-response+json; charset=utf-8"
    assert error_codes(refused.json()) == ["SERVICE_UNAVAILABLE"]
    assert "data" not in refused.json()
    assert 0.1 <= waited < 1
    assert probe.status_code == 200  # probes do not queue


async def test_a_queued_request_runs_when_a_slot_frees_in_time(settings: Settings) -> None:
    held = HeldApp(delay=0.05)
    admission = Admission(held, limits(settings, max_in_flight=1, queue_timeout=1))
    async with client_for(admission) as client:
        responses = await asyncio.gather(*(client.post("/graphql", json={}) for _ in range(3)))

    assert [response.status_code for response in responses] == [200, 200, 200]


@pytest.mark.parametrize(
    ("delay", "status"),
    [pytest.param(0.05, 200, id="just-within"), pytest.param(1.0, 504, id="past-the-deadline")],
)
async def test_the_request_deadline(settings: Settings, delay: float, status: int) -> None:
    admission = Admission(HeldApp(delay=delay), limits(settings, request_timeout=0.3))
    async with client_for(admission) as client:
        response = await client.post("/graphql", json={})

    assert response.status_code == status
    if status == 504:
        assert error_codes(response.json()) == ["DEADLINE_EXCEEDED"]


@pytest.mark.parametrize(
    ("pause", "status"),
    [pytest.param(0.01, 200, id="in-time"), pytest.param(0.2, 408, id="too-slow")],
)
async def test_the_body_must_arrive_within_the_body_timeout(
    settings: Settings, pause: float, status: int
) -> None:
    """Five chunks, `pause` apart, against a 0.3 s body timeout."""

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(5):
            await asyncio.sleep(pause)
            yield b"x"

    admission = Admission(HeldApp(delay=0), limits(settings, body_timeout=0.3))
    async with client_for(admission) as client:
        response = await client.post("/graphql", content=chunks())

    assert response.status_code == status
    if status == 408:
        assert response.headers["connection"] == "close"
        assert error_codes(response.json()) == ["BAD_USER_INPUT"]
    else:
        assert response.content == b"xxxxx"


@pytest.fixture
async def small_pool(database: Database, settings: Settings) -> AsyncIterator[Database]:
    """A server's database with one connection and a 0.2 s wait for it."""
    url = database.engine.url.render_as_string(hide_password=False)
    serving = limits(
        settings, database_url=url, db_pool_size=1, db_max_overflow=0, db_pool_timeout=0.2
    )
    small = Database.for_serving(serving)
    yield small
    await small.dispose()


async def test_an_exhausted_pool_answers_503_with_retry_after(
    small_pool: Database, settings: Settings, factory: Factory
) -> None:
    """While the only connection is taken, queries and mutations are refused, not run."""
    owner = await factory.user(await factory.tenant(), role="org_admin")
    agent = await factory.agent(owner)
    await factory.session(agent, owner, messages=1, title="Kept")
    app = create_app(settings, small_pool)
    async with client_for(app) as client:
        api = Api(client, settings)
        variables = {"agent": str(agent.id)}
        served = await api.post(SESSIONS, variables, user=owner)

        async with small_pool.engine.connect() as held:
            await held.exec_driver_sql("SELECT 1")
            started = asyncio.get_running_loop().time()
            busy_query = await api.post(SESSIONS, variables, user=owner)
            busy_mutation = await api.post(CREATE, variables, user=owner)
            waited = asyncio.get_running_loop().time() - started

        after = await api.post(SESSIONS, variables, user=owner)

    assert served.status_code == 200 and "errors" not in served.json()
    for response in (busy_query, busy_mutation):
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"] == "1"
        assert response.json() == {
            "errors": [
                {
                    "message": "The server is busy: retry shortly.",
                    "extensions": {"code": "SERVICE_UNAVAILABLE"},
                }
            ]
        }
    assert waited < 2
    assert after.json() == served.json()  # and the refused mutation created nothing


class _DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("error", "code"),
    [
        pytest.param(exc.TimeoutError("pool"), "SERVICE_UNAVAILABLE", id="pool-timeout"),
        pytest.param(
            exc.DBAPIError("SELECT 1", {}, _DriverError("53300")),
            "SERVICE_UNAVAILABLE",
            id="too-many-connections",
        ),
        pytest.param(ConnectTimeout(), "DATABASE_CONNECT_TIMEOUT", id="connect-timeout"),
        pytest.param(TimeoutError(), "STATEMENT_TIMEOUT", id="command-timeout"),
        pytest.param(
            exc.DBAPIError("SELECT 1", {}, _DriverError("57014")),
            "STATEMENT_TIMEOUT",
            id="statement-timeout",
        ),
        pytest.param(
            exc.DBAPIError("SELECT 1", {}, _DriverError("23505")), None, id="other-database-error"
        ),
    ],
)
def test_each_database_failure_has_its_code(error: Exception, code: str | None) -> None:
    failure = database_failure(error)

    assert (failure[0] if failure else None) == code
