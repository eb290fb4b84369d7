"""Subscription.runEvents against a live server: events written by plain SQL as the
platform's runtime writes them arrive typed, in log order across runs, exactly once, also
across a reconnect with the last cursor; over WebSocket and multipart HTTP."""

import asyncio
import json
import uuid
from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import bindparam, select, text, update
from starlette.applications import Starlette

from auth.tokens import issue_token
from db.engine import Database
from db.models import AgentRun, AgentRunEvent, ChatSession
from db.types import GUID, UTCDateTime
from settings import Settings
from tests.factories import Factory
from tests.subscriptions.client import MULTIPART_ACCEPT, multipart_parts, ws_connection
from tests.subscriptions.world import World, make_world, now

RUN_EVENTS = """
subscription Activity($sessionId: ID!, $after: String) {
  runEvents(sessionId: $sessionId, after: $after) {
    __typename id runId cursor
    ... on RunThinking { content }
    ... on RunProgress { content }
    ... on RunToolCall { name status }
    ... on RunLifecycle { event runStatus }
  }
}
"""
TIMEOUT = 10


async def insert_event_sql(
    database: Database,
    run: AgentRun,
    event_type: str,
    payload: dict[str, Any],
    created_at: datetime,
) -> uuid.UUID:
    """An event row by plain SQL, as the runtime inserts it (`checkpoint_side_effects.py`:
    its own id, summary, idempotency key and created_at, in a transaction of its own)."""
    id = uuid.uuid4()
    platform = database.dialect == "postgresql"
    columns = "id, run_id, tenant_id, agent_id, event_type, payload, created_at"
    values = ":id, :run_id, :tenant_id, :agent_id, :event_type, :payload, :created_at"
    if platform:
        columns += ", summary, idempotency_key"
        values = values.replace(":payload", "CAST(:payload AS jsonb)")
        values += ", :summary, :key"
    statement = text(f"INSERT INTO agent_run_events ({columns}) VALUES ({values})").bindparams(
        bindparam("id", type_=GUID()),
        bindparam("run_id", type_=GUID()),
        bindparam("tenant_id", type_=GUID()),
        bindparam("agent_id", type_=GUID()),
        bindparam("created_at", type_=UTCDateTime()),
    )
    params = {
        "id": id,
        "run_id": run.id,
        "tenant_id": run.tenant_id,
        "agent_id": run.agent_id,
        "event_type": event_type,
        "payload": json.dumps(payload),
        "created_at": created_at,
    }
    if platform:
        params |= {"summary": f"Runtime {event_type}", "key": f"activity:{id}"}
    async with database.transaction() as db:
        await db.execute(statement, params)
    return id


def _thinking(n: int) -> dict[str, Any]:
    return {"status": "running", "activity_type": "thinking", "content": f"thought {n}"}


async def _log_order(database: Database, session: ChatSession) -> list[str]:
    """The ids of the session's events, in the log's own order."""
    statement = (
        select(AgentRunEvent.id)
        .join(AgentRun, AgentRun.id == AgentRunEvent.run_id)
        .where(AgentRun.session_id == session.id, AgentRunEvent.event_type != "run_created")
        .order_by(AgentRunEvent.created_at, AgentRunEvent.id)
    )
    async with database.session() as db:
        return [str(id) for id in (await db.scalars(statement)).all()]


async def _runs(factory: Factory, world: World) -> tuple[AgentRun, AgentRun]:
    first = await factory.chat_run(world.chat, lane_held=False, created_at=now(-30))
    second = await factory.chat_run(world.chat, created_at=now(-30))
    return first, second


