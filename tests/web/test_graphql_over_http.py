"""The GraphQL-over-HTTP transport rules of `web/http.py`, over HTTP, and graphql-http's audit."""

import asyncio
import dataclasses
import json
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from graphql import GraphQLError
from sqlalchemy import func, select
from starlette.requests import Request
from strawberry.types.execution import PreExecutionError

from db.engine import Database
from db.migrate import upgrade
from db.models import ChatSession, User
from schema import create_schema
from server import create_app
from settings import Settings
from tests.api import Api, error_codes
from tests.factories import Factory
from web import http
from web.graphql_view import GraphQLView

ROOT = Path(__file__).resolve().parents[2]
AUDIT_SCRIPT = ROOT / "tests" / "web" / "audit.mjs"
GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"

TYPENAME = "{ __typename }"
TYPE_BY_NAME = "query Type($name: String!) { __type(name: $name) { name } }"
VIEWER = "{ viewer { id } }"
CREATE_SESSION = """
mutation Create($agentId: ID!) {
  createSession(agentId: $agentId, title: "Over GET") { __typename }
}
"""


def assert_refused(response: httpx.Response, status: int, media_type: str = JSON) -> None:
    """A refusal: that status, and a well-formed GraphQL response with coded errors, no data."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    body = response.json()
    assert set(body) == {"errors"}, body
    assert body["errors"] and all(isinstance(e["message"], str) for e in body["errors"]), body
    assert set(error_codes(body)) == {"BAD_USER_INPUT"}, body


async def post(
    api: Api, payload: object, accept: str | None = None, **headers: str
) -> httpx.Response:
    if accept is not None:
        headers["accept"] = accept
    return await api.client.post("/graphql", content=json.dumps(payload), headers=headers)


async def post_json(api: Api, payload: object, accept: str | None = None) -> httpx.Response:
    return await post(api, payload, accept, **{"content-type": JSON})


async def session_count(database: Database) -> int:
    async with database.session() as session:
        return await session.scalar(select(func.count()).select_from(ChatSession)) or 0


@pytest.fixture
async def creator(factory: Factory) -> User:
    """A user who may start sessions with `agent_id` below: the agent's creator."""
    return await factory.user(await factory.tenant())


@pytest.fixture
async def agent_id(factory: Factory, creator: User) -> str:
    return str((await factory.agent(creator)).id)


# Content negotiation


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        pytest.param(GRAPHQL_RESPONSE, GRAPHQL_RESPONSE, id="graphql-response"),
        pytest.param(JSON, JSON, id="json"),
        pytest.param("*/*", JSON, id="any"),
        pytest.param("application/*", JSON, id="any-application"),
        pytest.param(None, JSON, id="no-accept"),
        pytest.param(
            f"{GRAPHQL_RESPONSE}; charset=utf-8, {JSON}; charset=utf-8",
            GRAPHQL_RESPONSE,
            id="recommended-header",
        ),
        pytest.param(f"{JSON}, {GRAPHQL_RESPONSE}", JSON, id="first-listed-wins-a-tie"),
        pytest.param(f"{JSON};q=0.5, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE, id="higher-q"),
        pytest.param(f"*/*, {GRAPHQL_RESPONSE};q=0.1", JSON, id="wildcard-with-higher-q"),
        pytest.param(f"{JSON};q=0, */*", GRAPHQL_RESPONSE, id="json-refused"),
        pytest.param("text/html, application/json;q=0.9", JSON, id="browser-like"),
    ],
)
async def test_the_accept_header_picks_the_media_type(
    api: Api, accept: str | None, media_type: str
) -> None:
    """A query answers in the media type the Accept header prefers, with its charset."""
    response = await post_json(api, {"query": TYPENAME}, accept)

    assert response.status_code == 200
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    assert "accept" in response.headers["vary"].lower()
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    "accept",
    [
        pytest.param("text/html", id="html"),
        pytest.param("application/xml, text/plain", id="other-types"),
        pytest.param(f"{JSON};q=0", id="json-with-q-0"),
        pytest.param(f"{JSON}; charset=iso-8859-1", id="other-charset"),
    ],
)
async def test_an_accept_header_without_a_graphql_media_type_is_406(api: Api, accept: str) -> None:
    """A client that accepts neither GraphQL media type is told so, and nothing runs."""
    response = await post_json(api, {"query": TYPENAME}, accept)

    assert_refused(response, 406)
    assert GRAPHQL_RESPONSE in response.headers["accept"]


