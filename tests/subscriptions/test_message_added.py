"""Subscription.messageAdded over WebSocket (graphql-transport-ws), against a live server."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import insert, update
from websockets.exceptions import ConnectionClosed

from auth.tokens import issue_token
from db.engine import Database
from db.models import ChatMessage, ChatSession
from settings import Settings
from tests.factories import Factory
from tests.subscriptions.client import Connection, ws_connection
from tests.subscriptions.world import World, insert_message_sql, make_world, now

MESSAGE_ADDED = """
subscription Live($sessionId: ID!, $after: String) {
  messageAdded(sessionId: $sessionId, after: $after) { id content role cursor senderName }
}
"""
CHAT_VIEW = """
query Chat($agentId: ID!, $sessionId: ID!) {
  agent(id: $agentId) { session(id: $sessionId) { messages { edges { cursor node { content } } } } }
}
"""
TIMEOUT = 10


async def query(url: str, token: str, document: str, variables: dict) -> dict:
    async with httpx.AsyncClient(base_url=url) as client:
        response = await client.post(
            "/graphql",
            json={"query": document, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
    return response.json()


@asynccontextmanager
async def subscribed_to_chat(
    live_url: str, world: World, settings: Settings
) -> AsyncIterator[tuple[Connection, str]]:
    """Cleo's connection, with messageAdded live on her chat, and the subscription's id."""
    async with ws_connection(live_url, issue_token(world.cleo.id, settings)) as ws:
        id = await ws.subscribe(MESSAGE_ADDED, {"sessionId": str(world.chat.id)})
        await asyncio.sleep(0.2)  # the subscription is live
        yield ws, id


async def test_replays_after_the_cursor_then_sends_live_messages(
    live_url: str, factory: Factory, settings: Settings
) -> None:
    """From the first message's cursor: the second is replayed, then a new one arrives once."""
    world = await make_world(factory)
    token = issue_token(world.cleo.id, settings)
    page = await query(
        live_url,
        token,
        CHAT_VIEW,
        {"agentId": str(world.atlas.id), "sessionId": str(world.chat.id)},
    )
    first_cursor = page["data"]["agent"]["session"]["messages"]["edges"][0]["cursor"]

    async with ws_connection(live_url, token) as ws:
        id = await ws.subscribe(
            MESSAGE_ADDED, {"sessionId": str(world.chat.id), "after": first_cursor}
        )
        async with asyncio.timeout(TIMEOUT):
            replayed = (await ws.next_data(id))["messageAdded"]
            await factory.message(world.chat, "assistant", "third", created_at=now())
            live = (await ws.next_data(id))["messageAdded"]

    assert replayed["content"] == "second"
    assert live["content"] == "third"
    assert live["role"] == "ASSISTANT"
    assert live["cursor"] != replayed["cursor"]


async def test_a_reconnecting_client_resumes_from_its_last_cursor(
    live_url: str, factory: Factory, settings: Settings
) -> None:
    """Messages written while it was away arrive when it passes the last cursor it had."""
    world = await make_world(factory)
    token = issue_token(world.cleo.id, settings)
    variables = {"sessionId": str(world.chat.id)}
    async with ws_connection(live_url, token) as ws:
        id = await ws.subscribe(MESSAGE_ADDED, variables)
        await asyncio.sleep(0.2)  # without a cursor, only messages after it started
        await factory.message(world.chat, "user", "before the drop", created_at=now())
        async with asyncio.timeout(TIMEOUT):
            last = (await ws.next_data(id))["messageAdded"]
    for n in range(3):
        await factory.message(world.chat, "assistant", f"while away {n}", created_at=now())

    async with ws_connection(live_url, token) as ws:
        id = await ws.subscribe(MESSAGE_ADDED, {**variables, "after": last["cursor"]})
        async with asyncio.timeout(TIMEOUT):
            resumed = [(await ws.next_data(id))["messageAdded"]["content"] for _ in range(3)]

    assert resumed == ["while away 0", "while away 1", "while away 2"]


async def test_a_message_written_by_plain_sql_arrives(
    live_url: str, factory: Factory, settings: Settings, database: Database
) -> None:
    """A row inserted by another writer (no server involved) reaches the subscriber."""
    world = await make_world(factory)
    async with subscribed_to_chat(live_url, world, settings) as (ws, id):
        message_id = await insert_message_sql(database, world.chat, "from the runtime")
        async with asyncio.timeout(TIMEOUT):
            event = (await ws.next_data(id))["messageAdded"]

    assert event == {**event, "id": str(message_id), "content": "from the runtime"}


async def test_a_late_commit_with_an_earlier_time_is_not_missed(
    live_url: str, factory: Factory, settings: Settings
) -> None:
    """A row whose created_at is older than one already delivered (a transaction that
    committed late) still arrives: the poller re-reads its lookback window."""
    world = await make_world(factory)
    async with subscribed_to_chat(live_url, world, settings) as (ws, id):
        await factory.message(world.chat, "assistant", "newer", created_at=now())
        async with asyncio.timeout(TIMEOUT):
            first = (await ws.next_data(id))["messageAdded"]
            await factory.message(world.chat, "assistant", "late", created_at=now(-1))
            second = (await ws.next_data(id))["messageAdded"]

    assert (first["content"], second["content"]) == ("newer", "late")


