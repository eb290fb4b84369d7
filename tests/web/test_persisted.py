"""Persisted operations (`web/persisted.py`) over HTTP: APQ as Apollo speaks it, and the
trusted-documents allow-list."""

import dataclasses
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from auth.tokens import issue_token
from db.engine import Database
from server import create_app
from settings import Settings
from tests.api import Api, error_codes
from tests.clients.live_server import live_server
from tests.factories import Factory
from tests.subscriptions.client import ws_connection
from web.persisted import COMMITTED_MANIFEST, DocumentStore, sha256

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
OPERATIONS = Path(__file__).resolve().parents[2] / "clients" / "operations"

TYPENAME = "query Typename { __typename }"
VIEWER = "query Viewer { __typename }"
INTROSPECTION = "{ __schema { queryType { name } } }"
INVALID = "{ noSuchField }"
VIEWER_ID = "query ViewerId { viewer { id } }"
CREATE_SESSION = 'mutation { createSession(agentId: "x", title: "t") { __typename } }'


def persisted(document: str | None = None, *, key: str | None = None) -> dict[str, Any]:
    """An APQ request: the hash (of `document` unless given), with or without the document."""
    key = key or sha256(document or "")
    payload: dict[str, Any] = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": key}}}
    if document is not None:
        payload["query"] = document
    return payload


async def post(api: Api, payload: dict[str, Any], accept: str = JSON) -> httpx.Response:
    return await api.client.post("/graphql", json=payload, headers={"accept": accept})


async def get(api: Api, payload: dict[str, Any], accept: str = JSON) -> httpx.Response:
    params = {
        name: value if isinstance(value, str) else json.dumps(value)
        for name, value in payload.items()
    }
    return await api.client.get("/graphql", params=params, headers={"accept": accept})


def assert_request_error(response: httpx.Response, code: str, accept: str = JSON) -> str:
    """A refusal as a request error (rule 9): status by media type, no data; its message."""
    assert response.status_code == (400 if accept == GRAPHQL_RESPONSE else 200), response.text
    assert response.headers["content-type"] == f"{accept}; charset=utf-8"
    body = response.json()
    assert set(body) == {"errors"}, body
    assert error_codes(body) == [code], body
    return body["errors"][0]["message"]


@asynccontextmanager
async def app_api(database: Database, settings: Settings) -> AsyncIterator[Api]:
    app = create_app(settings, database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client, settings)


# Automatic persisted queries


@pytest.mark.parametrize("accept", [JSON, GRAPHQL_RESPONSE])
async def test_an_unknown_hash_is_persisted_query_not_found(api: Api, accept: str) -> None:
    """An unseen hash asks the client for the document, as Apollo's link expects."""
    response = await post(api, persisted(key="0" * 64), accept)

    message = assert_request_error(response, "PERSISTED_QUERY_NOT_FOUND", accept)
    assert message == "PersistedQueryNotFound"


async def test_a_hash_with_its_document_runs_and_registers_it(api: Api) -> None:
    """Hash and document run; afterwards the hash alone runs it, by POST and by GET."""
    registered = await post(api, persisted(TYPENAME))
    assert registered.json() == {"data": {"__typename": "Query"}}

    by_post = await post(api, persisted(key=sha256(TYPENAME)))
    by_get = await get(api, persisted(key=sha256(TYPENAME)), GRAPHQL_RESPONSE)

    assert by_post.status_code == 200 and by_post.json() == {"data": {"__typename": "Query"}}
    assert by_get.status_code == 200 and by_get.json() == {"data": {"__typename": "Query"}}


async def test_a_get_with_only_the_hash_is_a_short_stable_url(api: Api) -> None:
    """The hash-only GET has no document in its URL, so a cache may key on it."""
    await post(api, persisted(TYPENAME))

    first = await get(api, persisted(key=sha256(TYPENAME)))
    second = await get(api, persisted(key=sha256(TYPENAME)))

    assert first.request.url == second.request.url
    assert "query=" not in str(first.request.url) and len(str(first.request.url)) < 200
    assert first.json() == second.json() == {"data": {"__typename": "Query"}}
    assert "accept" in first.headers["vary"].lower()


