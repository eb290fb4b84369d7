"""The cost limit lets what a chat UI asks for through and refuses a page-size bomb unread."""

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import FragmentDefinitionNode, get_operation_ast, parse, print_ast

from db.engine import Database
from db.models import Agent, ChatSession, User
from schema import create_schema
from schema.cost import query_cost
from server import create_app
from settings import Settings
from tests.api import Api, count_statements, error_codes
from tests.factories import Factory

SESSION_LIST = """
query SessionList($agent: ID!, $after: String) {
  agent(id: $agent) {
    id name avatarUrl viewerAccess viewerCanSeeAllSessions
    sessions(scope: ALL, first: 50, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node {
          id title displayName sourceChannel participantType messageCount lastMessageAt
          createdAt peerAgentId peerAgentName isGroup groupName userId
          user { id displayName username avatarUrl role }
        }
      }
    }
  }
}
"""
CHAT_VIEW = """
query ChatView($agent: ID!, $session: ID!, $before: String) {
  agent(id: $agent) {
    session(id: $session) {
      id title displayName messageCount
      messages(last: 500, before: $before) {
        totalCount
        pageInfo { hasPreviousPage hasNextPage startCursor endCursor }
        edges { cursor node { ...MessageFields } }
        nodes { ...MessageFields }
      }
    }
  }
}
fragment MessageFields on Message {
  id role content thinking createdAt participantId senderName
  toolCall { name args status result }
  parts {
    __typename
    ... on TextPart { text }
    ... on ToolCallPart { toolCall { name args status result } }
  }
}
"""
BOMB = """
query Bomb($agent: ID!) {
  agent(id: $agent) {
    sessions(scope: ALL, first: 200) { nodes { id messages(first: 500) { nodes { id } } } }
  }
}
"""
VARIABLE_BOMB = """
query Bomb($agent: ID!, $sessions: Int! = 200, $messages: Int) {
  agent(id: $agent) {
    sessions(scope: ALL, first: $sessions) {
      nodes { id messages(first: $messages) { nodes { id } } }
    }
  }
}
"""
SCHEMA = create_schema(Settings())._schema
CLIENT_OPERATIONS = sorted(Path(__file__).parents[2].glob("clients/operations/*.graphql"))


def cost(query: str, variables: dict[str, Any] | None = None) -> int:
    document = parse(query)
    operation = get_operation_ast(document)
    assert operation is not None
    fragments = {
        node.name.value: node
        for node in document.definitions
        if isinstance(node, FragmentDefinitionNode)
    }
    return query_cost(SCHEMA, operation, fragments, variables or {})


@pytest.fixture
async def chat(factory: Factory) -> tuple[User, Agent, ChatSession]:
    """An admin, their agent, and a session with text, a tool call and a thought."""
    tenant = await factory.tenant()
    admin = await factory.user(tenant, role="org_admin")
    agent = await factory.agent(admin)
    session = await factory.session(agent, admin, messages=1)
    await factory.message(session, "assistant", "Looking.", thinking="search first")
    await factory.message(session, "tool_call", {"name": "search", "args": {"q": "x"}})
    return admin, agent, session


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("{ viewer { id displayName } }", 3, id="plain-fields"),
        pytest.param(
            "{ agent(id: 1) { sessions { nodes { id } } } }", 1 + 1 + 50 * 2, id="first-50"
        ),
        pytest.param(
            "{ agent(id: 1) { sessions(first: 3) { nodes { id title } } } }",
            1 + 1 + 3 * (1 + 2),
            id="first-3",
        ),
        pytest.param(
            "{ agent(id: 1) { sessions(first: 3) { totalCount nodes { id } } } }",
            1 + 1 + (1 + 10_001) + 3 * (1 + 1),
            id="total-count-reads-as-much-as-the-largest-bounded-count",
        ),
        pytest.param(
            "{ agent(id: 1) { sessions(first: 3) { count(limit: 20) { count } nodes { id } } } }",
            1 + 1 + (1 + 21 + 1) + 3 * (1 + 1),
            id="count-reads-its-limit-and-one",
        ),
        pytest.param(
            "{ agent(id: 1) { session(id: 1) { messages { ...C } } } }"
            " fragment C on MessageConnection { count { count precision } }",
            1 + 1 + 1 + (1 + 1001 + 2),
            id="default-count-through-a-fragment",
        ),
        pytest.param(
            "{ agent(id: 1) { sessions(first: 2) { nodes { messages(first: 5) {"
            " count(limit: 10) { count } nodes { id } } } } } }",
            1 + 1 + 2 * (1 + (1 + (1 + 11 + 1) + 5 * (1 + 1))),
            id="a-count-per-session-not-per-message",
        ),
        pytest.param(
            "{ agent(id: 1) { session(id: 1) { messages { nodes { id } } } } }",
            1 + 1 + 1 + 100 * 2,
            id="messages-default-100",
        ),
        pytest.param(BOMB, 1 + 1 + 200 * (1 + 1 + 1 + 500 * 2), id="bomb"),
        pytest.param(
            "{ agent(id: 1) { sessions(first: 9999) { nodes { id } } } }",
            1 + 1 + 200 * 2,
            id="clamped-to-200",
        ),
        pytest.param(
            "{ ...A ...A } fragment A on Query { viewer { id } }", 2 * 2, id="each-spread"
        ),
    ],
)
def test_the_cost_rule(query: str, expected: int) -> None:
    """A field costs 1 plus its selection's cost times its page size."""
    assert cost(query) == expected


