"""Liveness and readiness probes."""

from collections.abc import AsyncIterator

import httpx
import pytest

from db.engine import Database
from server import create_app
from settings import Settings
from tests.api import Api


@pytest.fixture
async def client_without_database(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app in front of a database address where nothing listens."""
    database = Database.from_url("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    transport = httpx.ASGITransport(app=create_app(settings, database))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await database.dispose()


async def test_healthz_answers_without_a_database(
    client_without_database: httpx.AsyncClient,
) -> None:
    response = await client_without_database.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_ok_when_the_database_answers(api: Api) -> None:
    response = await api.client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


async def test_readyz_fails_cleanly_when_the_database_is_down(
    client_without_database: httpx.AsyncClient,
) -> None:
    response = await client_without_database.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "down"}
