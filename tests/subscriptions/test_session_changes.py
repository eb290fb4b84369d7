"""sessionEvents: a SessionChanged for whatever a list shows, however the row was written.

Every write here is plain SQL shaped as the platform's runtime writes it: a reply or a
tool call inserted without touching chat_sessions (the runtime bumps last_message_at
only with its final reply), and the session's own columns updated as its pages do.
"""

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text

from auth.tokens import issue_token
from db.engine import Database
from db.models import ChatSession
from settings import Settings
from tests.factories import Factory
from tests.subscriptions.client import ws_connection
from tests.subscriptions.test_session_events import event_where
from tests.subscriptions.world import make_world

TIMEOUT = 10
LIST = """
subscription List($agentId: ID!) {
  sessionEvents(agentId: $agentId, scope: MINE) {
    __typename
    ... on SessionChanged { session { id title messageCount unreadCount isPrimary lastReadAt } }
  }
}
"""


def _id(database: Database, value: uuid.UUID) -> object:
    return value if database.dialect == "postgresql" else str(value)


async def insert_without_bump(database: Database, session: ChatSession, role: str) -> None:
    """A message row alone: created_at is the database's clock, the session untouched."""
    async with database.transaction() as db:
        await db.execute(
            text(
                "INSERT INTO chat_messages (id, agent_id, role, content, conversation_id) "
                "VALUES (:id, :agent, :role, :content, :conversation)"
            ),
            {
                "id": _id(database, uuid.uuid4()),
                "agent": _id(database, session.agent_id),
                "role": role,
                "content": '{"name": "search", "args": {}}' if role == "tool_call" else "hi",
                "conversation": str(session.id),
            },
        )


async def update_session(database: Database, session: ChatSession, assignments: str) -> None:
    async with database.transaction() as db:
        await db.execute(
            text(f"UPDATE chat_sessions SET {assignments} WHERE id = :id"),
            {"id": _id(database, session.id)},
        )


Check = Callable[[dict[str, Any], dict[str, Any]], bool]

CASES = [
    pytest.param(
        lambda db, s: insert_without_bump(db, s, "tool_call"),
        lambda old, new: (
            (new["messageCount"], new["unreadCount"])
            == (old["messageCount"] + 1, old["unreadCount"] + 1)
        ),
        id="tool-call-row",
    ),
    pytest.param(
        lambda db, s: insert_without_bump(db, s, "assistant"),
        lambda old, new: new["unreadCount"] == old["unreadCount"] + 1,
        id="assistant-row",
    ),
    pytest.param(
        lambda db, s: insert_without_bump(db, s, "user"),
        lambda old, new: new["messageCount"] == old["messageCount"] + 1,
        id="user-row",
    ),
    pytest.param(
        lambda db, s: update_session(
            db, s, "title = 'From the runtime', updated_at = CURRENT_TIMESTAMP"
        ),
        lambda old, new: new["title"] == "From the runtime",
        id="title",
    ),
    pytest.param(
        lambda db, s: update_session(
            db, s, "last_read_at_by_user = CURRENT_TIMESTAMP, updated_at = CURRENT_TIMESTAMP"
        ),
        lambda old, new: new["unreadCount"] == 0 and new["lastReadAt"] is not None,
        id="read",
    ),
    pytest.param(
        lambda db, s: update_session(db, s, "is_primary = false, updated_at = CURRENT_TIMESTAMP"),
        lambda old, new: new["isPrimary"] is False,
        id="primary",
    ),
]


@pytest.mark.parametrize(("write", "shows"), CASES)
async def test_a_change_a_list_shows_sends_session_changed(
    live_url: str,
    factory: Factory,
    settings: Settings,
    database: Database,
    write: Callable[[Database, ChatSession], Any],
    shows: Check,
) -> None:
    world = await make_world(factory)
    variables = {"agentId": str(world.atlas.id)}
    probe = """query($id: ID!) { session(id: $id) {
        id title messageCount unreadCount isPrimary lastReadAt } }"""
    async with ws_connection(live_url, issue_token(world.cleo.id, settings)) as ws:
        id = await ws.subscribe(LIST, variables)
        await asyncio.sleep(0.3)
        query = await ws.subscribe(probe, {"id": str(world.chat.id)})
        old = (await ws.next_data(query))["session"]
        assert (await ws.receive())["type"] == "complete"
        await write(database, world.chat)
        async with asyncio.timeout(TIMEOUT):
            event = await event_where(ws, id, lambda event: shows(old, event["session"]))

    assert event["__typename"] == "SessionChanged"
    assert event["session"]["id"] == str(world.chat.id)