REQUEST_ERRORS = [
    pytest.param({"query": "{"}, id="does-not-parse"),
    pytest.param({"query": ""}, id="empty-document"),
    pytest.param({"query": "{ noSuchField }"}, id="fails-validation"),
    pytest.param({"query": TYPE_BY_NAME, "variables": {"name": None}}, id="variable-null"),
    pytest.param({"query": TYPE_BY_NAME, "variables": {"name": 7}}, id="variable-wrong-type"),
    pytest.param({"query": TYPE_BY_NAME}, id="variable-missing"),
    pytest.param({"query": TYPENAME, "operationName": "Nope"}, id="unknown-operation"),
    pytest.param({"query": "subscription { x }"}, id="subscription"),
]


@pytest.mark.parametrize("payload", REQUEST_ERRORS)
async def test_request_errors_are_400_without_data_as_graphql_response_json(
    api: Api, payload: dict[str, Any]
) -> None:
    """A request error is 400 with no data entry when the client takes the new media type."""
    response = await post_json(api, payload, GRAPHQL_RESPONSE)

    assert_refused(response, 400, GRAPHQL_RESPONSE)


@pytest.mark.parametrize("accept", [pytest.param(JSON, id="json"), pytest.param(None, id="none")])
@pytest.mark.parametrize("payload", REQUEST_ERRORS)
async def test_request_errors_are_200_without_data_as_json(
    api: Api, payload: dict[str, Any], accept: str | None
) -> None:
    """Legacy clients get the same request error with status 200, as the spec asks."""
    response = await post_json(api, payload, accept)

    assert_refused(response, 200, JSON)


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
async def test_field_errors_are_200_with_data_in_both_media_types(api: Api, accept: str) -> None:
    """An error raised while executing is a partial response: 200, data present (null)."""
    response = await post_json(api, {"query": VIEWER}, accept)

    assert response.status_code == 200
    assert response.headers["content-type"] == f"{accept}; charset=utf-8"
    body = response.json()
    assert body["data"] is None
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_an_error_that_escapes_the_schema_still_leaves_masked_and_coded(
    database: Database, settings: Settings
) -> None:
    """An unexpected request error is INTERNAL_SERVER_ERROR, its details hidden, status 500."""
    view = GraphQLView(create_schema(settings), database, settings)
    leaked = GraphQLError("secret detail", original_error=RuntimeError("secret detail"))
    request = Request({"type": "http", "method": "POST", "headers": []})

    body = await view.process_result(request, PreExecutionError(data=None, errors=[leaked]))

    assert body == {
        "errors": [
            {"message": "Internal server error.", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
        ]
    }
    assert http.status_code(GRAPHQL_RESPONSE, body) == 500
    assert http.status_code(JSON, body) == 200


# GET


async def test_get_runs_a_query_with_url_encoded_parameters(api: Api) -> None:
    """Variables come as a JSON string; an empty operationName means none."""
    params = {"query": TYPE_BY_NAME, "variables": '{"name": "Query"}', "operationName": ""}

    response = await api.client.get("/graphql", params=params, headers={"accept": JSON})

    assert response.status_code == 200
    assert response.json() == {"data": {"__type": {"name": "Query"}}}


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({}, id="no-query"),
        pytest.param({"query": TYPE_BY_NAME, "variables": "{not json"}, id="variables-not-json"),
        pytest.param({"query": TYPE_BY_NAME, "variables": "[1]"}, id="variables-not-a-map"),
    ],
)
async def test_malformed_get_requests_are_400(api: Api, params: dict[str, str]) -> None:
    """A GET that is not a well-formed GraphQL-over-HTTP request is a 400."""
    response = await api.client.get("/graphql", params=params, headers={"accept": JSON})

    assert_refused(response, 400)


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
async def test_a_mutation_over_get_is_405_and_changes_nothing(
    api: Api, database: Database, creator: User, agent_id: str, accept: str
) -> None:
    """GET is safe: a mutation is refused with Allow: POST and no session is created."""
    params = {"query": CREATE_SESSION, "variables": json.dumps({"agentId": agent_id})}
    headers = {**api.headers(creator), "accept": accept}

    response = await api.client.get("/graphql", params=params, headers=headers)

    assert_refused(response, 405, accept)
    assert response.headers["allow"] == "POST"
    assert await session_count(database) == 0