async def test_a_hash_that_is_not_the_documents_is_refused_and_not_registered(api: Api) -> None:
    """A document sent under another document's hash does not run, and is not stored."""
    key = sha256("{ viewer { id } }")

    response = await post(api, persisted(TYPENAME, key=key), GRAPHQL_RESPONSE)

    message = assert_request_error(response, "PERSISTED_QUERY_HASH_MISMATCH", GRAPHQL_RESPONSE)
    assert "sha256Hash" in message
    later = await post(api, persisted(key=key))
    assert_request_error(later, "PERSISTED_QUERY_NOT_FOUND")


async def test_a_document_that_does_not_validate_is_not_registered(api: Api) -> None:
    """Only a document that parses and validates is stored under its hash."""
    failed = await post(api, persisted(INVALID))
    assert "data" not in failed.json()

    response = await post(api, persisted(key=sha256(INVALID)))

    assert_request_error(response, "PERSISTED_QUERY_NOT_FOUND")


@pytest.mark.parametrize(
    "extension",
    [
        pytest.param({"version": 2, "sha256Hash": "0" * 64}, id="version-2"),
        pytest.param({"version": 1, "sha256Hash": "not-a-hash"}, id="not-hex"),
        pytest.param({"version": 1}, id="no-hash"),
        pytest.param("0" * 64, id="not-an-object"),
    ],
)
async def test_a_malformed_persisted_query_extension_is_bad_user_input(
    api: Api, extension: object
) -> None:
    """A persistedQuery extension of the wrong shape is the client's mistake."""
    payload = {"query": TYPENAME, "extensions": {"persistedQuery": extension}}

    response = await post(api, payload, GRAPHQL_RESPONSE)

    assert_request_error(response, "BAD_USER_INPUT", GRAPHQL_RESPONSE)


async def test_a_mutation_by_hash_over_get_is_still_405(api: Api) -> None:
    """A stored mutation does not become runnable by GET."""
    await post(api, persisted(CREATE_SESSION))

    response = await get(api, persisted(key=sha256(CREATE_SESSION)))

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


async def test_with_apq_off_a_hash_is_persisted_query_not_supported(
    database: Database, settings: Settings
) -> None:
    """APQ_CACHE_BYTES=0: Apollo's link is told to stop sending hashes."""
    async with app_api(database, dataclasses.replace(settings, apq_cache_bytes=0)) as api:
        response = await post(api, persisted(TYPENAME))
        plain = await post(api, {"query": TYPENAME})

        message = assert_request_error(response, "PERSISTED_QUERY_NOT_SUPPORTED")
        assert message == "PersistedQueryNotSupported"
        assert plain.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    "accept",
    [
        pytest.param("*/*", id="any"),
        pytest.param(None, id="no-accept"),
        pytest.param("text/html,application/xhtml+xml,*/*;q=0.8", id="browser"),
    ],
)
@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(persisted(key=sha256(TYPENAME)), id="hash-only"),
        pytest.param({"query": TYPENAME}, id="query"),
    ],
)
async def test_a_get_with_request_parameters_is_an_api_request_whatever_its_accept(
    api: Api, payload: dict[str, Any], accept: str | None
) -> None:
    """curl's and httpx's `*/*`, no Accept at all, or a browser's: the operation runs."""
    await post(api, persisted(TYPENAME))
    params = {
        name: value if isinstance(value, str) else json.dumps(value)
        for name, value in payload.items()
    }
    request = api.client.build_request("GET", "/graphql", params=params)
    if accept is None:
        del request.headers["accept"]
    else:
        request.headers["accept"] = accept

    response = await api.client.send(request)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == f"{JSON}; charset=utf-8"
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("accept", [None, "*/*", JSON])
async def test_graphiql_is_only_for_a_browser_navigation(api: Api, accept: str | None) -> None:
    """A bare GET that does not ask for HTML by name is a malformed API request, not a page."""
    request = api.client.build_request("GET", "/graphql")
    if accept is None:
        del request.headers["accept"]
    else:
        request.headers["accept"] = accept

    response = await api.client.send(request)

    assert response.status_code == 400
    assert error_codes(response.json()) == ["BAD_USER_INPUT"]


async def test_an_authorized_get_is_never_stored_by_a_shared_cache(
    api: Api, factory: Factory
) -> None:
    """A GET with a token answers what that viewer may read: private, no-store."""
    viewer = await factory.user(await factory.tenant())
    await post(api, persisted(VIEWER_ID))
    params = {"extensions": json.dumps(persisted(key=sha256(VIEWER_ID))["extensions"])}

    response = await api.client.get("/graphql", params=params, headers=api.headers(viewer))
    refused = await api.client.get(
        "/graphql", params={"documentId": "0" * 64}, headers=api.headers(viewer)
    )

    assert response.json() == {"data": {"viewer": {"id": str(viewer.id)}}}
    for answer in (response, refused):
        directives = {part.strip() for part in answer.headers["cache-control"].split(",")}
        assert {"private", "no-store"} <= directives and "public" not in directives


