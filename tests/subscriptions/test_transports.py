"""Multipart HTTP subscriptions, and the limits of both transports."""

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import insert
from websockets.exceptions import ConnectionClosed

from auth.tokens import issue_token
from db.engine import Database
from db.models import ChatMessage
from server import create_app
from settings import Settings
from tests.clients.live_server import live_server
from tests.factories import Factory
from tests.subscriptions.client import MULTIPART_ACCEPT, multipart_parts, ws_connection
from tests.subscriptions.test_message_added import MESSAGE_ADDED
from tests.subscriptions.world import make_world, now

TIMEOUT = 10


async def test_multipart_http_replays_then_streams_live_messages(
    live_url: str, factory: Factory, settings: Settings
) -> None:
    """POST with Apollo's Accept header: one part per message, heartbeats aside."""
    world = await make_world(factory)
    headers = {
        "Authorization": f"Bearer {issue_token(world.cleo.id, settings)}",
        "Accept": MULTIPART_ACCEPT,
    }
    body = {"query": MESSAGE_ADDED, "variables": {"sessionId": str(world.chat.id)}}
    async with (
        httpx.AsyncClient(base_url=live_url, timeout=TIMEOUT) as client,
        client.stream("POST", "/graphql", json=body, headers=headers) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("multipart/mixed;boundary=graphql")
        parts = multipart_parts(response)
        await asyncio.sleep(0.2)
        await factory.message(world.chat, "assistant", "over HTTP", created_at=now())
        async with asyncio.timeout(TIMEOUT):
            part = await anext(parts)

    assert part["payload"]["data"]["messageAdded"]["content"] == "over HTTP"


async def test_multipart_http_answers_an_error_for_another_tenant(
    live_url: str, factory: Factory, settings: Settings
) -> None:
    """Access is checked before the stream starts: one part with NOT_FOUND."""
    world = await make_world(factory)
    globex = await factory.tenant("Globex")
    gina = await factory.user(globex)
    headers = {
        "Authorization": f"Bearer {issue_token(gina.id, settings)}",
        "Accept": MULTIPART_ACCEPT,
    }
    body = {"query": MESSAGE_ADDED, "variables": {"sessionId": str(world.chat.id)}}
    async with httpx.AsyncClient(base_url=live_url, timeout=TIMEOUT) as client:
        response = await client.post("/graphql", json=body, headers=headers)

    assert response.status_code == 200
    assert '"code":"NOT_FOUND"' in response.text
    assert '"content"' not in response.text


async def test_a_subscription_over_plain_http_says_where_to_go(
    live_url: str, factory: Factory, settings: Settings
) -> None:
    """Without the multipart Accept header, the error names both transports."""
    world = await make_world(factory)
    headers = {"Authorization": f"Bearer {issue_token(world.cleo.id, settings)}"}
    body = {"query": MESSAGE_ADDED, "variables": {"sessionId": str(world.chat.id)}}
    async with httpx.AsyncClient(base_url=live_url) as client:
        response = await client.post("/graphql", json=body, headers=headers)

    assert "graphql-transport-ws" in response.json()["errors"][0]["message"]


@pytest.fixture
async def limited_url(database: Database, live_settings: Settings) -> AsyncIterator[str]:
    limited = dataclasses.replace(
        live_settings,
        max_subscriptions_per_connection=2,
        max_subscriptions=3,
        live_buffer=20,
        max_query_cost=6,
    )
    app = create_app(limited, database)
    async with live_server(app) as url:
        yield url
    await app.state.live.close()


SMALL = "subscription($s: ID!) { messageAdded(sessionId: $s) { id } }"
COSTLY = """subscription($s: ID!) {
  messageAdded(sessionId: $s) { id content role thinking cursor createdAt }
}"""


async def test_the_caps_per_connection_and_per_process(
    limited_url: str, factory: Factory, settings: Settings
) -> None:
    """Two per connection, three per process: one more is an error with a code."""
    world = await make_world(factory)
    token = issue_token(world.cleo.id, settings)
    variables = {"s": str(world.chat.id)}
    async with (
        ws_connection(limited_url, token) as first,
        ws_connection(limited_url, token) as second,
    ):
        await first.subscribe(SMALL, variables)
        await first.subscribe(SMALL, variables)
        third = await first.subscribe(SMALL, variables)
        per_connection = await first.receive()
        await second.subscribe(SMALL, variables)
        await asyncio.sleep(0.2)
        fifth = await second.subscribe(SMALL, variables)
        per_process = await second.receive()

    assert per_connection["id"] == third and per_connection["type"] == "error"
    assert per_connection["payload"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert per_process["id"] == fifth and per_process["type"] == "error"
    assert per_process["payload"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert "3 subscriptions" in per_process["payload"][0]["message"]


async def test_each_events_selection_is_priced_by_the_cost_limit(
    limited_url: str, factory: Factory, settings: Settings
) -> None:
    """A selection over the cost limit is refused at subscribe time, with its cost."""
    world = await make_world(factory)
    async with ws_connection(limited_url, issue_token(world.cleo.id, settings)) as ws:
        id = await ws.subscribe(COSTLY, {"s": str(world.chat.id)})
        refused = await ws.receive()

    assert refused["id"] == id and refused["type"] == "error"
    assert refused["payload"][0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "cost": 7,
        "maxCost": 6,
    }


async def test_a_slow_consumer_is_disconnected_without_slowing_others(
    limited_url: str, factory: Factory, settings: Settings, database: Database
) -> None:
    """More events than its buffer (20) wait for one subscriber: its connection is closed
    with 1008 and a reason; a subscriber of another session goes on receiving."""
    world = await make_world(factory)
    quiet = await factory.session(world.atlas, world.cleo)
    token = issue_token(world.cleo.id, settings)
    async with (
        ws_connection(limited_url, token) as slow,
        ws_connection(limited_url, token) as other,
    ):
        await slow.subscribe(SMALL, {"s": str(world.chat.id)})
        other_id = await other.subscribe(SMALL, {"s": str(quiet.id)})
        await asyncio.sleep(0.2)
        flood = [
            {
                "id": uuid.uuid4(),
                "role": "assistant",
                "content": f"flood {n}",
                "conversation_id": str(world.chat.id),
                "created_at": now(),
            }
            for n in range(50)
        ]
        async with database.transaction() as db:
            await db.execute(insert(ChatMessage), flood)
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(TIMEOUT):
                while True:
                    await slow.receive()
        await factory.message(quiet, "assistant", "still here", created_at=now())
        async with asyncio.timeout(TIMEOUT):
            event = await other.next_data(other_id)

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1008
    assert closed.value.rcvd.reason.startswith("Too slow")
    assert event["messageAdded"]["id"]


async def test_the_server_sends_keep_alive_pings(
    live_url: str, factory: Factory, settings: Settings
) -> None:
    """An idle connection gets a `ping` every ws_keep_alive seconds (0.5 here)."""
    world = await make_world(factory)
    async with ws_connection(live_url, issue_token(world.cleo.id, settings)) as ws:
        async with asyncio.timeout(TIMEOUT):
            message = await ws.receive(skip_pings=False)

    assert message == {"type": "ping"}


async def test_multipart_ends_with_unauthenticated_when_the_token_expires(
    live_url: str, factory: Factory, settings: Settings
) -> None:
    """The stream's last part is an UNAUTHENTICATED error, then it completes."""
    world = await make_world(factory)
    token = issue_token(world.cleo.id, settings, lifetime=timedelta(seconds=2))
    headers = {"Authorization": f"Bearer {token}", "Accept": MULTIPART_ACCEPT}
    body = {"query": MESSAGE_ADDED, "variables": {"sessionId": str(world.chat.id)}}
    async with (
        httpx.AsyncClient(base_url=live_url, timeout=TIMEOUT) as client,
        client.stream("POST", "/graphql", json=body, headers=headers) as response,
    ):
        async with asyncio.timeout(TIMEOUT):
            parts = [part async for part in multipart_parts(response)]

    codes = [e["extensions"]["code"] for part in parts for e in part["payload"].get("errors", [])]
    assert codes == ["UNAUTHENTICATED"]
