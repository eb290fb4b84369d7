"""A running subscription loses its viewer's rights: it ends, with a code that says why.

The broker checks again, every `live_recheck_interval` (0.2 s here), that each viewer may
still watch what their subscription watches, for all subscriptions in one statement.
Each change is written by plain SQL, as the platform's admin pages write it.
"""

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import event
from starlette.applications import Starlette
from websockets.exceptions import ConnectionClosed

from auth.tokens import issue_token
from db.engine import Database
from db.models import Agent, ChatSession, User
from settings import Settings
from tests.factories import Factory
from tests.subscriptions import rights
from tests.subscriptions.client import MULTIPART_ACCEPT, multipart_parts, ws_connection
from tests.subscriptions.test_message_added import MESSAGE_ADDED
from tests.subscriptions.test_run_events import RUN_EVENTS
from tests.subscriptions.test_session_events import SESSION_EVENTS
from tests.subscriptions.world import make_world, now

TIMEOUT = 10


@dataclass
class Scene:
    """Vault: a custom-access agent of Ada's; Cleo (member) uses it through her permission
    row and has a session with it. Eve is an agent_admin; Atlas is a company agent."""

    viewer: User
    agent: Agent
    session: ChatSession
    all_sessions: bool


Setup = Callable[[Factory], Awaitable[Scene]]


async def cleo_in_vault(factory: Factory) -> Scene:
    world = await make_world(factory)
    vault = await factory.agent(world.ada, name="Vault", access_mode="custom")
    await factory.grant(vault, "user", user=world.cleo)
    session = await factory.session(vault, world.cleo, messages=1)
    return Scene(world.cleo, vault, session, all_sessions=False)


async def eve_reading_cleo(factory: Factory) -> Scene:
    world = await make_world(factory)
    eve = await factory.user(world.acme, role="agent_admin", display_name="Eve")
    return Scene(eve, world.atlas, world.chat, all_sessions=True)


Change = Callable[[Database, Scene], Awaitable[None]]


async def delete_permission(database: Database, scene: Scene) -> None:
    await rights.delete_permissions(database, scene.agent.id)


async def soft_delete_agent(database: Database, scene: Scene) -> None:
    await rights.soft_delete_agent(database, scene.agent.id)


async def make_private(database: Database, scene: Scene) -> None:
    await rights.make_private(database, scene.agent.id)


async def deactivate(database: Database, scene: Scene) -> None:
    await rights.deactivate(database, scene.viewer.id)


async def move_tenant(database: Database, scene: Scene) -> None:
    await rights.move_tenant(database, scene.viewer.id)


async def demote(database: Database, scene: Scene) -> None:
    await rights.demote(database, scene.viewer.id)


CASES = [
    pytest.param(cleo_in_vault, delete_permission, "FORBIDDEN", id="permission-deleted"),
    pytest.param(cleo_in_vault, soft_delete_agent, "NOT_FOUND", id="agent-deleted"),
    pytest.param(cleo_in_vault, make_private, "FORBIDDEN", id="agent-private"),
    pytest.param(cleo_in_vault, deactivate, "UNAUTHENTICATED", id="user-deactivated"),
    pytest.param(cleo_in_vault, move_tenant, "NOT_FOUND", id="user-moved-tenant"),
    pytest.param(eve_reading_cleo, demote, "FORBIDDEN", id="user-demoted"),
]


def subscription(kind: str, scene: Scene) -> tuple[str, dict[str, str]]:
    if kind == "messageAdded":
        return MESSAGE_ADDED, {"sessionId": str(scene.session.id)}
    if kind == "runEvents":
        return RUN_EVENTS, {"sessionId": str(scene.session.id)}
    scope = "ALL" if scene.all_sessions else "MINE"
    return SESSION_EVENTS, {"agentId": str(scene.agent.id), "scope": scope}


