"""Counts that stay cheap (SPEC, "Counting at scale"): `count(limit)` on both connections
reads at most limit + 1 rows, and `unreadCount` stops at 100."""

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import pytest

from db.engine import Database
from db.models import Agent, ChatMessage, ChatSession, User
from tests.api import Api, count_received, error_codes, introspection
from tests.factories import T0, Factory

LIST = """
query List($agent: ID!, $scope: SessionScope!, $limit: Int!) {
  agent(id: $agent) {
    sessions(scope: $scope, first: 2) {
      totalCount
      count(limit: $limit) { count precision }
      defaultCount: count { count precision }
      nodes { id unreadCount }
    }
  }
}
"""

CHAT = """
query Chat($agent: ID!, $session: ID!, $limit: Int!) {
  agent(id: $agent) {
    session(id: $session) {
      unreadCount
      messages(last: 2) {
        totalCount
        count(limit: $limit) { count precision }
        defaultCount: count { count precision }
        nodes { id }
      }
    }
  }
}
"""


def _messages(session: ChatSession, role: str, size: int, **columns: Any) -> list[ChatMessage]:
    return [
        ChatMessage(
            id=uuid.uuid4(),
            agent_id=session.agent_id,
            role=role,
            content=f"message {n}",
            conversation_id=str(session.id),
            created_at=T0 + timedelta(seconds=n),
            **columns,
        )
        for n in range(size)
    ]


@pytest.fixture
async def people(factory: Factory) -> tuple[User, User, Agent, Agent]:
    tenant = await factory.tenant()
    creator = await factory.user(tenant, role="org_admin")
    viewer = await factory.user(tenant)
    return creator, viewer, await factory.agent(creator), await factory.agent(creator, name="Peer")


def _count(n: int, exact: bool = True) -> dict[str, Any]:
    return {"count": n, "precision": "EXACT" if exact else "AT_LEAST"}


@pytest.mark.parametrize(
    ("limit", "expected"),
    [(1, _count(1, exact=False)), (3, _count(3, exact=False)), (4, _count(4)), (10, _count(4))],
)
async def test_a_session_list_counts_up_to_its_limit(
    api: Api, factory: Factory, people: tuple[User, User, Agent, Agent], limit: int, expected: Any
) -> None:
    """ALL holds the agent's sessions with a message and the a2a sessions it is the peer
    of; the bounded count agrees with totalCount below its limit and stops at it above."""
    creator, viewer, agent, peer = people
    for owner in (creator, viewer, viewer):
        await factory.session(agent, owner, messages=1)
    await factory.session(peer, source_channel="agent", peer_agent_id=agent.id, messages=1)
    await factory.session(agent, viewer)  # no message: not listed
    await factory.session(agent, viewer, messages=1, deleted_at=T0)  # deleted: not listed

    body = await api.query(
        LIST, {"agent": str(agent.id), "scope": "ALL", "limit": limit}, user=creator
    )

    sessions = body["data"]["agent"]["sessions"]
    assert sessions["totalCount"] == 4
    assert sessions["count"] == expected
    assert sessions["defaultCount"] == _count(4)


async def test_a_mine_list_counts_only_the_viewers_sessions(
    api: Api, factory: Factory, people: tuple[User, User, Agent, Agent]
) -> None:
    creator, viewer, agent, _ = people
    for owner in (creator, viewer, viewer):
        await factory.session(agent, owner, messages=1)

    variables = {"agent": str(agent.id), "scope": "MINE", "limit": 1}
    sessions = (await api.query(LIST, variables, user=viewer))["data"]["agent"]["sessions"]

    assert (sessions["totalCount"], sessions["count"]) == (2, _count(1, exact=False))
    assert sessions["defaultCount"] == _count(2)


@pytest.mark.parametrize(
    ("limit", "expected"), [(4, _count(4, exact=False)), (5, _count(5)), (10_000, _count(5))]
)
async def test_a_message_page_counts_up_to_its_limit(
    api: Api, factory: Factory, people: tuple[User, User, Agent, Agent], limit: int, expected: Any
) -> None:
    """The count is of the session's messages, not the page's and not another session's."""
    creator, _, agent, _ = people
    session = await factory.session(agent, creator)
    other = await factory.session(agent, creator)
    await factory.add(*_messages(session, "user", 5), *_messages(other, "user", 7))

    variables = {"agent": str(agent.id), "session": str(session.id), "limit": limit}
    messages = (await api.query(CHAT, variables, user=creator))["data"]["agent"]["session"]

    assert messages["messages"]["totalCount"] == 5
    assert messages["messages"]["count"] == expected
    assert messages["messages"]["defaultCount"] == _count(5)
    assert len(messages["messages"]["nodes"]) == 2


