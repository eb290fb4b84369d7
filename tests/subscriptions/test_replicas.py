"""Two server processes on one PostgreSQL database, as replicas without sticky sessions."""

import asyncio

import httpx
import pytest

from auth.tokens import issue_token
from db.engine import Database
from settings import Settings
from tests.factories import Factory
from tests.subscriptions.client import ws_connection
from tests.subscriptions.processes import replicas
from tests.subscriptions.test_message_added import MESSAGE_ADDED
from tests.subscriptions.test_session_events import SESSION_EVENTS
from tests.subscriptions.world import insert_message_sql, make_world

TIMEOUT = 15
RENAME = 'mutation($id: ID!) { renameSession(id: $id, title: "From A") { __typename } }'


@pytest.fixture
def postgresql(database: Database) -> Database:
    if database.dialect != "postgresql":
        pytest.skip("replicas share a PostgreSQL database (set TEST_DATABASE_URL)")
    return database


async def test_writes_reach_subscribers_on_both_processes(
    postgresql: Database, factory: Factory, settings: Settings
) -> None:
    """A message by plain SQL reaches subscribers on both; a rename made through process A
    reaches a session list subscribed on process B."""
    world = await make_world(factory)
    token = issue_token(world.cleo.id, settings)
    env = {
        "DATABASE_URL": postgresql.engine.url.render_as_string(hide_password=False),
        "JWT_SECRET_KEY": settings.jwt_secret_key,
        "LIVE_POLL_INTERVAL": "0.05",
    }
    async with (
        replicas(2, env) as (a, b),
        ws_connection(a, token) as on_a,
        ws_connection(b, token) as on_b,
    ):
        on_a_id = await on_a.subscribe(MESSAGE_ADDED, {"sessionId": str(world.chat.id)})
        on_b_id = await on_b.subscribe(MESSAGE_ADDED, {"sessionId": str(world.chat.id)})
        list_id = await on_b.subscribe(
            SESSION_EVENTS, {"agentId": str(world.atlas.id), "scope": "MINE"}
        )
        await asyncio.sleep(0.5)
        message_id = await insert_message_sql(postgresql, world.chat, "to everyone")
        async with asyncio.timeout(TIMEOUT):
            seen_on_a = (await on_a.next_data(on_a_id))["messageAdded"]["id"]
            by_id: dict[str, dict] = {}
            while on_b_id not in by_id:
                message = await on_b.receive()
                by_id[message["id"]] = message
            async with httpx.AsyncClient(base_url=a) as client:
                renamed = await client.post(
                    "/graphql",
                    json={"query": RENAME, "variables": {"id": str(world.chat.id)}},
                    headers={"Authorization": f"Bearer {token}"},
                )
            assert renamed.json()["data"]["renameSession"]["__typename"] == "Session"
            while True:
                message = await on_b.receive()
                if message["id"] != list_id:
                    continue
                event = message["payload"]["data"]["sessionEvents"]
                if event["session"]["title"] == "From A":
                    break

    assert seen_on_a == str(message_id)
    assert by_id[on_b_id]["payload"]["data"]["messageAdded"]["id"] == str(message_id)
    assert event["__typename"] == "SessionChanged"
