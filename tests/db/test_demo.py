"""The demo data fills the server's own empty database once, and reads in the new shape.

The demo goes into the server's own database only (SQLite, or an empty PostgreSQL built
by the migrations); on the platform's database it is refused and nothing is written.
"""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from graphql import build_schema, parse, validate
from sqlalchemy import func, select

from db.demo import demo_id, load_demo
from db.engine import Database
from db.migrate import IncompatibleDatabase, upgrade
from db.models import ChatMessage, ChatSession, User
from server import create_app
from settings import Settings
from tests.api import Api
from tests.databases import BACKENDS, scratch_url

ATLAS = str(demo_id("agent:Atlas"))
ROOT = Path(__file__).resolve().parents[2]
README_BLOCK = (
    (ROOT / "README.md")
    .read_text()
    .split("## Follow the agent at work", 1)[1]
    .split("```graphql\n", 1)[1]
    .split("```", 1)[0]
)
SCHEMA = (ROOT / "schema.graphql").read_text()


@pytest.fixture(params=BACKENDS)
async def own_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """An empty database built by the server's own migrations."""
    async with scratch_url(request.param, tmp_path) as url:
        database = Database.from_url(url)
        await upgrade(database)
        yield database
        await database.dispose()


@pytest.fixture
async def demo_api(own_database: Database, settings: Settings) -> AsyncIterator[Api]:
    await load_demo(own_database)
    transport = httpx.ASGITransport(app=create_app(settings, own_database))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client, settings)


async def _counts(database: Database) -> tuple[int, int]:
    async with database.session() as session:
        sessions = await session.scalar(select(func.count()).select_from(ChatSession))
        messages = await session.scalar(select(func.count()).select_from(ChatMessage))
    return sessions or 0, messages or 0


async def _user(database: Database, username: str) -> User:
    async with database.session() as session:
        user = await session.get(User, demo_id(f"user:{username}"))
    assert user is not None
    return user


async def test_the_demo_fills_an_empty_database_only_once(own_database: Database) -> None:
    assert await load_demo(own_database) is True
    first = await _counts(own_database)

    assert await load_demo(own_database) is False
    assert await _counts(own_database) == first
    assert first[0] > 5 and first[1] > 10


async def test_the_demo_is_refused_on_the_platforms_database(database: Database) -> None:
    if database.dialect != "postgresql":
        pytest.skip("the suite's PostgreSQL database is the platform's; SQLite is the server's")
    with pytest.raises(IncompatibleDatabase, match="platform's database"):
        await load_demo(database)
    assert await _counts(database) == (0, 0)


async def test_the_demo_admin_sees_every_kind_of_session(
    demo_api: Api, own_database: Database
) -> None:
    ada = await _user(own_database, "ada")

    body = await demo_api.query(
        """query($id: ID!) { agent(id: $id) { sessions(scope: ALL) { nodes {
             title sourceChannel kind participantType } } } }""",
        {"id": ATLAS},
        user=ada,
    )

    nodes = body["data"]["agent"]["sessions"]["nodes"]
    assert {node["kind"] for node in nodes} == {"DIRECT", "GROUP", "AGENT_TO_AGENT", "TRIGGER"}
    assert {node["sourceChannel"] for node in nodes} >= {"web", "feishu", "slack", "discord"}
    assert {node["participantType"] for node in nodes} == {"USER", "AGENT", "GROUP"}
    assert "Old onboarding questions" not in {node["title"] for node in nodes}  # deleted