async def test_one_client_cannot_push_out_anothers_documents(
    database: Database, settings: Settings, factory: Factory
) -> None:
    """An anonymous client registering large documents, from one address or several,
    pushes out its own documents, not those a signed-in client registered."""
    viewer = await factory.user(await factory.tenant())
    small = dataclasses.replace(settings, apq_cache_bytes=4_000, apq_client_bytes=1_000)
    app = create_app(small, database)

    def client(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 4000))
        return httpx.AsyncClient(transport=transport, base_url="http://testserver")

    async with client("10.0.0.1") as own, client("10.0.0.2") as other, client("10.0.0.3") as third:
        token = {"authorization": f"Bearer {issue_token(viewer.id, small)}"}
        mine = await own.post("/graphql", json=persisted(VIEWER_ID), headers=token)
        assert mine.json() == {"data": {"viewer": {"id": str(viewer.id)}}}
        for n in range(40):
            flood = f"query Flood{n} {{ __typename {' '.join(['__typename'] * 30)} }}"
            for attacker in (other, third):
                await attacker.post("/graphql", json=persisted(flood))

        again = await own.post("/graphql", json=persisted(key=sha256(VIEWER_ID)), headers=token)
        latest = await other.post("/graphql", json=persisted(key=sha256(flood)))
        first = await other.post(
            "/graphql",
            json=persisted(
                key=sha256(f"query Flood0 {{ __typename {' '.join(['__typename'] * 30)} }}")
            ),
        )

    assert again.json() == {"data": {"viewer": {"id": str(viewer.id)}}}
    assert latest.json() == {"data": {"__typename": "Query"}}
    assert error_codes(first.json()) == ["PERSISTED_QUERY_NOT_FOUND"]


def test_the_store_keeps_each_clients_share() -> None:
    """Past its own share a client loses its own oldest; past the whole store, the client
    holding the most loses its oldest: never one that holds less."""
    store = DocumentStore(max_bytes=40, client_bytes=20)
    store.put("a1", "a" * 10, "a")
    store.put("b1", "b" * 10, "b")
    store.put("b2", "b" * 10, "b")
    store.put("b3", "b" * 10, "b")  # b past its share: b1 out

    assert store.get("b1") is None and store.held_by("b") == 20
    store.put("c1", "c" * 10, "c")  # 40 in all
    store.put("c2", "c" * 10, "c")  # 50: b and c hold 20 each; c, registering, gives up c1

    assert [store.get(key) is not None for key in ("a1", "b2", "b3", "c1", "c2")] == [
        True,
        True,
        True,
        False,
        True,
    ]
    assert store.size == 40


def test_the_store_drops_the_least_recently_used_past_its_size() -> None:
    """The APQ store is bounded in bytes, and a read makes a document recent again."""
    store = DocumentStore(max_bytes=30)
    store.put("a", "a" * 10)
    store.put("b", "b" * 10)
    store.put("c", "c" * 10)
    assert store.get("a") == "a" * 10

    store.put("d", "d" * 10)

    assert store.get("b") is None
    assert [store.get(key) is not None for key in "acd"] == [True, True, True]
    assert store.size == 30
    store.put("huge", "x" * 31)
    assert store.get("huge") is None and len(store) == 3


# Trusted documents


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "persisted-documents.json"
    path.write_text(json.dumps({f"sha256:{sha256(VIEWER)}": VIEWER}))
    return path