async def test_sql_events_arrive_in_order_exactly_once_across_a_reconnect(
    live_url: str, factory: Factory, settings: Settings, database: Database
) -> None:
    world = await make_world(factory)
    runs = await _runs(factory, world)
    token = issue_token(world.cleo.id, settings)
    variables = {"sessionId": str(world.chat.id)}
    received: list[dict[str, Any]] = []

    async with ws_connection(live_url, token) as ws:
        id = await ws.subscribe(RUN_EVENTS, variables)
        await asyncio.sleep(0.3)  # live: without a cursor, only events from now on
        for n in range(4):  # the two runs interleave
            await insert_event_sql(database, runs[n % 2], "status_changed", _thinking(n), now())
        async with asyncio.timeout(TIMEOUT):
            received += [(await ws.next_data(id))["runEvents"] for _ in range(4)]
    start = now()
    for n in range(4, 8):  # while away; two share a time, ordered by id
        at = start if n >= 6 else now()
        await insert_event_sql(database, runs[n % 2], "status_changed", _thinking(n), at)

    async with ws_connection(live_url, token) as ws:
        id = await ws.subscribe(RUN_EVENTS, {**variables, "after": received[-1]["cursor"]})
        async with asyncio.timeout(TIMEOUT):
            received += [(await ws.next_data(id))["runEvents"] for _ in range(4)]
        await insert_event_sql(database, runs[1], "run_completed", {"status": "completed"}, now())
        async with asyncio.timeout(TIMEOUT):
            received.append((await ws.next_data(id))["runEvents"])
        with pytest.raises(TimeoutError):  # nothing twice
            async with asyncio.timeout(0.5):
                await ws.next_data(id)

    assert [event["id"] for event in received] == await _log_order(database, world.chat)
    assert [event.get("content") for event in received[:4]] == [f"thought {n}" for n in range(4)]
    assert {event["runId"] for event in received} == {str(run.id) for run in runs}
    assert received[-1] == received[-1] | {"event": "COMPLETED", "runStatus": "COMPLETED"}


async def test_a_cursor_replays_what_the_run_log_holds_after_it(
    live_url: str, factory: Factory, settings: Settings
) -> None:
    """A page's cursor (Run.events) resumes the stream: the events after it come first."""
    world = await make_world(factory)
    run = await factory.chat_run(world.chat, created_at=now(-20))
    first = await factory.thinking(run, "one", created_at=now(-10))
    await factory.tool_call(run, "search", "call-1", created_at=now(-9))
    await factory.progress(run, "two", created_at=now(-8))
    page = await _run_events_page(live_url, world, settings)
    cursor = next(node["cursor"] for node in page if node["id"] == str(first.id))

    async with ws_connection(live_url, issue_token(world.cleo.id, settings)) as ws:
        id = await ws.subscribe(RUN_EVENTS, {"sessionId": str(world.chat.id), "after": cursor})
        async with asyncio.timeout(TIMEOUT):
            replayed = [(await ws.next_data(id))["runEvents"] for _ in range(2)]

    assert [event["__typename"] for event in replayed] == ["RunToolCall", "RunProgress"]


async def _run_events_page(live_url: str, world: World, settings: Settings) -> list[dict]:
    document = """
    query Page($agentId: ID!, $sessionId: ID!) {
      agent(id: $agentId) { session(id: $sessionId) {
        runs(first: 1) { nodes { events { nodes { id cursor } } } }
      } }
    }"""
    variables = {"agentId": str(world.atlas.id), "sessionId": str(world.chat.id)}
    async with httpx.AsyncClient(base_url=live_url) as client:
        response = await client.post(
            "/graphql",
            json={"query": document, "variables": variables},
            headers={"Authorization": f"Bearer {issue_token(world.cleo.id, settings)}"},
        )
    runs = response.json()["data"]["agent"]["session"]["runs"]["nodes"]
    return runs[0]["events"]["nodes"]


async def test_a_deleted_session_completes_the_subscription(
    live_url: str, factory: Factory, settings: Settings, database: Database
) -> None:
    world = await make_world(factory)
    async with ws_connection(live_url, issue_token(world.cleo.id, settings)) as ws:
        id = await ws.subscribe(RUN_EVENTS, {"sessionId": str(world.chat.id)})
        await asyncio.sleep(0.2)
        async with database.transaction() as db:
            await db.execute(
                update(ChatSession)
                .where(ChatSession.id == world.chat.id)
                .values(deleted_at=now(), updated_at=now())
            )
        async with asyncio.timeout(TIMEOUT):
            message = await ws.receive()

    assert message == {"id": id, "type": "complete"}


