"""Production switches: introspection and GraphiQL can be turned off; GET never mutates."""

from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from db.engine import Database
from server import create_app
from settings import Settings
from tests.api import Api, error_codes
from tests.factories import Factory
from tests.snapshots import snapshot

SCHEMA_TYPES = "query Types { __schema { types { name } } }"
SESSION_TYPE = 'query Type { __type(name: "Session") { fields { name } } }'
TYPO = "query Typo { viewr { id } }"
CREATE = "mutation Create($agent: ID!) { createSession(agentId: $agent) { __typename } }"


@pytest.fixture
async def locked_api(database: Database, settings: Settings) -> AsyncIterator[Api]:
    """The app as production runs it: no introspection, no GraphiQL."""
    locked = replace(settings, introspection=False, graphiql=False)
    transport = httpx.ASGITransport(app=create_app(locked, database))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client, locked)


def test_the_switches_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """INTROSPECTION=false and GRAPHIQL=false turn both off; both are on by default."""
    monkeypatch.delenv("INTROSPECTION", raising=False)
    monkeypatch.delenv("GRAPHIQL", raising=False)
    defaults = Settings.from_env()
    monkeypatch.setenv("INTROSPECTION", "false")
    monkeypatch.setenv("GRAPHIQL", "false")

    production = Settings.from_env()

    assert (defaults.introspection, defaults.graphiql) == (True, True)
    assert (production.introspection, production.graphiql) == (False, False)


@pytest.mark.parametrize("query", [SCHEMA_TYPES, SESSION_TYPE], ids=["__schema", "__type"])
async def test_introspection_is_refused_when_switched_off(locked_api: Api, query: str) -> None:
    """With INTROSPECTION=false the schema cannot be read, by __schema or by __type."""
    body = await locked_api.query(query)

    assert body.get("data") is None
    assert set(error_codes(body)) == {"BAD_USER_INPUT"}
    assert "introspection has been disabled" in body["errors"][0]["message"]


async def test_typename_still_answers_without_introspection(locked_api: Api) -> None:
    """Clients' __typename keeps working with introspection off."""
    assert await locked_api.query("{ __typename }") == {"data": {"__typename": "Query"}}


async def test_errors_suggest_no_field_names_without_introspection(
    api: Api, locked_api: Api
) -> None:
    """ "Did you mean …?" would leak the schema, so it goes with introspection."""
    suggested = await api.query(TYPO)
    silent = await locked_api.query(TYPO)

    assert "Did you mean 'viewer'?" in suggested["errors"][0]["message"]
    assert silent["errors"][0]["message"] == "Cannot query field 'viewr' on type 'Query'."


async def test_introspection_answers_by_default(api: Api) -> None:
    """The embedded default keeps introspection on, for GraphiQL and codegen."""
    body = await api.query(SCHEMA_TYPES)

    assert "Session" in {item["name"] for item in body["data"]["__schema"]["types"]}


async def test_no_ide_page_is_served_when_graphiql_is_off(locked_api: Api) -> None:
    """With GRAPHIQL=false a browser asking for /graphql gets a refusal, not a page."""
    response = await locked_api.client.get("/graphql", headers={"Accept": "text/html"})

    assert 400 <= response.status_code < 500
    assert not response.headers["content-type"].startswith("text/html")
    assert "graphiql" not in response.text.lower()


async def test_the_ide_page_is_served_by_default(api: Api) -> None:
    """The embedded default serves GraphiQL to a browser."""
    response = await api.client.get("/graphql", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


@pytest.mark.parametrize(
    ("method", "params"),
    [
        pytest.param("GET", {"query": CREATE}, id="get"),
        pytest.param(
            "GET",
            {"query": "query Q { __typename } " + CREATE, "operationName": "Create"},
            id="get-named-among-queries",
        ),
        pytest.param("HEAD", {"query": CREATE}, id="head"),
    ],
)
async def test_a_mutation_sent_by_get_changes_nothing(
    api: Api, factory: Factory, database: Database, method: str, params: dict[str, str]
) -> None:
    """GET (and HEAD) may only read: a mutation sent that way is refused and not run."""
    tenant = await factory.tenant()
    user = await factory.user(tenant, role="org_admin")
    agent = await factory.agent(user)
    before = await snapshot(database)

    response = await api.client.request(
        method,
        "/graphql",
        params={**params, "variables": f'{{"agent": "{agent.id}"}}'},
        headers=api.headers(user),
    )

    assert 400 <= response.status_code < 500, response.text
    assert await snapshot(database) == before
