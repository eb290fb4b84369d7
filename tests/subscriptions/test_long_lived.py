"""A WebSocket lives until the client closes it, its token expires, or the server drains.

The server here is uvicorn with the guarded protocol `python server.py` serves
(`web.slow_clients`), over each parser, with every timeout a fraction of the time the
connection is held: idle, it is kept up by pings; with events, they keep flowing.
"""

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import pytest

from auth.tokens import issue_token
from db.engine import Database
from server import create_app
from settings import Settings
from tests.clients.live_server import live_server
from tests.factories import Factory
from tests.subscriptions.client import Connection, ws_connection
from tests.subscriptions.test_message_added import MESSAGE_ADDED
from tests.subscriptions.world import make_world, now
from web.slow_clients import PARSERS, guarded_protocol

SHORT = 0.3
HELD = 2.0  # more than six times every timeout below


@pytest.fixture(params=sorted(PARSERS))
async def guarded_url(
    request: pytest.FixtureRequest, database: Database, live_settings: Settings
) -> AsyncIterator[str]:
    settings = dataclasses.replace(
        live_settings,
        header_timeout=SHORT,
        body_timeout=SHORT,
        request_timeout=SHORT,
        queue_timeout=SHORT,
        ws_init_timeout=SHORT,
        ws_keep_alive=SHORT / 2,
    )
    app = create_app(settings, database)
    async with live_server(app, guarded_protocol(settings, request.param)) as url:
        yield url
    await app.state.live.close()


async def idle(ws: Connection, seconds: float) -> int:
    """Nothing but the server's pings for `seconds`, each answered; how many came."""
    pings = 0
    loop = asyncio.get_running_loop()
    until = loop.time() + seconds
    while (left := until - loop.time()) > 0:
        try:
            async with asyncio.timeout(left):
                message = await ws.receive(skip_pings=False)
        except TimeoutError:
            break
        assert message == {"type": "ping"}, message
        pings += 1
        await ws.send({"type": "pong"})
    return pings


async def test_a_subscription_outlives_every_timeout_idle_and_with_events(
    guarded_url: str, factory: Factory, settings: Settings
) -> None:
    world = await make_world(factory)
    async with ws_connection(guarded_url, issue_token(world.cleo.id, settings)) as ws:
        id = await ws.subscribe(MESSAGE_ADDED, {"sessionId": str(world.chat.id)})
        async with asyncio.timeout(HELD + 5):
            pings = await idle(ws, HELD)
            # With events, for as long again.
            received = []
            for n in range(8):
                await factory.message(world.chat, "assistant", f"event {n}", created_at=now())
                received.append((await ws.next_data(id))["messageAdded"]["content"])
                await asyncio.sleep(HELD / 8)
            await ws.send({"type": "ping"})
            assert await ws.receive() == {"type": "pong"}

    assert pings >= HELD / SHORT
    assert received == [f"event {n}" for n in range(8)]
