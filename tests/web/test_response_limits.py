"""What one request may make the server send: one introspection, a capped size, and at
most 100 characters of the client's own input back in any message."""

import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest

from db.engine import Database
from server import create_app
from settings import Settings
from tests.api import Api, error_codes
from tests.factories import Factory

FULL_TYPE = """
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name args { name type { name } } type { name } }
  inputFields { name } interfaces { name } enumValues(includeDeprecated: true) { name }
  possibleTypes { name }
}
"""
ONE_SCHEMA = "{ __schema { types { ...FullType } } }" + FULL_TYPE
AMPLIFIER = (
    "{ " + " ".join(f"s{n}: __schema {{ types {{ ...FullType }} }}" for n in range(30)) + " }"
) + FULL_TYPE


async def app_api(database: Database, settings: Settings) -> AsyncIterator[Api]:
    transport = httpx.ASGITransport(app=create_app(settings, database))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client, settings)


@pytest.fixture
async def token_api(database: Database, settings: Settings) -> AsyncIterator[Api]:
    """The app with INTROSPECTION_REQUIRES_TOKEN=true."""
    async for api in app_api(
        database, dataclasses.replace(settings, introspection_requires_token=True)
    ):
        yield api


@pytest.fixture
async def capped_api(database: Database, settings: Settings) -> AsyncIterator[Api]:
    """The app with responses capped at 2,000 bytes."""
    async for api in app_api(database, dataclasses.replace(settings, max_response_bytes=2000)):
        yield api


async def test_one_introspection_per_document_is_served(api: Api) -> None:
    body = await api.query(ONE_SCHEMA)

    assert "errors" not in body
    assert any(t["name"] == "Session" for t in body["data"]["__schema"]["types"])


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(AMPLIFIER, id="30-aliased-schemas"),
        pytest.param(
            '{ __schema { queryType { name } } t: __type(name: "Query") { name } }',
            id="schema-and-type",
        ),
        pytest.param(
            '{ ...A ...A } fragment A on Query { a: __type(name: "Query") { name } }',
            id="one-fragment-spread-twice",
        ),
    ],
)
async def test_more_than_one_introspection_is_refused_before_it_runs(
    api: Api, document: str
) -> None:
    response = await api.post(document)

    body = response.json()
    assert "data" not in body
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "Allowed: 1 per document" in body["errors"][0]["message"]
    assert len(response.content) < 500


async def test_introspection_can_require_a_token(token_api: Api, factory: Factory) -> None:
    user = await factory.user(await factory.tenant())

    anonymous = await token_api.query("{ __schema { queryType { name } } }")
    signed_in = await token_api.query("{ __schema { queryType { name } } }", user=user)
    typename = await token_api.query("{ __typename }")

    assert error_codes(anonymous) == ["UNAUTHENTICATED"]
    assert signed_in == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    assert typename == {"data": {"__typename": "Query"}}


async def test_a_response_just_under_the_cap_is_sent(capped_api: Api) -> None:
    body = await capped_api.query('{ __type(name: "SessionScope") { enumValues { name } } }')

    assert "errors" not in body


async def test_a_response_over_the_cap_is_replaced_by_an_error(capped_api: Api) -> None:
    response = await capped_api.post(ONE_SCHEMA)

    assert response.status_code == 200
    assert response.json() == {
        "errors": [
            {
                "message": "The response would be larger than 2000 bytes: ask for less.",
                "extensions": {"code": "RESPONSE_TOO_LARGE"},
            }
        ]
    }


@pytest.mark.parametrize(
    "document",
    [
        pytest.param('{ agent(id: "%s") { id } }', id="id"),
        pytest.param("{ %s }", id="field-name"),
        pytest.param("{ agent(id: 1) { id } } query %s { __typename }", id="operation-name"),
        pytest.param('{ agent(id: "1") { sessions(first: "%s") { totalCount } } }', id="literal"),
    ],
)
async def test_messages_echo_at_most_100_characters_of_input(api: Api, document: str) -> None:
    """A 50,000-character input comes back cut, in a small response."""
    response = await api.post(document.replace("%s", "x" * 50_000))

    body = response.json()
    assert body["errors"]
    for error in body["errors"]:
        assert "x" * 101 not in error["message"]
    assert len(response.content) < 2000