async def test_a_burst_of_1000_messages_arrives_complete_and_in_order(
    live_url: str, factory: Factory, settings: Settings, database: Database
) -> None:
    """One transaction writes 1,000 messages; all arrive, in (created_at, id) order."""
    world = await make_world(factory)
    async with subscribed_to_chat(live_url, world, settings) as (ws, id):
        start = now()
        rows = [
            {
                "id": uuid.uuid4(),
                "agent_id": world.atlas.id,
                "role": "assistant",
                "content": f"burst {n}",
                "conversation_id": str(world.chat.id),
                "created_at": start + timedelta(microseconds=n),
            }
            for n in range(1000)
        ]
        async with database.transaction() as db:
            await db.execute(insert(ChatMessage), rows)
        async with asyncio.timeout(30):
            received = [(await ws.next_data(id))["messageAdded"]["content"] for _ in range(1000)]

    assert received == [f"burst {n}" for n in range(1000)]


async def test_a_soft_deleted_session_completes_the_subscription(
    live_url: str, factory: Factory, settings: Settings, database: Database
) -> None:
    """deleted_at set by any writer: the server sends `complete`."""
    await _deletion_completes(live_url, factory, settings, database)


async def test_a_deletion_is_seen_with_the_default_window_too(
    default_window_url: str, factory: Factory, settings: Settings, database: Database
) -> None:
    """With a 60 s window most ticks read the last 5 s only, without the sessions' rows:
    the deletion is read with the whole window, once a second."""
    await _deletion_completes(default_window_url, factory, settings, database)


async def _deletion_completes(
    url: str, factory: Factory, settings: Settings, database: Database
) -> None:
    world = await make_world(factory)
    async with subscribed_to_chat(url, world, settings) as (ws, id):
        async with database.transaction() as db:
            await db.execute(
                update(ChatSession)
                .where(ChatSession.id == world.chat.id)
                .values(deleted_at=now(), updated_at=now())
            )
        async with asyncio.timeout(TIMEOUT):
            message = await ws.receive()

    assert message == {"id": id, "type": "complete"}


@pytest.mark.parametrize("who", ["stranger", "colleague"])
async def test_access_is_refused_at_subscribe_time(
    live_url: str, factory: Factory, settings: Settings, who: str
) -> None:
    """Another tenant's viewer gets NOT_FOUND; a member who does not own it, FORBIDDEN."""
    world = await make_world(factory)
    if who == "stranger":
        globex = await factory.tenant("Globex")
        viewer = await factory.user(globex, role="org_admin")
        expected = "NOT_FOUND"
    else:
        viewer, expected = world.dan, "FORBIDDEN"
    async with ws_connection(live_url, issue_token(viewer.id, settings)) as ws:
        id = await ws.subscribe(MESSAGE_ADDED, {"sessionId": str(world.chat.id)})
        async with asyncio.timeout(TIMEOUT):
            message = await ws.receive()

    assert message["type"] == "error" and message["id"] == id
    assert [error["extensions"]["code"] for error in message["payload"]] == [expected]


async def test_a_bad_cursor_and_no_token_are_errors(
    live_url: str, factory: Factory, settings: Settings
) -> None:
    """A cursor of another session is BAD_USER_INPUT; no token at all, UNAUTHENTICATED."""
    world = await make_world(factory)
    other = await factory.session(world.atlas, world.cleo)
    await factory.message(other, "user", "x", created_at=now())
    token = issue_token(world.cleo.id, settings)
    page = await query(
        live_url, token, CHAT_VIEW, {"agentId": str(world.atlas.id), "sessionId": str(other.id)}
    )
    foreign = page["data"]["agent"]["session"]["messages"]["edges"][0]["cursor"]
    async with ws_connection(live_url, token) as ws:
        id = await ws.subscribe(MESSAGE_ADDED, {"sessionId": str(world.chat.id), "after": foreign})
        bad_cursor = await ws.receive()
    async with ws_connection(live_url) as ws:
        id2 = await ws.subscribe(MESSAGE_ADDED, {"sessionId": str(world.chat.id)})
        anonymous = await ws.receive()

    assert bad_cursor["id"] == id and bad_cursor["type"] == "error"
    assert bad_cursor["payload"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert anonymous["id"] == id2 and anonymous["type"] == "error"
    assert anonymous["payload"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_an_expired_token_is_refused_with_4403(
    live_url: str, factory: Factory, settings: Settings
) -> None:
    """connection_init with an expired token: the protocol's 4403 Forbidden."""
    world = await make_world(factory)
    expired = issue_token(world.cleo.id, settings, lifetime=timedelta(seconds=-1))
    async with ws_connection(live_url, init=False) as ws:
        await ws.send(
            {"type": "connection_init", "payload": {"authorization": f"Bearer {expired}"}}
        )
        with pytest.raises(ConnectionClosed) as closed:
            await ws.receive()

    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def test_a_token_that_expires_closes_the_connection_with_4403(
    live_url: str, factory: Factory, settings: Settings
) -> None:
    """A live subscription ends when its token does: close 4403, the reason says why."""
    world = await make_world(factory)
    token = issue_token(world.cleo.id, settings, lifetime=timedelta(seconds=2))
    async with ws_connection(live_url, token) as ws:
        await ws.subscribe(MESSAGE_ADDED, {"sessionId": str(world.chat.id)})
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(TIMEOUT):
                while True:
                    await ws.receive()

    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (
        4403,
        "Forbidden: the token has expired",
    )


async def test_the_token_may_come_in_the_upgrade_header(
    live_url: str, factory: Factory, settings: Settings
) -> None:
    """Without a token in connection_init, the upgrade's Authorization header is used."""
    world = await make_world(factory)
    headers = {"Authorization": f"Bearer {issue_token(world.cleo.id, settings)}"}
    async with ws_connection(live_url, headers=headers) as ws:
        id = await ws.subscribe(MESSAGE_ADDED, {"sessionId": str(world.chat.id)})
        await asyncio.sleep(0.2)
        await factory.message(world.chat, "assistant", "hello", created_at=now())
        async with asyncio.timeout(TIMEOUT):
            event = (await ws.next_data(id))["messageAdded"]

    assert event["content"] == "hello"