async def test_the_same_mutation_over_post_creates_the_session(
    api: Api, database: Database, creator: User, agent_id: str
) -> None:
    """The control for the GET test: over POST the mutation does run."""
    body = await api.query(CREATE_SESSION, {"agentId": agent_id}, user=creator)

    assert body == {"data": {"createSession": {"__typename": "Session"}}}
    assert await session_count(database) == 1


async def test_graphiql_is_served_to_browsers(api: Api) -> None:
    """A GET without a query that accepts HTML still opens GraphiQL."""
    response = await api.client.get("/graphql", headers={"accept": "text/html,*/*;q=0.8"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


async def test_without_graphiql_a_get_without_query_is_400(
    database: Database, settings: Settings
) -> None:
    """With GraphiQL turned off, a bare GET is a malformed request, not a 404."""
    app = create_app(dataclasses.replace(settings, graphiql=False), database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/graphql", headers={"accept": "text/html,*/*;q=0.8"})

    assert_refused(response, 400)


# POST


@pytest.mark.parametrize(
    "content_type",
    [
        pytest.param(None, id="none"),
        pytest.param("text/plain", id="text-plain"),
        pytest.param("text/plain;charset=UTF-8", id="text-plain-utf8"),
        pytest.param("application/x-www-form-urlencoded", id="form"),
        pytest.param("multipart/form-data; boundary=x", id="multipart"),
        pytest.param("application/graphql", id="graphql"),
        pytest.param(f"{JSON}; charset=iso-8859-1", id="json-in-latin-1"),
    ],
)
async def test_a_post_body_that_is_not_json_is_415_and_changes_nothing(
    api: Api, database: Database, creator: User, agent_id: str, content_type: str | None
) -> None:
    """Only JSON bodies run: a form or text/plain post (no CORS preflight) creates nothing."""
    payload = {"query": CREATE_SESSION, "variables": {"agentId": agent_id}}
    headers = api.headers(creator) | ({"content-type": content_type} if content_type else {})

    response = await api.client.post("/graphql", content=json.dumps(payload), headers=headers)

    assert_refused(response, 415)
    assert await session_count(database) == 0


async def test_json_with_an_explicit_utf8_charset_is_accepted(api: Api) -> None:
    """`application/json; charset=UTF-8` is the same media type as plain application/json."""
    query = '{ __type(name: "Run🏃Swim🏊") { name } }'

    response = await post(api, {"query": query}, **{"content-type": f"{JSON}; charset=UTF-8"})

    assert response.status_code == 200
    assert response.json() == {"data": {"__type": None}}


def padded(size: int) -> bytes:
    """A valid request body of exactly `size` bytes."""
    empty = json.dumps({"query": TYPENAME, "extensions": {"pad": ""}}).encode()
    return json.dumps(
        {"query": TYPENAME, "extensions": {"pad": "x" * (size - len(empty))}}
    ).encode()


async def test_a_body_at_the_size_limit_is_served(api: Api) -> None:
    """max_body_bytes is inclusive."""
    body = padded(api.settings.max_body_bytes)

    response = await api.client.post("/graphql", content=body, headers={"content-type": JSON})

    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def chunks(body: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(body), 8192):
        yield body[start : start + 8192]


@pytest.mark.parametrize(
    "how",
    [
        pytest.param("declared", id="content-length"),
        pytest.param("chunked", id="chunked-without-length"),
        pytest.param("understated", id="content-length-too-small"),
    ],
)
async def test_a_body_over_the_size_limit_is_413(api: Api, how: str) -> None:
    """One byte over the limit is refused, whether or not Content-Length says so."""
    body = padded(api.settings.max_body_bytes + 1)
    headers = {"content-type": JSON}
    content: bytes | AsyncIterator[bytes] = body
    if how == "chunked":
        content = chunks(body)
    elif how == "understated":
        headers["content-length"] = "100"

    response = await api.client.post("/graphql", content=content, headers=headers)

    assert_refused(response, 413)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b'{"query": "{ __typename }"', id="truncated"),
        pytest.param(b"NONSENSE", id="not-json"),
        pytest.param(b'{"query": "\xff"}', id="not-utf8"),
        pytest.param(b"null", id="null"),
        pytest.param(b"[]", id="array"),
        pytest.param(b'[{"query": "{ __typename }"}]', id="batch"),
        pytest.param(b'"{ __typename }"', id="string"),
        pytest.param(b"7", id="number"),
    ],
)
async def test_a_body_that_is_not_a_json_object_is_400(api: Api, body: bytes) -> None:
    """Malformed JSON, or JSON that is not an object, is a malformed request."""
    response = await api.client.post("/graphql", content=body, headers={"content-type": JSON})

    assert_refused(response, 400)


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({}, id="no-query"),
        pytest.param({"qeury": TYPENAME}, id="misspelt-query"),
        pytest.param({"query": None}, id="null-query"),
        pytest.param({"query": 0}, id="number-query"),
        pytest.param({"query": False}, id="boolean-query"),
        pytest.param({"query": [TYPENAME]}, id="array-query"),
        pytest.param({"query": {"obj": "ect"}}, id="object-query"),
        pytest.param({"query": TYPENAME, "operationName": 0}, id="number-operation-name"),
        pytest.param({"query": TYPENAME, "operationName": ["Q"]}, id="array-operation-name"),
        pytest.param({"query": TYPENAME, "variables": "{}"}, id="string-variables"),
        pytest.param({"query": TYPENAME, "variables": [7]}, id="array-variables"),
        pytest.param({"query": TYPENAME, "extensions": "x"}, id="string-extensions"),
        pytest.param({"query": TYPENAME, "extensions": False}, id="boolean-extensions"),
    ],
)
async def test_parameters_of_the_wrong_shape_are_400(
    api: Api, payload: dict[str, Any], accept: str
) -> None:
    """A missing or non-string query, or a parameter of the wrong type, is a 400."""
    response = await post_json(api, payload, accept)

    assert_refused(response, 400, accept)


async def test_null_optional_parameters_mean_absent(api: Api) -> None:
    """operationName, variables and extensions may each be null."""
    payload = {"query": TYPENAME, "operationName": None, "variables": None, "extensions": None}

    response = await post_json(api, payload, GRAPHQL_RESPONSE)

    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


# Methods


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE"])
async def test_other_methods_are_405_with_allow(api: Api, method: str) -> None:
    """Only GET and POST are served; the 405 says so in its Allow header."""
    response = await api.client.request(
        method, "/graphql", params={"query": TYPENAME}, headers={"accept": JSON}
    )

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    if method != "HEAD":
        assert_refused(response, 405)


# The graphql-http audit, against the real server over TCP


def node_skip_reason() -> str | None:
    node = shutil.which("node")
    if node is None:
        return "node is not installed: the graphql-http audit needs Node.js 18 or newer"
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True)
    if int(version.stdout.strip().lstrip("v").split(".")[0]) < 18:
        return f"node {version.stdout.strip()} is too old: the audit needs Node.js 18 (fetch)"
    if not (ROOT / "node_modules" / "graphql-http" / "package.json").exists():
        return "node_modules/graphql-http is missing: run `npm ci` (make test does)"
    return None


NODE_SKIP_REASON = node_skip_reason()


@pytest.fixture(scope="module")
def live_url(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served by uvicorn on a free local port, over a migrated SQLite database."""
    directory = tmp_path_factory.mktemp("audit")
    database = Database.from_url(f"sqlite+aiosqlite:///{directory / 'audit.db'}")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings, database), log_level="warning", lifespan="on", ws="none"
    )
    server = uvicorn.Server(config)

    async def serve() -> None:
        await upgrade(database)
        await server.serve(sockets=[listener])

    thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/graphql"
    server.should_exit = True
    thread.join(timeout=15)
    listener.close()


@pytest.mark.skipif(NODE_SKIP_REASON is not None, reason=NODE_SKIP_REASON or "")
def test_the_graphql_http_audit_passes_every_audit(live_url: str) -> None:
    """graphql-http's server audit (MUST, SHOULD and MAY) reports every audit ok."""
    run = subprocess.run(
        ["node", str(AUDIT_SCRIPT), live_url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )

    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout)
    failed = [result for result in results if result["status"] != "ok"]
    assert results and not failed, json.dumps(failed, indent=2)