async def test_the_demo_shows_primaries_unread_replies_and_a_failed_delivery(
    demo_api: Api, own_database: Database
) -> None:
    cleo = await _user(own_database, "cleo")

    body = await demo_api.query(
        """query($id: ID!, $session: ID!) { agent(id: $id) {
             sessions(scope: MINE) { nodes { title isPrimary unreadCount } }
             dan: session(id: $session) { id }
           } }""",
        {"id": ATLAS, "session": str(demo_id("session:dan-slack"))},
        user=cleo,
    )
    mine = {node["title"]: node for node in body["data"]["agent"]["sessions"]["nodes"]}
    dan = await _user(own_database, "dan")
    failed = await demo_api.query(
        """query($id: ID!, $session: ID!) { agent(id: $id) { session(id: $session) {
             messages { nodes { content runtimeError { code traceId } } } } } }""",
        {"id": ATLAS, "session": str(demo_id("session:dan-slack"))},
        user=dan,
    )

    assert mine["Quarterly report draft"] == {
        "title": "Quarterly report draft",
        "isPrimary": True,
        "unreadCount": 2,
    }
    assert mine["Shift handover"]["unreadCount"] == 0
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # dan's, seen by a member
    errors = [
        node["runtimeError"]
        for node in failed["data"]["agent"]["session"]["messages"]["nodes"]
        if node["runtimeError"]
    ]
    assert errors == [{"code": "tool_timeout", "traceId": "trace-7f3a"}]


@pytest.mark.parametrize(
    ("username", "agent", "access"),
    [
        pytest.param("cleo", "Atlas", "USE", id="company"),
        pytest.param("cleo", "Scribe", "MANAGE", id="custom-granted"),
        pytest.param("dan", "Scribe", None, id="custom-not-granted"),
        pytest.param("ada", "Vault", None, id="private-not-creator"),
        pytest.param("ben", "Vault", "MANAGE", id="private-creator"),
    ],
)
async def test_the_demo_has_an_agent_of_each_access_mode(
    demo_api: Api, own_database: Database, username: str, agent: str, access: str | None
) -> None:
    viewer = await _user(own_database, username)

    body = await demo_api.query(
        "query($id: ID!) { agent(id: $id) { viewerAccess } }",
        {"id": str(demo_id(f"agent:{agent}"))},
        user=viewer,
    )

    assert (body["data"]["agent"] or {}).get("viewerAccess") == access


async def test_the_demo_shows_the_agent_at_work(demo_api: Api, own_database: Database) -> None:
    """Cleo's web chat: a finished run with thinking, progress, tool calls and a delivery, a
    failed run, and the active one waiting on her to settle an unknown file write."""
    cleo = await _user(own_database, "cleo")

    body = await demo_api.query(
        """query($id: ID!, $session: ID!) { agent(id: $id) { unreadCount session(id: $session) {
             activeRun { status canCancel canResume waiting { type reason }
                         pendingToolReconciliations { toolName canReconcile } }
             runs { nodes { status errorCode events { nodes {
               __typename ... on RunDelivery { message { role } } } } } } } } }""",
        {"id": ATLAS, "session": str(demo_id("session:cleo-web"))},
        user=cleo,
    )

    assert "errors" not in body, body
    session = body["data"]["agent"]["session"]
    assert session["activeRun"] == {
        "status": "WAITING_USER",
        "canCancel": True,
        "canResume": False,
        "waiting": {"type": "user", "reason": "tool_reconciliation_required"},
        "pendingToolReconciliations": [{"toolName": "write_file", "canReconcile": True}],
    }
    runs = session["runs"]["nodes"]
    assert [(run["status"], run["errorCode"]) for run in runs] == [
        ("WAITING_USER", None),
        ("FAILED", "model_timeout"),
        ("COMPLETED", None),
    ]
    kinds = [event["__typename"] for event in runs[2]["events"]["nodes"]]
    assert {"RunThinking", "RunToolCall", "RunProgress", "RunDelivery"} <= set(kinds)
    assert runs[2]["events"]["nodes"][-1]["message"] == {"role": "ASSISTANT"}
    assert body["data"]["agent"]["unreadCount"] == 2


async def test_the_readmes_chat_page_runs_on_the_demo(
    demo_api: Api, own_database: Database
) -> None:
    """The query and subscription of README's "Follow the agent at work" are valid, and the
    query shows Cleo's waiting run."""
    query, subscription = README_BLOCK.split("\nsubscription ", 1)
    assert validate(build_schema(SCHEMA), parse("subscription " + subscription)) == []
    cleo = await _user(own_database, "cleo")

    body = await demo_api.query(
        query, {"agentId": ATLAS, "sessionId": str(demo_id("session:cleo-web"))}, user=cleo
    )

    assert "errors" not in body, body
    assert body["data"]["agent"]["session"]["activeRun"]["status"] == "WAITING_USER"
