"""Apollo Client 4 with InMemoryCache against the real server (apollo_client.mjs): the
README's "Using Apollo Client" set-up, with automatic persisted queries and with the
server running only its trusted documents."""

import dataclasses
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from auth.tokens import issue_token
from db.engine import Database
from server import create_app
from settings import Settings
from tests.clients.live_server import live_server
from tests.clients.tools import NODE, node_missing, run
from tests.factories import Factory

SCRIPT = Path(__file__).with_name("apollo_client.mjs")
MISSING = node_missing("@apollo/client", "graphql", "rxjs")

pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")

TITLES = ["Latest", "Fourth", "Third", "Second", "Oldest"]  # most recently active first


async def serve(
    database: Database, settings: Settings, trusted_documents: str
) -> AsyncIterator[str]:
    app = create_app(dataclasses.replace(settings, trusted_documents=trusted_documents), database)
    async with live_server(app) as url:
        yield url


@pytest.fixture
async def apq_url(database: Database, settings: Settings) -> AsyncIterator[str]:
    async for url in serve(database, settings, trusted_documents=""):
        yield url


@pytest.fixture
async def trusted_url(database: Database, settings: Settings) -> AsyncIterator[str]:
    async for url in serve(database, settings, trusted_documents="true"):
        yield url


async def run_apollo(url: str, settings: Settings, factory: Factory, mode: str) -> dict[str, Any]:
    # given Cleo's five sessions, the latest with six messages
    acme = await factory.tenant()
    ada = await factory.user(acme, display_name="Ada")
    cleo = await factory.user(acme, display_name="Cleo Park")
    atlas = await factory.agent(ada, name="Atlas")
    await factory.grant(atlas, "company")
    for title in reversed(TITLES[1:]):
        await factory.session(atlas, cleo, messages=1, title=title)
    latest = await factory.session(atlas, cleo, title="Latest")
    for n in range(1, 7):
        await factory.message(latest, "user", f"message {n}")
    assert NODE is not None

    # when Apollo Client runs the script's steps
    token = issue_token(cleo.id, settings)
    ran = await run(NODE, SCRIPT, f"{url}/graphql", token, str(atlas.id), str(latest.id), mode)

    assert ran.returncode == 0, ran
    return dict(json.loads(ran.stdout))


def assert_the_cache_did_its_work(log: dict[str, Any]) -> None:
    """Pages merged, rename and delete reached a watched list, errors kept their message."""
    # both connections merged their pages in the cache
    assert log["viewer"] == "Cleo Park"
    assert log["sessionPages"] == [2, 2, 1]
    assert log["listed"] == TITLES
    assert log["listEnd"]["hasNextPage"] is False
    assert log["chatPages"] == [2, 4, 6]
    assert log["chat"] == [f"message {n}" for n in range(1, 7)]
    # a rename reached the watched list by id, with no request but the mutation (no refetch)
    assert log["rename"] == {
        "result": "Session",
        "listed": ["Renamed by Apollo", *TITLES[1:]],
        "requests": ["RenameSession"],
    }
    # possibleTypes let `... on Error { message }` match a ValidationError
    assert log["validation"]["__typename"] == "ValidationError"
    assert log["validation"]["field"] == "title"
    assert log["validation"]["message"] == "The title may not be empty."
    assert "message" not in log["validationWithoutPossibleTypes"]
    # the deleted session left the cache and the list
    assert log["delete"] == {
        "result": "DeletedSession",
        "listed": ["Renamed by Apollo", *TITLES[2:]],
        "cached": False,
    }


async def test_apollo_client_with_automatic_persisted_queries(
    apq_url: str, settings: Settings, factory: Factory
) -> None:
    """The cache works; each document is sent once, after PERSISTED_QUERY_NOT_FOUND."""
    log = await run_apollo(apq_url, settings, factory, "apq")
    requests = log["requests"]

    assert_the_cache_did_its_work(log)

    # then every operation tried its hash alone first, queries by GET
    first_of = {r["operation"]: r for r in reversed(requests)}
    assert all(r["hash"] and not r["document"] for r in first_of.values()), requests
    assert first_of["SessionList"]["method"] == "GET"
    assert first_of["SessionList"]["codes"] == ["PERSISTED_QUERY_NOT_FOUND"]
    # and sent its document only after the server asked for it
    with_document = [r for r in requests if r["document"]]
    assert {r["operation"] for r in with_document} == {
        "Viewer",
        "SessionList",
        "ChatView",
        "RenameSession",
        "DeleteSession",
        "Other",
    }
    assert all(r["method"] == "POST" and r["status"] == 200 for r in with_document)
    # a second client's query is known by hash: one GET, no document
    assert log["secondClient"] == [
        {
            "method": "GET",
            "operation": "Viewer",
            "hash": True,
            "document": False,
            "status": 200,
            "codes": [],
        }
    ]
    assert log["other"] == {"data": {"viewer": log["other"]["data"]["viewer"]}}


async def test_apollo_client_with_trusted_documents(
    trusted_url: str, settings: Settings, factory: Factory
) -> None:
    """The cache works; every request is a manifest hash, and anything else is refused."""
    log = await run_apollo(trusted_url, settings, factory, "trusted")
    requests = log["requests"]

    assert_the_cache_did_its_work(log)

    # then no request carried a document, and every trusted one succeeded
    assert all(r["hash"] and not r["document"] for r in requests), requests
    trusted = [r for r in requests if r["operation"] != "Other"]
    assert all(r["status"] == 200 and "OPERATION_NOT_TRUSTED" not in r["codes"] for r in trusted)
    assert {r["method"] for r in trusted if r["operation"] in ("SessionList", "ChatView")} == {
        "GET"
    }
    # and a document outside the manifest was refused
    assert log["other"] == {"error": "CombinedGraphQLErrors", "codes": ["OPERATION_NOT_TRUSTED"]}
