"""Late commits: the platform's runtime writes tool_call rows with its checkpoint's time as
created_at, which may be older than the commit by a minute. Such a row is delivered once,
when it commits, and in cursor order among the rows that arrive with it.

The server here keeps the default window (`Settings.live_lookback`); only the tick is
short.
"""

import asyncio
import uuid
from datetime import datetime

from sqlalchemy import insert

from auth.tokens import issue_token
from db.engine import Database
from db.models import ChatMessage, ChatSession
from settings import Settings
from tests.factories import Factory
from tests.subscriptions.client import Connection, ws_connection
from tests.subscriptions.test_message_added import MESSAGE_ADDED
from tests.subscriptions.test_session_events import event_where
from tests.subscriptions.world import make_world, now

TIMEOUT = 10
COUNTS = """
subscription List($agentId: ID!, $scope: SessionScope!) {
  sessionEvents(agentId: $agentId, scope: $scope) {
    __typename
    ... on SessionAdded { session { id messageCount unreadCount } }
    ... on SessionChanged { session { id messageCount unreadCount } }
  }
}
"""


async def commit_tool_calls(
    database: Database, session: ChatSession, rows: list[tuple[str, datetime]]
) -> None:
    """Tool-call rows as the runtime writes them: its own created_at, no bump of the
    session's last_message_at, one transaction."""
    values = [
        {
            "id": uuid.uuid4(),
            "agent_id": session.agent_id,
            "role": "tool_call",
            "content": content,
            "conversation_id": str(session.id),
            "created_at": created_at,
        }
        for content, created_at in rows
    ]
    async with database.transaction() as db:
        await db.execute(insert(ChatMessage), values)


async def contents(ws: Connection, id: str, count: int) -> list[str]:
    async with asyncio.timeout(TIMEOUT):
        return [(await ws.next_data(id))["messageAdded"]["content"] for _ in range(count)]


async def test_a_row_committed_a_minute_late_is_delivered_once_in_order(
    default_window_url: str, factory: Factory, settings: Settings, database: Database
) -> None:
    world = await make_world(factory)
    async with ws_connection(default_window_url, issue_token(world.cleo.id, settings)) as ws:
        id = await ws.subscribe(MESSAGE_ADDED, {"sessionId": str(world.chat.id)})
        await asyncio.sleep(0.3)
        await factory.message(world.chat, "assistant", "on time", created_at=now())
        first = await contents(ws, id, 1)
        # One commit holding rows 55 s and 30 s old and one of now, written out of order.
        await commit_tool_calls(
            database,
            world.chat,
            [("now", now()), ("55 s late", now(-55)), ("30 s late", now(-30))],
        )
        late = await contents(ws, id, 3)
        await asyncio.sleep(0.5)  # many ticks re-read the window: nothing comes twice
        await factory.message(world.chat, "assistant", "after", created_at=now())
        after = await contents(ws, id, 1)

    assert first == ["on time"]
    assert late == ["55 s late", "30 s late", "now"]
    assert after == ["after"]


async def test_a_late_tool_call_changes_the_session_list(
    default_window_url: str, factory: Factory, settings: Settings, database: Database
) -> None:
    """The session list learns of the late row too: its counts changed."""
    world = await make_world(factory)
    variables = {"agentId": str(world.atlas.id), "scope": "MINE"}
    async with ws_connection(default_window_url, issue_token(world.cleo.id, settings)) as ws:
        id = await ws.subscribe(COUNTS, variables)
        await asyncio.sleep(0.3)
        await factory.message(world.chat, "assistant", "on time", created_at=now())
        async with asyncio.timeout(TIMEOUT):
            await event_where(ws, id, lambda event: event["session"]["messageCount"] == 3)
            await commit_tool_calls(database, world.chat, [("late", now(-50))])
            after = await event_where(ws, id, lambda event: event["session"]["messageCount"] == 4)

    assert after["__typename"] == "SessionChanged"
    assert after["session"]["unreadCount"] == 3  # tool_call rows count as unread
