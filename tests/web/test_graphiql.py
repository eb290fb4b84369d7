"""GraphiQL's page and files: from this server by default, from unpkg when asked or when
node_modules/ lacks them. The browser test (tests/clients/test_graphiql_browser.py) uses it."""

import base64
import hashlib
import json
import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from db.engine import Database
from server import create_app
from settings import Settings
from tests.clients.tools import REPO
from web import graphiql
from web.graphiql import ASSETS, CDN_BASE, LOCAL_BASE

HTML = {"Accept": "text/html"}
LOCAL_FILES_MISSING = graphiql.local_assets_missing()
needs_local_files = pytest.mark.skipif(
    bool(LOCAL_FILES_MISSING),
    reason=f"node_modules/ lacks {LOCAL_FILES_MISSING}: run `npm ci` (`make test` does)",
)

Client = Callable[[Settings], AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def client() -> Client:
    """A client of the app built with given settings; neither page nor files need a database."""

    @asynccontextmanager
    async def connect(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
        database = Database.from_url("sqlite+aiosqlite:///:memory:")
        transport = httpx.ASGITransport(app=create_app(settings, database))
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                yield c
        finally:
            await database.dispose()

    return connect


def linked(page: str) -> list[str]:
    return re.findall(r'<(?:script src|link rel="stylesheet" href)="([^"]+)"', page)


@needs_local_files
async def test_the_page_loads_graphiql_from_this_server(client: Client, settings: Settings) -> None:
    """Every script and style the page links is served here, byte for byte the npm copy."""
    async with client(settings) as c:
        page = await c.get("/graphql", headers=HTML)
        files = {url: await c.get(url) for url in linked(page.text)}

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert sorted(files) == sorted(LOCAL_BASE + key for key in ASSETS)
    assert "integrity=" not in page.text and CDN_BASE not in page.text
    for url, response in files.items():
        asset = ASSETS[url.removeprefix(LOCAL_BASE)]
        assert response.status_code == 200, url
        assert response.content == asset.path.read_bytes()
        assert response.headers["content-type"].split(";")[0] in (
            "text/css",
            "text/javascript",
            "application/javascript",
        )
        assert "immutable" in response.headers["cache-control"]


async def test_graphiql_cdn_loads_the_same_files_from_unpkg(
    client: Client, settings: Settings
) -> None:
    """GRAPHIQL_CDN links unpkg with each file's integrity, and this server serves none."""
    async with client(replace(settings, graphiql_cdn=True)) as c:
        page = await c.get("/graphql", headers=HTML)
        local = await c.get(LOCAL_BASE + next(iter(ASSETS)))

    assert sorted(linked(page.text)) == sorted(CDN_BASE + key for key in ASSETS)
    for asset in ASSETS.values():
        assert f'{CDN_BASE}{asset.key}" integrity="{asset.integrity}"' in page.text
    assert local.status_code == 404


async def test_a_server_without_the_files_falls_back_to_the_cdn(
    client: Client,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Without node_modules/ the page links unpkg, and start-up says why and what to run."""
    monkeypatch.setattr(graphiql, "NODE_MODULES", tmp_path)
    graphiql.local_assets_missing.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="chat_api"):
            async with client(settings) as c:
                page = await c.get("/graphql", headers=HTML)
    finally:
        graphiql.local_assets_missing.cache_clear()

    assert sorted(linked(page.text)) == sorted(CDN_BASE + key for key in ASSETS)
    assert any("npm ci" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("graphiql@4.1.2/package.json", id="another-file-of-a-package"),
        pytest.param("react@18.3.1/umd/react.development.js", id="an-unlisted-build"),
        pytest.param("react@18.2.0/umd/react.production.min.js", id="another-version"),
        pytest.param("..%2Fpackage.json", id="outside-node-modules"),
    ],
)
async def test_only_the_listed_files_are_served(
    client: Client, settings: Settings, path: str
) -> None:
    """node_modules/ is not exposed: any path but the four listed files is a 404."""
    async with client(settings) as c:
        response = await c.get(LOCAL_BASE + path)

    assert response.status_code == 404


async def test_no_files_are_served_with_graphiql_off(client: Client, settings: Settings) -> None:
    """GRAPHIQL=false removes the files along with the page."""
    async with client(replace(settings, graphiql=False)) as c:
        response = await c.get(LOCAL_BASE + next(iter(ASSETS)))

    assert response.status_code == 404


def test_the_pinned_versions_are_those_package_lock_installs() -> None:
    """The CDN copy and the npm copy are the same version of each package."""
    lock = json.loads((REPO / "package-lock.json").read_text())["packages"]

    versions = {asset.package: asset.version for asset in ASSETS.values()}

    assert versions == {name: lock[f"node_modules/{name}"]["version"] for name in versions}


@needs_local_files
@pytest.mark.parametrize("key", sorted(ASSETS))
def test_each_integrity_is_that_of_the_installed_file(key: str) -> None:
    """A browser accepts the CDN copy only if it is byte for byte the file npm installed."""
    digest = hashlib.sha384(ASSETS[key].path.read_bytes()).digest()

    assert ASSETS[key].integrity == "sha384-" + base64.b64encode(digest).decode()


def test_graphiql_cdn_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """GRAPHIQL_CDN=true switches to the CDN; by default the server serves the files."""
    monkeypatch.delenv("GRAPHIQL_CDN", raising=False)
    default = Settings.from_env()
    monkeypatch.setenv("GRAPHIQL_CDN", "true")

    switched = Settings.from_env()

    assert (default.graphiql_cdn, switched.graphiql_cdn) == (False, True)
