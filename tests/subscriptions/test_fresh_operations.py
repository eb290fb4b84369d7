"""Each operation on a WebSocket connection starts fresh, as each HTTP request does: its own
loaders, and the viewer read again. So a change of the viewer's rights or of the data,
made while the connection stays open, shows in the connection's next operation."""

import asyncio
from typing import Any

import httpx
import pytest

from auth.tokens import issue_token
from db.engine import Database
from settings import Settings
from tests.factories import Factory
from tests.subscriptions import rights
from tests.subscriptions.client import Connection, ws_connection
from tests.subscriptions.test_message_added import MESSAGE_ADDED
from tests.subscriptions.world import make_world, now

TIMEOUT = 10
READS = """
query Reads($id: ID!, $agentId: ID!) {
  viewer { id role }
  session(id: $id) { id title messageCount unreadCount messages(last: 1) { totalCount } }
  node(id: $id) { id ... on Session { title } }
  nodes(ids: [$id, $agentId]) { id ... on Agent { name } }
}
"""
# One field a query, so that each is refused (or not) on its own.
FIELDS = {
    "viewer": "{ viewer { id role } }",
    "session": "query($id: ID!) { session(id: $id) { id title } }",
    "node": "query($id: ID!) { node(id: $id) { id } }",
    "nodes": "query($id: ID!, $agentId: ID!) { nodes(ids: [$id, $agentId]) { id } }",
}


async def ws_query(ws: Connection, document: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The result of one query over the connection: its `next` payload, then `complete`."""
    id = await ws.subscribe(document, used(document, variables))
    async with asyncio.timeout(TIMEOUT):
        message = await ws.receive()
        assert message["id"] == id and message["type"] == "next", message
        assert await ws.receive() == {"id": id, "type": "complete"}
    return message["payload"]


async def http_query(url: str, token: str, document: str, variables: dict[str, Any]) -> dict:
    async with httpx.AsyncClient(base_url=url) as client:
        response = await client.post(
            "/graphql",
            json={"query": document, "variables": used(document, variables)},
            headers={"Authorization": f"Bearer {token}"},
        )
    return response.json()


def used(document: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The variables the document declares (an unused one is a validation error)."""
    return {name: value for name, value in variables.items() if f"${name}:" in document}


def codes(result: dict[str, Any]) -> list[str]:
    return sorted(error["extensions"]["code"] for error in result.get("errors", []))


@pytest.mark.parametrize(
    ("change", "refused"),
    [
        (rights.deactivate, "UNAUTHENTICATED"),
        (rights.demote, "FORBIDDEN"),
        (rights.move_tenant, "NOT_FOUND"),
    ],
    ids=["deactivated", "demoted", "moved-tenant"],
)
async def test_a_change_of_rights_holds_for_the_next_operation(
    live_url: str,
    factory: Factory,
    settings: Settings,
    database: Database,
    change: rights.Change,
    refused: str,
) -> None:
    """An agent_admin reads Cleo's session over an open connection; after the change, each
    query on the same connection answers what HTTP answers, and messageAdded is refused."""
    world = await make_world(factory)
    eve = await factory.user(world.acme, role="agent_admin", display_name="Eve")
    token = issue_token(eve.id, settings)
    variables = {"id": str(world.chat.id), "agentId": str(world.atlas.id)}
    async with ws_connection(live_url, token) as ws:
        before = {name: await ws_query(ws, query, variables) for name, query in FIELDS.items()}
        await change(database, eve.id)
        after = {name: await ws_query(ws, query, variables) for name, query in FIELDS.items()}
        id = await ws.subscribe(MESSAGE_ADDED, {"sessionId": str(world.chat.id)})
        async with asyncio.timeout(TIMEOUT):
            subscribed = await ws.receive()
    over_http = {
        name: await http_query(live_url, token, query, variables) for name, query in FIELDS.items()
    }

    assert all(not result.get("errors") for result in before.values()), before
    assert after == over_http
    assert refused in codes(after["session"])
    if refused == "UNAUTHENTICATED":
        assert codes(after["viewer"]) == ["UNAUTHENTICATED"]
    assert subscribed["id"] == id and subscribed["type"] == "error", subscribed
    assert [error["extensions"]["code"] for error in subscribed["payload"]] == [refused]


async def test_a_repeated_query_reads_the_data_again(
    live_url: str, factory: Factory, settings: Settings, database: Database
) -> None:
    """Counts and names changed between two queries on one connection are fresh."""
    world = await make_world(factory)
    token = issue_token(world.cleo.id, settings)
    variables = {"id": str(world.chat.id), "agentId": str(world.atlas.id)}
    async with ws_connection(live_url, token) as ws:
        first = await ws_query(ws, READS, variables)
        await factory.message(world.chat, "assistant", "one more", created_at=now())
        await rights.set_agent(database, world.atlas.id, name="Atlas II")
        await rights.set_user(database, world.cleo.id, role="agent_admin")
        second = await ws_query(ws, READS, variables)

    assert first["data"]["session"]["messageCount"] == 2
    assert second == await http_query(live_url, token, READS, variables)
    assert second["data"]["viewer"]["role"] == "AGENT_ADMIN"
    assert second["data"]["session"]["messageCount"] == 3
    assert second["data"]["session"]["messages"]["totalCount"] == 3
    assert second["data"]["session"]["unreadCount"] == first["data"]["session"]["unreadCount"] + 1
    assert second["data"]["nodes"][1]["name"] == "Atlas II"
