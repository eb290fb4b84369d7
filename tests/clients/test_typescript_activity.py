"""The TypeScript example of a chat page at work (clients/typescript/src/activity.ts), run by
Node against the server: it follows ChatActivity over graphql-ws from a cursor, renders
thinking, chunks and tools, and its Stop button follows canCancel through CancelRun."""

import json
from pathlib import Path

import pytest

from auth.tokens import issue_token
from db.run_log import EventKey
from resolvers.cursors import event_cursor
from settings import Settings
from tests.clients.test_typescript_client import CLIENT, MISSING, TSC
from tests.clients.tools import NODE, NODE_MODULES, REPO, node_missing, run
from tests.factories import Factory

WS_MISSING = MISSING or node_missing("graphql-ws", "ws")
pytestmark = pytest.mark.skipif(WS_MISSING is not None, reason=WS_MISSING or "")


async def test_the_activity_example_renders_the_agent_at_work_and_stops_it(
    tmp_path: Path, server_url: str, settings: Settings, factory: Factory
) -> None:
    acme = await factory.tenant()
    cleo = await factory.user(acme, display_name="Cleo")
    atlas = await factory.agent(cleo, name="Atlas")
    chat = await factory.session(atlas, cleo, messages=1)
    run_ = await factory.chat_run(chat)
    start = await factory.event(run_, "status_changed", {"status": "running"})
    await factory.thinking(run_, "Checking the wiki.")
    await factory.tool_call(run_, "search_docs", "call-1", args={"q": "Q3"})
    await factory.tool_call(run_, "search_docs", "call-1", result="3 hits")
    await factory.tool_call(run_, "write_file", "call-2")
    await factory.progress(run_, "Q3 in brief: ")
    await factory.progress(run_, "revenue up.")
    after = event_cursor(chat.id, run_.id, EventKey(start.created_at, start.id))
    out = tmp_path / "out"
    (tmp_path / "node_modules").symlink_to(NODE_MODULES)  # graphql-ws and ws, for Node
    compiled = await run(TSC, "-p", REPO / CLIENT, "--noEmit", "false", "--outDir", out)
    assert compiled.returncode == 0, compiled
    assert NODE is not None

    script = (
        "const [endpoint, ws, token, agent, session, after] = process.argv.slice(2);"
        "const { Api } = require(process.argv[1].replace('activity.js', 'example.js'));"
        "require(process.argv[1]).watchChat(new Api(endpoint, token), ws, agent, session, after, 6)"
        ".then((log) => console.log(JSON.stringify(log)))"
    )
    ran = await run(
        NODE,
        "-e",
        script,
        out / "activity.js",
        f"{server_url}/graphql",
        server_url.replace("http", "ws", 1) + "/graphql",
        issue_token(cleo.id, settings),
        str(atlas.id),
        str(chat.id),
        after,
    )

    assert ran.returncode == 0, ran
    assert json.loads(ran.stdout) == [
        "status idle",
        "thinking: Checking the wiki.",
        "tool search_docs done",
        "tool write_file running",
        "reply: Q3 in brief: revenue up.",
        "[Stop]",
        "stop requested",
        "[Stop] (disabled)",
        "nothing to stop",
    ]
