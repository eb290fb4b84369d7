"""Subscription.sessionEvents: a session list kept current, by the rules of Agent.sessions."""

import asyncio

import httpx

from auth.tokens import issue_token
from settings import Settings
from tests.factories import Factory
from tests.subscriptions.client import ws_connection
from tests.subscriptions.world import insert_message_sql, make_world, now

SESSION_EVENTS = """
subscription List($agentId: ID!, $scope: SessionScope!) {
  sessionEvents(agentId: $agentId, scope: $scope) {
    __typename
    ... on SessionAdded { session { id title unreadCount isPrimary } }
    ... on SessionChanged { session { id title unreadCount lastMessageAt } }
    ... on SessionRemoved { id }
  }
}
"""
RENAME = 'mutation($id: ID!) { renameSession(id: $id, title: "Renamed") { __typename } }'
DELETE = "mutation($id: ID!) { deleteSession(id: $id) { __typename } }"
TIMEOUT = 10


async def mutate(url: str, token: str, document: str, id: str) -> None:
    async with httpx.AsyncClient(base_url=url) as client:
        response = await client.post(
            "/graphql",
            json={"query": document, "variables": {"id": id}},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert "errors" not in response.json(), response.json()


async def event_where(ws, id: str, wanted) -> dict:
    """The next event that `wanted` accepts; intermediate changes (a writer that commits in
    two steps makes two) are skipped."""
    while True:
        event = (await ws.next_data(id))["sessionEvents"]
        if wanted(event):
            return event


async def test_a_new_session_is_added_then_changed_then_removed(
    live_url: str, factory: Factory, settings: Settings, database
) -> None:
    """MINE: the first message adds it, an agent reply and a rename change it, a delete
    removes it; each as one event."""
    world = await make_world(factory)
    token = issue_token(world.cleo.id, settings)
    async with ws_connection(live_url, token) as ws:
        id = await ws.subscribe(SESSION_EVENTS, {"agentId": str(world.atlas.id), "scope": "MINE"})
        await asyncio.sleep(0.2)
        fresh = await factory.session(world.atlas, world.cleo, title="Fresh", created_at=now())
        await factory.message(fresh, "user", "hi", created_at=now())
        async with asyncio.timeout(TIMEOUT):
            added = (await ws.next_data(id))["sessionEvents"]
            await insert_message_sql(database, fresh, "hello back")
            replied = await event_where(ws, id, lambda e: e["session"]["unreadCount"] == 1)
            await mutate(live_url, token, RENAME, str(fresh.id))
            renamed = await event_where(ws, id, lambda e: e["session"]["title"] == "Renamed")
            await mutate(live_url, token, DELETE, str(fresh.id))
            removed = await event_where(ws, id, lambda e: "session" not in e)

    assert added["__typename"] == "SessionAdded"
    assert added["session"] == {
        "id": str(fresh.id),
        "title": "Fresh",
        "unreadCount": 0,
        "isPrimary": False,
    }
    assert replied["__typename"] == "SessionChanged"
    assert replied["session"]["unreadCount"] == 1
    assert (renamed["__typename"], renamed["session"]["title"]) == ("SessionChanged", "Renamed")
    assert removed == {"__typename": "SessionRemoved", "id": str(fresh.id)}


async def test_mine_leaves_out_other_users_sessions(
    live_url: str, factory: Factory, settings: Settings
) -> None:
    """Dan's new session is not in Cleo's MINE list; her own is."""
    world = await make_world(factory)
    token = issue_token(world.cleo.id, settings)
    async with ws_connection(live_url, token) as ws:
        id = await ws.subscribe(SESSION_EVENTS, {"agentId": str(world.atlas.id), "scope": "MINE"})
        await asyncio.sleep(0.2)
        dans = await factory.session(world.atlas, world.dan, created_at=now())
        await factory.message(dans, "user", "mine, not yours", created_at=now())
        await asyncio.sleep(0.3)
        await factory.message(world.chat, "user", "again", created_at=now())
        async with asyncio.timeout(TIMEOUT):
            event = (await ws.next_data(id))["sessionEvents"]

    assert event["__typename"] == "SessionChanged"
    assert event["session"]["id"] == str(world.chat.id)  # not Dan's, which came first


async def test_all_needs_the_right_to_see_all_sessions(
    live_url: str, factory: Factory, settings: Settings
) -> None:
    """A member is FORBIDDEN the ALL list; the org admin sees Dan's session arrive in it."""
    world = await make_world(factory)
    variables = {"agentId": str(world.atlas.id), "scope": "ALL"}
    async with ws_connection(live_url, issue_token(world.cleo.id, settings)) as ws:
        id = await ws.subscribe(SESSION_EVENTS, variables)
        refused = await ws.receive()
    async with ws_connection(live_url, issue_token(world.ada.id, settings)) as ws:
        id2 = await ws.subscribe(SESSION_EVENTS, variables)
        await asyncio.sleep(0.2)
        dans = await factory.session(world.atlas, world.dan, created_at=now())
        await factory.message(dans, "user", "hello", created_at=now())
        async with asyncio.timeout(TIMEOUT):
            event = (await ws.next_data(id2))["sessionEvents"]

    assert refused["id"] == id and refused["type"] == "error"
    assert refused["payload"][0]["extensions"]["code"] == "FORBIDDEN"
    assert event["__typename"] == "SessionAdded"
    assert event["session"]["id"] == str(dans.id)


async def test_another_tenants_agent_is_not_found(
    live_url: str, factory: Factory, settings: Settings
) -> None:
    """Even a platform admin of another tenant gets NOT_FOUND."""
    world = await make_world(factory)
    globex = await factory.tenant("Globex")
    root = await factory.user(globex, role="platform_admin")
    async with ws_connection(live_url, issue_token(root.id, settings)) as ws:
        id = await ws.subscribe(SESSION_EVENTS, {"agentId": str(world.atlas.id), "scope": "ALL"})
        refused = await ws.receive()

    assert refused["id"] == id and refused["type"] == "error"
    assert refused["payload"][0]["extensions"]["code"] == "NOT_FOUND"
