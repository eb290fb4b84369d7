"""Depth, alias and token limits: each refuses with a clear BAD_USER_INPUT error, quickly."""

import time
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from db.engine import Database
from server import create_app
from settings import Settings
from tests.api import Api, count_statements, error_codes
from tests.factories import Factory

DEEP_UNKNOWN = "query Deep { viewer " + "{ a " * 13 + "{ b }" + " }" * 13 + " }"
AGENT_PAGE = """
query Page {
  agent(id: "00000000-0000-0000-0000-000000000000") {
    sessions { nodes { messages { nodes { id } } } }
  }
}
"""
ALIASES = "query Many { " + " ".join(f"a{n}: __typename" for n in range(31)) + " }"
LONG = "query Long { " + "__typename " * 2000 + "}"
# Each fragment spreads the next ten times: 10^19 paths through a 1.8 KB document.
# Nine fields with selections: as deep as this schema goes.
DEEPEST = """
query Deepest($agent: ID!) {
  agent(id: $agent) { sessions { edges { node { messages { edges { node { parts {
    ... on ToolCallPart { toolCall { name } }
  } } } } } } } }
}
"""
FRAGMENT_FAN = "query Fan { ...F0 } " + " ".join(
    f"fragment F{n} on Query {{ {' '.join([f'...F{n + 1}'] * 10)} }}" for n in range(19)
)


@pytest.fixture
async def strict_api(database: Database, settings: Settings) -> AsyncIterator[Api]:
    """The app with small limits, to reach them with ordinary queries."""
    strict = replace(settings, max_query_depth=3, max_aliases=2, max_tokens=40)
    transport = httpx.ASGITransport(app=create_app(strict, database))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client, strict)


async def refusal(api: Api, database: Database, query: str) -> list[str]:
    """The messages of a refused document; it must not have run a single statement."""
    with count_statements(database) as statements:
        body = await api.query(query)
    assert body.get("data") is None and len(statements) == 0, body
    assert set(error_codes(body)) == {"BAD_USER_INPUT"}, body
    return [error["message"] for error in body["errors"]]


async def test_a_document_deeper_than_the_limit_is_refused(api: Api, database: Database) -> None:
    """Nesting beyond MAX_QUERY_DEPTH (12) is refused, whatever the fields are."""
    messages = await refusal(api, database, DEEP_UNKNOWN)

    assert "'Deep' exceeds maximum operation depth of 12" in messages


async def test_the_deepest_query_the_schema_allows_passes(api: Api, factory: Factory) -> None:
    """Depth 12 leaves room above the schema's deepest path (9), so no real query hits it."""
    user = await factory.user(await factory.tenant())
    agent = await factory.agent(user)
    session = await factory.session(agent, user)
    await factory.message(session, "tool_call", {"name": "search"})
    await factory.message(session, "user", "thanks")

    body = await api.query(DEEPEST, {"agent": str(agent.id)}, user=user)

    assert "errors" not in body, body
    (edge,) = body["data"]["agent"]["sessions"]["edges"]
    call, thanks = edge["node"]["messages"]["edges"]
    assert call["node"]["parts"] == [{"toolCall": {"name": "search"}}]
    assert thanks["node"]["parts"] == [{}]


async def test_the_depth_limit_is_configurable(strict_api: Api, database: Database) -> None:
    """With MAX_QUERY_DEPTH=3, a valid four-level query is refused before it runs."""
    messages = await refusal(strict_api, database, AGENT_PAGE)

    assert messages == ["'Page' exceeds maximum operation depth of 3"]


async def test_more_aliases_than_the_limit_are_refused(api: Api, database: Database) -> None:
    """More than MAX_ALIASES (30) aliases are refused."""
    assert await refusal(api, database, ALIASES) == ["31 aliases found. Allowed: 30"]


async def test_the_alias_limit_is_configurable(strict_api: Api, database: Database) -> None:
    """With MAX_ALIASES=2, three aliases are refused."""
    messages = await refusal(strict_api, database, "{ a: __typename b: __typename c: __typename }")

    assert messages == ["3 aliases found. Allowed: 2"]


async def test_a_document_with_too_many_tokens_is_refused(api: Api, database: Database) -> None:
    """More than MAX_TOKENS (2000) tokens stop the parser."""
    (message,) = await refusal(api, database, LONG)

    assert "Document contains more than 2000 tokens" in message


async def test_the_token_limit_is_configurable(strict_api: Api, database: Database) -> None:
    """With MAX_TOKENS=40, a 50-token document is refused."""
    (message,) = await refusal(strict_api, database, "{ " + "__typename " * 48 + "}")

    assert "more than 40 tokens" in message


@pytest.mark.parametrize(
    ("leaf", "expected"),
    [
        pytest.param(
            "a: __typename", "10000000000000000000 aliases found. Allowed: 30", id="aliases"
        ),
        pytest.param(
            "viewer " + "{ a " * 13 + "{ b }" + " }" * 13,
            "'Fan' exceeds maximum operation depth of 12",
            id="depth",
        ),
    ],
)
async def test_fragments_that_fan_out_are_measured_without_walking_every_path(
    api: Api, database: Database, leaf: str, expected: str
) -> None:
    """Fragments spreading fragments many times over are refused at once, not walked."""
    started = time.perf_counter()

    messages = await refusal(api, database, FRAGMENT_FAN + f" fragment F19 on Query {{ {leaf} }}")

    assert expected in messages
    # Walking all 10^19 paths would never end (it did, with Strawberry's own limiters).
    assert time.perf_counter() - started < 5