@pytest.mark.parametrize("kind", ["messageAdded", "sessionEvents", "runEvents"])
@pytest.mark.parametrize(("setup", "change", "code"), CASES)
async def test_over_websocket_the_subscription_ends_with_an_error(
    live_url: str,
    factory: Factory,
    settings: Settings,
    database: Database,
    kind: str,
    setup: Setup,
    change: Change,
    code: str,
) -> None:
    """An `error` message for the operation, with the code; a user no longer active has
    the connection closed with 4403."""
    scene = await setup(factory)
    document, variables = subscription(kind, scene)
    async with ws_connection(live_url, issue_token(scene.viewer.id, settings)) as ws:
        id = await ws.subscribe(document, variables)
        await asyncio.sleep(0.5)  # live, and checked again at least once
        await change(database, scene)
        async with asyncio.timeout(TIMEOUT):
            message = await ws.receive()
            if code == "UNAUTHENTICATED":
                with pytest.raises(ConnectionClosed) as closed:
                    await ws.receive()

    assert message["id"] == id and message["type"] == "error", message
    assert [error["extensions"]["code"] for error in message["payload"]] == [code]
    if code == "UNAUTHENTICATED":
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


@pytest.mark.parametrize("kind", ["messageAdded", "sessionEvents"])
@pytest.mark.parametrize(("setup", "change", "code"), CASES)
async def test_over_multipart_the_stream_ends_with_an_error(
    live_url: str,
    factory: Factory,
    settings: Settings,
    database: Database,
    kind: str,
    setup: Setup,
    change: Change,
    code: str,
) -> None:
    scene = await setup(factory)
    document, variables = subscription(kind, scene)
    headers = {
        "Authorization": f"Bearer {issue_token(scene.viewer.id, settings)}",
        "Accept": MULTIPART_ACCEPT,
    }
    body = {"query": document, "variables": variables}
    async with (
        httpx.AsyncClient(base_url=live_url, timeout=TIMEOUT) as client,
        client.stream("POST", "/graphql", json=body, headers=headers) as response,
    ):
        parts = multipart_parts(response)
        reading = asyncio.ensure_future(anext(parts))
        await asyncio.sleep(0.5)
        assert not reading.done()
        await change(database, scene)
        async with asyncio.timeout(TIMEOUT):
            last = await reading
            rest = [part async for part in parts]

    assert [e["extensions"]["code"] for e in last["payload"]["errors"]] == [code]
    assert rest == []


async def test_a_subscription_whose_rights_hold_runs_on(
    live_url: str, factory: Factory, settings: Settings, database: Database
) -> None:
    """Changes that leave the right in place (another user demoted, a rename) end nothing."""
    scene = await cleo_in_vault(factory)
    async with ws_connection(live_url, issue_token(scene.viewer.id, settings)) as ws:
        id = await ws.subscribe(MESSAGE_ADDED, {"sessionId": str(scene.session.id)})
        await asyncio.sleep(0.3)
        await rights.set_agent(database, scene.agent.id, name="Vault II")
        await rights.set_user(database, scene.viewer.id, display_name="C.")
        await asyncio.sleep(0.6)  # several re-checks
        await factory.message(scene.session, "assistant", "still here", created_at=now())
        async with asyncio.timeout(TIMEOUT):
            event = (await ws.next_data(id))["messageAdded"]

    assert event["content"] == "still here"


async def test_one_statement_rechecks_every_subscription_of_the_process(
    live_url: str, live_app: Starlette, factory: Factory, settings: Settings
) -> None:
    """Six subscriptions of three viewers, of both kinds: each re-check is one statement."""
    scenes = [await cleo_in_vault(factory) for _ in range(3)]
    broker = live_app.state.live
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if "agent_permissions" in statement:
            statements.append(statement)

    async with AsyncExitStack() as stack:
        for scene in scenes:
            token = issue_token(scene.viewer.id, settings)
            ws = await stack.enter_async_context(ws_connection(live_url, token))
            for kind in ("messageAdded", "sessionEvents"):
                await ws.subscribe(*subscription(kind, scene))
        await asyncio.sleep(0.3)
        running = broker.count
        event.listen(broker.engine.sync_engine, "before_cursor_execute", count)
        rechecks = broker.stats.rechecks
        for _ in range(int(TIMEOUT / 0.05)):  # five re-checks, however slow the machine
            if broker.stats.rechecks - rechecks >= 5:
                break
            await asyncio.sleep(0.05)
        done = broker.stats.rechecks - rechecks
        event.remove(broker.engine.sync_engine, "before_cursor_execute", count)

    assert running == 6
    assert done >= 5
    assert abs(len(statements) - done) <= 1  # a re-check may straddle either end
