"""Liveness and readiness probes."""

import httpx

from db.engine import Database
from server import create_app
from settings import Settings


async def test_healthz_answers_without_a_database(settings: Settings) -> None:
    database = Database.from_url("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    app = create_app(settings, database)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        response = await client.get("/healthz")
    await database.dispose()

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_ok_when_the_database_answers(api: object, database: Database) -> None:
    response = await api.client.get("/readyz")  # type: ignore[attr-defined]

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


async def test_readyz_fails_cleanly_when_the_database_is_down(settings: Settings) -> None:
    database = Database.from_url("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    app = create_app(settings, database)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        response = await client.get("/readyz")
    await database.dispose()

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "down"}
