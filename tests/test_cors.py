"""CORS: off unless CORS_ORIGINS lists origins, and then only for those origins."""

from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from db.engine import Database
from server import create_app
from settings import Settings

ALLOWED = "https://chat.example.com"
OTHER = "https://evil.example.net"
PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type",
}
QUERY = {"query": "{ __typename }"}


async def client_for(settings: Settings, database: Database) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(settings, database))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def cors_client(settings: Settings, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    async with await client_for(replace(settings, cors_origins=(ALLOWED,)), database) as client:
        yield client


@pytest.fixture
async def plain_client(settings: Settings, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    async with await client_for(settings, database) as client:
        yield client


def cors_headers(response: httpx.Response) -> dict[str, str]:
    return {
        name: value
        for name, value in response.headers.items()
        if name.startswith("access-control-")
    }


def test_cors_origins_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """CORS_ORIGINS is a comma-separated list; unset, it is empty and CORS is off."""
    monkeypatch.delenv("CORS_ORIGINS", raising=False)
    off = Settings.from_env()
    monkeypatch.setenv("CORS_ORIGINS", f" {ALLOWED}, https://admin.example.com ,")

    on = Settings.from_env()

    assert off.cors_origins == ()
    assert on.cors_origins == (ALLOWED, "https://admin.example.com")


async def test_a_preflight_from_an_allowed_origin_is_answered(
    cors_client: httpx.AsyncClient,
) -> None:
    """The browser may POST with Authorization and Content-Type from a listed origin."""
    response = await cors_client.options("/graphql", headers={"Origin": ALLOWED, **PREFLIGHT})

    assert response.status_code == 200
    headers = cors_headers(response)
    assert headers["access-control-allow-origin"] == ALLOWED
    assert "POST" in headers["access-control-allow-methods"]
    allowed_headers = headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed_headers and "content-type" in allowed_headers
    assert "access-control-allow-credentials" not in headers


async def test_a_preflight_from_another_origin_is_refused(cors_client: httpx.AsyncClient) -> None:
    """An unlisted origin gets no permission to send the request."""
    response = await cors_client.options("/graphql", headers={"Origin": OTHER, **PREFLIGHT})

    assert response.status_code == 400
    assert "access-control-allow-origin" not in cors_headers(response)


async def test_a_request_from_an_allowed_origin_may_be_read(
    cors_client: httpx.AsyncClient,
) -> None:
    """The response names the origin and exposes X-Request-ID to its scripts."""
    response = await cors_client.post("/graphql", json=QUERY, headers={"Origin": ALLOWED})

    assert response.json() == {"data": {"__typename": "Query"}}
    headers = cors_headers(response)
    assert headers["access-control-allow-origin"] == ALLOWED
    assert "x-request-id" in headers["access-control-expose-headers"].lower()


async def test_a_request_from_another_origin_may_not_be_read(
    cors_client: httpx.AsyncClient,
) -> None:
    """An unlisted origin's response does not name it, so its browser hides the response."""
    response = await cors_client.post("/graphql", json=QUERY, headers={"Origin": OTHER})

    assert "access-control-allow-origin" not in cors_headers(response)


async def test_cors_is_off_by_default(plain_client: httpx.AsyncClient) -> None:
    """Without CORS_ORIGINS no response carries CORS headers, preflights included."""
    preflight = await plain_client.options("/graphql", headers={"Origin": ALLOWED, **PREFLIGHT})
    request = await plain_client.post("/graphql", json=QUERY, headers={"Origin": ALLOWED})

    assert 400 <= preflight.status_code < 500
    assert cors_headers(preflight) == {}
    assert cors_headers(request) == {}


async def test_with_cors_off_a_preflight_is_told_about_cors_origins(
    plain_client: httpx.AsyncClient,
) -> None:
    """The 405 a preflight gets names the setting that would answer it."""
    preflight = await plain_client.options("/graphql", headers={"Origin": ALLOWED, **PREFLIGHT})
    other = await plain_client.options("/graphql")

    assert preflight.status_code == 405
    assert "CORS_ORIGINS" in preflight.json()["errors"][0]["message"]
    assert "CORS_ORIGINS" not in other.json()["errors"][0]["message"]