def test_page_sizes_come_from_variables_and_their_defaults() -> None:
    """A page size given as a variable costs what the variable (or its default) says."""
    assert cost(VARIABLE_BOMB, {"agent": "1"}) == 1 + 1 + 200 * (3 + 100 * 2)
    assert cost(VARIABLE_BOMB, {"agent": "1", "sessions": 2, "messages": 5}) == 2 + 2 * (3 + 10)


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        pytest.param({"sessions": 200.0, "messages": 500.0}, 2 + 200 * (3 + 500 * 2), id="floats"),
        pytest.param({"sessions": 3.0}, 2 + 3 * (3 + 100 * 2), id="float-and-absent"),
        pytest.param({"messages": None}, 2 + 200 * (3 + 100 * 2), id="null-is-default"),
    ],
)
def test_page_sizes_are_read_as_the_executor_coerces_them(
    variables: dict[str, Any], expected: int
) -> None:
    """An integral float is the Int the executor will run with; null is the default."""
    assert cost(VARIABLE_BOMB, {"agent": "1", **variables}) == expected


@pytest.mark.parametrize("query", [SESSION_LIST, CHAT_VIEW], ids=["session-list", "chat-view"])
async def test_what_a_chat_ui_asks_for_passes(
    api: Api, chat: tuple[User, Agent, ChatSession], query: str
) -> None:
    """A 50-session list and a 500-message chat view with every field cost under the limit."""
    admin, agent, session = chat

    body = await api.query(query, {"agent": str(agent.id), "session": str(session.id)}, user=admin)

    assert "errors" not in body, body
    assert cost(query) <= Settings().max_query_cost


@pytest.mark.parametrize("path", CLIENT_OPERATIONS, ids=lambda path: path.stem)
def test_the_committed_client_operations_pass_at_their_largest_pages(path: Path) -> None:
    """Every operation of clients/operations, with every Int variable at 500, is allowed."""
    document = path.read_text()
    operation = get_operation_ast(parse(document))
    assert operation is not None
    largest = {
        definition.variable.name.value: 500
        for definition in operation.variable_definitions or ()
        if print_ast(definition.type).rstrip("!") == "Int"
    }

    assert cost(document, largest) <= Settings().max_query_cost


@pytest.mark.parametrize(
    ("query", "variables", "expected_cost"),
    [
        pytest.param(BOMB, {}, 200_602, id="literal"),
        pytest.param(VARIABLE_BOMB, {"messages": 500}, 200_602, id="variables"),
        pytest.param(
            VARIABLE_BOMB, {"sessions": 200.0, "messages": 500.0}, 200_602, id="integral-floats"
        ),
    ],
)
async def test_a_page_size_bomb_is_refused_before_it_reads_anything(
    api: Api,
    database: Database,
    chat: tuple[User, Agent, ChatSession],
    query: str,
    variables: dict[str, Any],
    expected_cost: int,
) -> None:
    """200 sessions x 500 messages is refused with its cost, and no SQL runs."""
    admin, agent, _ = chat

    with count_statements(database) as statements:
        body = await api.query(query, {"agent": str(agent.id), **variables}, user=admin)

    assert len(statements) == 0, statements
    assert body.get("data") is None and error_codes(body) == ["BAD_USER_INPUT"]
    (error,) = body["errors"]
    assert error["extensions"] == {
        "code": "BAD_USER_INPUT",
        "cost": expected_cost,
        "maxCost": 50_000,
    }
    assert error["message"].startswith(f"The query costs {expected_cost}, more than the limit")


async def test_small_pages_of_the_same_query_pass(
    api: Api, chat: tuple[User, Agent, ChatSession]
) -> None:
    """The bomb's document with small page sizes in its variables runs."""
    admin, agent, _ = chat

    body = await api.query(
        VARIABLE_BOMB, {"agent": str(agent.id), "sessions": 20, "messages": 50}, user=admin
    )

    assert "errors" not in body, body
    assert len(body["data"]["agent"]["sessions"]["nodes"]) == 1


async def test_an_out_of_range_page_size_gets_the_page_size_error(
    api: Api, chat: tuple[User, Agent, ChatSession]
) -> None:
    """first: 100000 is clamped for costing, so the field's own, clearer error answers."""
    admin, agent, _ = chat

    body = await api.query(
        "query($agent: ID!) { agent(id: $agent) { sessions(first: 100000) { nodes { id } } } }",
        {"agent": str(agent.id)},
        user=admin,
    )

    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"] == "'first' must be between 1 and 200; got 100000."


@pytest.fixture
async def frugal_api(database: Database, settings: Settings) -> AsyncIterator[Api]:
    frugal = replace(settings, max_query_cost=100)
    transport = httpx.ASGITransport(app=create_app(frugal, database))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client, frugal)


async def test_the_cost_limit_is_configurable(
    frugal_api: Api, chat: tuple[User, Agent, ChatSession]
) -> None:
    """With MAX_QUERY_COST=100, a default 50-session page of two fields is refused."""
    admin, agent, _ = chat

    body = await frugal_api.query(
        "query($agent: ID!) { agent(id: $agent) { sessions { nodes { id title } } } }",
        {"agent": str(agent.id)},
        user=admin,
    )

    assert body["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "cost": 152,
        "maxCost": 100,
    }