@pytest.mark.parametrize("limit", [0, -1, 10_001])
async def test_a_count_limit_out_of_range_is_bad_input(
    api: Api, factory: Factory, people: tuple[User, User, Agent, Agent], limit: int
) -> None:
    creator, _, agent, _ = people
    session = await factory.session(agent, creator, messages=1)

    listed = await api.query(
        LIST, {"agent": str(agent.id), "scope": "ALL", "limit": limit}, user=creator
    )
    chat = await api.query(
        CHAT, {"agent": str(agent.id), "session": str(session.id), "limit": limit}, user=creator
    )

    for body in (listed, chat):
        assert error_codes(body) == ["BAD_USER_INPUT"]
        assert "'limit' must be between 1 and 10000" in body["errors"][0]["message"]


@pytest.mark.parametrize(("unread", "shown"), [(99, 99), (100, 100), (130, 100)])
async def test_unread_count_stops_at_100(
    api: Api,
    factory: Factory,
    people: tuple[User, User, Agent, Agent],
    unread: int,
    shown: int,
) -> None:
    """A badge reads "99+" from 100: the count never reads more than 100 rows."""
    _, viewer, agent, _ = people
    session = await factory.session(agent, viewer, last_message_at=T0)
    await factory.add(*_messages(session, "user", 3), *_messages(session, "assistant", unread))

    variables = {"agent": str(agent.id), "session": str(session.id), "limit": 1}
    chat = (await api.query(CHAT, variables, user=viewer))["data"]["agent"]["session"]
    listed = await api.query(LIST, {**variables, "scope": "MINE"}, user=viewer)

    assert chat["unreadCount"] == shown
    assert listed["data"]["agent"]["sessions"]["nodes"] == [
        {"id": str(session.id), "unreadCount": shown}
    ]


@pytest.mark.parametrize("size", [pytest.param(3, id="3-sessions"), pytest.param(60, id="60")])
async def test_counts_cost_a_fixed_number_of_statements(
    api: Api, database: Database, factory: Factory, size: int
) -> None:
    """A list with its bounded count and unread badges, and a chat view with its count,
    send the same statements for 3 sessions of 3 messages or 60 of 60."""
    tenant = await factory.tenant()
    viewer = await factory.user(tenant)
    agent = await factory.agent(viewer)
    sessions = [
        ChatSession(
            id=uuid.uuid4(),
            tenant_id=tenant.id,
            session_type="direct",
            agent_id=agent.id,
            user_id=viewer.id,
            title=f"Session {n}",
            source_channel="web",
            created_at=T0 + timedelta(minutes=n),
            updated_at=T0 + timedelta(minutes=n),
            last_message_at=T0 + timedelta(minutes=n),
            is_primary=n == 0,
        )
        for n in range(size)
    ]
    await factory.add(*sessions)
    await factory.add(*(row for s in sessions for row in _messages(s, "assistant", size)))
    listed = """
    query List($agent: ID!) {
      agent(id: $agent) {
        sessions(scope: MINE, first: 100) { count { count } nodes { id unreadCount } }
      }
    }
    """
    chat = {"agent": str(agent.id), "session": str(sessions[0].id), "limit": 1000}

    statements = []
    for query, variables in ((listed, {"agent": str(agent.id)}), (CHAT, chat)):
        await asyncio.gather(*(api.query(query, variables, user=viewer) for _ in range(3)))
        with count_received(database) as log:
            body = await api.query(query, variables, user=viewer)
        assert "errors" not in body, body
        assert introspection(log) == [], str(log)
        statements.append(len(log))
        found = body["data"]["agent"]

    listed_sessions = (await api.query(listed, {"agent": str(agent.id)}, user=viewer))["data"]
    assert listed_sessions["agent"]["sessions"]["count"] == {"count": size}
    assert {n["unreadCount"] for n in listed_sessions["agent"]["sessions"]["nodes"]} == {size}
    assert found["session"]["messages"]["count"] == _count(size)
    assert statements == [3, 5], statements  # list: viewer with agent, page with badges, count
