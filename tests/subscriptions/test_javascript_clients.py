"""JavaScript clients subscribe to a session: the graphql-ws client, and Apollo Client 4
over its WebSocket link and its multipart HTTP link, against a live server."""

import asyncio
import json

import httpx
import pytest

from auth.tokens import issue_token
from settings import Settings
from tests.clients.tools import NODE, REPO, RUN_TIMEOUT, node_missing
from tests.factories import Factory
from tests.subscriptions.world import make_world, now

SCRIPT = REPO / "tests" / "clients" / "live_subscriptions.mjs"
MISSING = node_missing("graphql-ws", "ws", "@apollo/client", "rxjs")

pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")

CHAT_VIEW = """
query Chat($agentId: ID!, $sessionId: ID!) {
  agent(id: $agentId) { session(id: $sessionId) { messages { edges { cursor } } } }
}
"""


@pytest.mark.parametrize("client", ["graphql-ws", "apollo-ws", "apollo-http"])
async def test_a_javascript_client_gets_the_replay_then_live_messages(
    live_url: str, factory: Factory, settings: Settings, client: str
) -> None:
    """From the newest cursor the page had: one message written before it subscribed is
    replayed, two written after arrive live, in order, each once."""
    # given Cleo's chat, read as a chat view reads it, and one message written since
    world = await make_world(factory)
    token = issue_token(world.cleo.id, settings)

    async with httpx.AsyncClient(base_url=live_url) as http:
        page = await http.post(
            "/graphql",
            json={
                "query": CHAT_VIEW,
                "variables": {"agentId": str(world.atlas.id), "sessionId": str(world.chat.id)},
            },
            headers={"Authorization": f"Bearer {token}"},
        )
    cursor = page.json()["data"]["agent"]["session"]["messages"]["edges"][-1]["cursor"]
    await factory.message(world.chat, "user", "while loading", created_at=now())
    assert NODE is not None

    # when the client subscribes after that cursor and two more messages are written
    process = await asyncio.create_subprocess_exec(
        NODE,
        SCRIPT,
        client,
        f"{live_url}/graphql",
        token,
        str(world.chat.id),
        cursor,
        "3",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(RUN_TIMEOUT):
            assert process.stdout is not None
            assert (await process.stdout.readline()).strip() == b"subscribed"
            await asyncio.sleep(0.5)
            await factory.message(world.chat, "assistant", "live 1", created_at=now())
            await factory.message(world.chat, "assistant", "live 2", created_at=now())
            stdout, stderr = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    # then all three arrive, in order
    assert process.returncode == 0, stderr.decode()
    received = json.loads(stdout.decode().strip().splitlines()[-1])
    assert [item["content"] for item in received] == ["while loading", "live 1", "live 2"]