@pytest.fixture
async def trusted_api(database: Database, settings: Settings, manifest: Path) -> AsyncIterator[Api]:
    trusted = dataclasses.replace(settings, trusted_documents=str(manifest))
    async with app_api(database, trusted) as api:
        yield api


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(persisted(key=sha256(VIEWER)), id="apq-hash"),
        pytest.param({"documentId": f"sha256:{sha256(VIEWER)}"}, id="document-id"),
        pytest.param({"query": VIEWER}, id="exact-text"),
        pytest.param(persisted(VIEWER), id="hash-and-text"),
    ],
)
async def test_a_trusted_document_runs(trusted_api: Api, payload: dict[str, Any]) -> None:
    """A manifest document runs by hash, by documentId, or sent as its exact text."""
    by_post = await post(trusted_api, payload)
    by_get = await get(trusted_api, payload)

    assert by_post.json() == {"data": {"__typename": "Query"}}
    assert by_get.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({"query": TYPENAME}, id="other-document"),
        pytest.param({"query": VIEWER + " "}, id="not-the-exact-text"),
        pytest.param({"query": INTROSPECTION}, id="introspection"),
        pytest.param(persisted(TYPENAME), id="apq-registration"),
        pytest.param(persisted(key="0" * 64), id="unknown-hash"),
    ],
)
@pytest.mark.parametrize("accept", [JSON, GRAPHQL_RESPONSE])
async def test_any_other_document_is_operation_not_trusted(
    trusted_api: Api, payload: dict[str, Any], accept: str
) -> None:
    """Outside the manifest nothing runs or is registered, introspection included."""
    response = await post(trusted_api, payload, accept)

    message = assert_request_error(response, "OPERATION_NOT_TRUSTED", accept)
    assert "TRUSTED_DOCUMENTS" in message


async def test_a_trusted_hash_with_another_document_is_a_mismatch(trusted_api: Api) -> None:
    """The hash names the manifest's document: a different one sent with it is refused."""
    response = await post(trusted_api, persisted(TYPENAME, key=sha256(VIEWER)))

    assert_request_error(response, "PERSISTED_QUERY_HASH_MISMATCH")


async def test_with_trusted_documents_graphiql_is_not_served(trusted_api: Api) -> None:
    """GraphiQL could run nothing: a browser's GET gets the 400 of a request without query."""
    response = await trusted_api.client.get("/graphql", headers={"accept": "text/html,*/*;q=0.8"})

    assert response.status_code == 400
    assert "graphiql" not in response.text.lower()


def test_the_committed_manifest_covers_every_operation_under_its_sha256() -> None:
    """persisted-documents.json: each key is its document's SHA-256, each operation is there."""
    manifest = json.loads(COMMITTED_MANIFEST.read_text())
    operations = {
        match[1]
        for path in OPERATIONS.glob("*.graphql")
        for match in re.finditer(r"^(?:query|mutation|subscription) (\w+)", path.read_text(), re.M)
    }

    assert all(key == f"sha256:{sha256(document)}" for key, document in manifest.items())
    named = {
        match[1]
        for document in manifest.values()
        for match in re.finditer(r"(?:query|mutation|subscription) (\w+)", document)
    }
    assert named == operations


async def test_trusted_documents_on_uses_the_committed_manifest(
    database: Database, settings: Settings
) -> None:
    """TRUSTED_DOCUMENTS=true runs the committed Viewer operation by its hash."""
    manifest = json.loads(COMMITTED_MANIFEST.read_text())
    key = next(key for key, document in manifest.items() if "query Viewer" in document)
    trusted = dataclasses.replace(settings, trusted_documents="true")

    async with app_api(database, trusted) as api:
        response = await post(api, {"documentId": key}, GRAPHQL_RESPONSE)
        refused = await post(api, {"query": "{ viewer { id } }"}, GRAPHQL_RESPONSE)

    assert response.status_code == 200
    assert error_codes(response.json()) == ["UNAUTHENTICATED"]
    assert_request_error(refused, "OPERATION_NOT_TRUSTED", GRAPHQL_RESPONSE)


async def test_over_websocket_only_trusted_documents_run(
    database: Database, settings: Settings, manifest: Path, factory: Factory
) -> None:
    """graphql-transport-ws operations pass the allow-list too."""
    user = await factory.user(await factory.tenant())
    trusted = dataclasses.replace(settings, trusted_documents=str(manifest))

    async with (
        live_server(create_app(trusted, database)) as url,
        ws_connection(url, issue_token(user.id, settings)) as connection,
    ):
        refused = await connection.subscribe(TYPENAME)
        refusal = await connection.receive()
        allowed = await connection.subscribe(VIEWER)
        data = await connection.next_data(allowed)

    assert refusal["id"] == refused and refusal["type"] == "error"
    assert [error["extensions"]["code"] for error in refusal["payload"]] == [
        "OPERATION_NOT_TRUSTED"
    ]
    assert data == {"__typename": "Query"}