@pytest.mark.parametrize(("who", "code"), [("dan", "FORBIDDEN"), ("stranger", "NOT_FOUND")])
async def test_access_is_that_of_the_sessions_messages(
    live_url: str, factory: Factory, settings: Settings, who: str, code: str
) -> None:
    world = await make_world(factory)
    user = world.dan if who == "dan" else await factory.user(await factory.tenant("Other"))
    async with ws_connection(live_url, issue_token(user.id, settings)) as ws:
        id = await ws.subscribe(RUN_EVENTS, {"sessionId": str(world.chat.id)})
        async with asyncio.timeout(TIMEOUT):
            message = await ws.receive()

    assert message["id"] == id
    assert message["type"] == "error"
    assert message["payload"][0]["extensions"]["code"] == code


async def test_multipart_http_streams_run_events(
    live_url: str, factory: Factory, settings: Settings, database: Database
) -> None:
    world = await make_world(factory)
    run = await factory.chat_run(world.chat, created_at=now(-5))
    headers = {
        "Authorization": f"Bearer {issue_token(world.cleo.id, settings)}",
        "Accept": MULTIPART_ACCEPT,
    }
    body = {"query": RUN_EVENTS, "variables": {"sessionId": str(world.chat.id)}}
    async with (
        httpx.AsyncClient(base_url=live_url, timeout=TIMEOUT) as client,
        client.stream("POST", "/graphql", json=body, headers=headers) as response,
    ):
        parts = multipart_parts(response)
        await asyncio.sleep(0.2)
        await insert_event_sql(database, run, "status_changed", _thinking(1), now())
        async with asyncio.timeout(TIMEOUT):
            part = await anext(parts)

    assert part["payload"]["data"]["runEvents"]["content"] == "thought 1"


async def test_one_statement_per_tick_for_every_subscribed_session(
    live_url: str, live_app: Starlette, factory: Factory, settings: Settings
) -> None:
    """Five sessions followed at once: each tick reads all of them in one statement (and
    each access re-check, one more for all five)."""
    world = await make_world(factory)
    sessions = [await factory.session(world.atlas, world.cleo, messages=1) for _ in range(5)]
    broker = live_app.state.live
    async with ws_connection(live_url, issue_token(world.cleo.id, settings)) as ws:
        for session in sessions:
            await ws.subscribe(RUN_EVENTS, {"sessionId": str(session.id)})
        for _ in range(int(TIMEOUT / 0.05)):  # five ticks and a re-check, however loaded
            if broker.stats.ticks >= 5 and broker.stats.rechecks >= 1:
                break
            await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)  # the poller stops with its last subscriber

    assert broker.count == 0
    assert broker.stats.ticks >= 5
    assert broker.stats.rechecks >= 1
    assert broker.stats.statements == broker.stats.ticks + broker.stats.rechecks


async def test_subscriptions_starting_during_a_poll_stay_live(
    live_url: str, factory: Factory, settings: Settings
) -> None:
    """A session watched from the middle of a tick's statement is not in that statement's
    answer: that is not a deletion (found by bench/run_events.py)."""
    world = await make_world(factory)
    sessions = [await factory.session(world.atlas, world.cleo, messages=1) for _ in range(40)]
    async with ws_connection(live_url, issue_token(world.cleo.id, settings)) as ws:
        for session in sessions:
            await ws.subscribe(RUN_EVENTS, {"sessionId": str(session.id)})
            await asyncio.sleep(0.01)
        with pytest.raises(TimeoutError):  # no `complete`, nor anything else
            async with asyncio.timeout(1):
                message = await ws.receive()
                pytest.fail(f"unexpected {message}")
