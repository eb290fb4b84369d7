"""GraphiQL in headless Chromium: served by this server alone, used as a person would use it.

Runs on the embedded SQLite demo only: what is under test is the page, not the database.
"""

import json
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest

from auth.tokens import issue_token
from db.demo import demo_id, load_demo
from db.engine import Database
from db.migrate import upgrade
from db.users import user_by_username
from server import create_app
from settings import Settings
from tests.clients.live_server import live_server
from tests.clients.tools import NODE, REPO, node_missing, run
from web.graphiql import ASSETS, LOCAL_BASE, local_assets_missing

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium")
DRIVER = Path(__file__).with_name("graphiql_browser.mjs")
SCREENSHOT = REPO / "test-artifacts" / "graphiql.png"


def _missing() -> str | None:
    if CHROMIUM is None:
        return "Chromium is not installed (Debian: `apt-get install chromium`; or set CHROMIUM)"
    if missing := node_missing("playwright-core"):
        return missing
    if assets := local_assets_missing():
        return f"node_modules/ lacks GraphiQL's files {assets}: run `npm ci`"
    return None


MISSING = _missing()
pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")

VIEWER = """\
{
  viewer {
    displayName
  }
}"""
AGENT_SESSIONS = """\
{
  agent(id: "ATLAS") {
    name
    sessions(scope: ALL, first: 3) {
      totalCount
      nodes {
        title
        messageCount
      }
    }
  }
}""".replace("ATLAS", str(demo_id("agent:Atlas")))
ATLAS = str(demo_id("agent:Atlas"))
CHAT = str(demo_id("session:cleo-web"))


MESSAGE_CURSORS = """
query($agent: ID!, $session: ID!) { agent(id: $agent) { session(id: $session) {
  messages(last: 2) { edges { cursor node { content } } } } } }
"""
SUBSCRIPTION = """\
subscription {
  messageAdded(sessionId: "SESSION", after: "CURSOR") {
    content
  }
}"""


class Demo(NamedTuple):
    url: str
    database: Database


@pytest.fixture
async def demo(tmp_path: Path, settings: Settings) -> AsyncIterator[Demo]:
    """The server with the demo data in a SQLite file of its own."""
    database = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}")
    try:
        await upgrade(database)
        await load_demo(database)
        async with live_server(create_app(settings, database)) as url:
            yield Demo(url, database)
    finally:
        await database.dispose()


async def test_graphiql_runs_queries_with_the_token_from_its_headers_editor(
    demo: Demo, settings: Settings, tmp_path: Path
) -> None:
    """With every other origin cut off, GraphiQL loads, signs in as Ada and shows the answers,
    a subscription's included."""
    # given Ada's token, and the server's own answers to the two queries
    async with demo.database.session() as db:
        ada = await user_by_username(db, "ada")
    assert ada is not None
    token = issue_token(ada.id, settings)
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as client:
        expected = [
            (await client.post(f"{demo.url}/graphql", json={"query": query})).json()
            for query in (VIEWER, AGENT_SESSIONS)
        ]
        edges = (
            await client.post(
                f"{demo.url}/graphql",
                json={"query": MESSAGE_CURSORS, "variables": {"agent": ATLAS, "session": CHAT}},
            )
        ).json()["data"]["agent"]["session"]["messages"]["edges"]
    assert expected[0] == {"data": {"viewer": {"displayName": ada.display_name}}}
    assert expected[1]["data"]["agent"]["sessions"]["nodes"], "the demo has sessions to show"
    # a subscription from the next-to-last message replays the last one, over WebSocket
    subscription = SUBSCRIPTION.replace("SESSION", CHAT).replace("CURSOR", edges[0]["cursor"])
    replayed = {"data": {"messageAdded": {"content": edges[1]["node"]["content"]}}}
    SCREENSHOT.parent.mkdir(exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)
    assert CHROMIUM is not None and NODE is not None

    # when the browser types the token and each query into GraphiQL and runs them
    args = [CHROMIUM, tmp_path / "profile", f"{demo.url}/graphql", token, SCREENSHOT]
    driven = await run(NODE, DRIVER, *args, VIEWER, AGENT_SESSIONS, subscription)

    # then it shows the server's answers, having loaded everything from the server
    assert driven.returncode == 0, driven
    page = json.loads(driven.stdout)
    assert json.loads(page["headers"]) == {"Authorization": f"Bearer {token}"}
    assert [result["typed"] for result in page["results"]] == [
        VIEWER,
        AGENT_SESSIONS,
        subscription,
    ]
    assert [result["response"] for result in page["results"]] == [*expected, replayed]
    shown = page["results"][1]["shown"]
    assert all(node["title"] in shown for node in expected[1]["data"]["agent"]["sessions"]["nodes"])
    assert ada.display_name in page["results"][0]["shown"]
    assert page["elsewhere"] == [] and page["pageErrors"] == []
    assert sorted(page["assets"], key=lambda asset: asset["path"]) == [
        {"path": LOCAL_BASE + key, "status": 200} for key in sorted(ASSETS)
    ]
    assert SCREENSHOT.stat().st_size > 0
