"""The demo data fills an empty database once, and is readable through the API."""

from sqlalchemy import func, select

from db.demo import demo_id, load_demo
from db.engine import Database
from db.models import ChatMessage, ChatSession, User
from tests.api import Api


async def _counts(database: Database) -> tuple[int, int]:
    async with database.session() as session:
        sessions = await session.scalar(select(func.count()).select_from(ChatSession))
        messages = await session.scalar(select(func.count()).select_from(ChatMessage))
    return sessions or 0, messages or 0


async def test_the_demo_fills_an_empty_database_only_once(database: Database) -> None:
    assert await load_demo(database) is True
    first = await _counts(database)

    assert await load_demo(database) is False
    assert await _counts(database) == first
    assert first[0] > 5 and first[1] > 10


async def test_the_demo_admin_sees_every_kind_of_session(api: Api, database: Database) -> None:
    await load_demo(database)
    async with database.session() as session:
        ada = await session.get(User, demo_id("user:ada"))

    body = await api.query(
        """query($id: ID!) { agent(id: $id) { sessions(scope: ALL) { nodes {
             sourceChannel participantType } } } }""",
        {"id": str(demo_id("agent:Atlas"))},
        user=ada,
    )

    nodes = body["data"]["agent"]["sessions"]["nodes"]
    assert {node["sourceChannel"] for node in nodes} >= {
        "web",
        "feishu",
        "slack",
        "discord",
        "agent",
        "trigger",
    }
    assert {node["participantType"] for node in nodes} == {"USER", "AGENT", "GROUP"}
