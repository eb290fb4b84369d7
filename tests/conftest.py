"""Fixtures: every database test runs on each backend of `tests/databases.py`.

Tests talk to the real ASGI app through httpx, as clients do, and leave no rows behind.
"""

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from db.engine import Database
from db.migrate import upgrade
from execution.compare import MISMATCHES
from server import create_app
from settings import Settings
from tests.api import Api
from tests.databases import BACKENDS, empty_tables, load_platform_schema, scratch_url
from tests.factories import Factory

# Every query the suite sends runs on the compiled executor and on graphql-core's, and the
# two answers must be equal (execution/compare.py); servers started as processes too.
os.environ["GRAPHQL_EXECUTOR"] = "compare"


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(
        jwt_secret_key="test-" + "k" * 59, jwt_secret_is_random=False, executor="compare"
    )


@pytest.fixture(autouse=True)
def _executors_agree() -> Iterator[None]:
    MISMATCHES.clear()
    yield
    found, MISMATCHES[:] = list(MISMATCHES), []
    assert not found, "\n\n".join(found)


@pytest.fixture(scope="session", params=BACKENDS)
async def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Database]:
    directory: Path = tmp_path_factory.mktemp("db")
    async with scratch_url(request.param, directory) as url:
        if request.param == "postgresql":
            await load_platform_schema(url)
        database = Database.from_url(url)
        await upgrade(database)
        yield database
        await database.dispose()


@pytest.fixture(autouse=True)
async def _empty_after_test(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    yield
    if "database" in request.fixturenames:
        await empty_tables(request.getfixturevalue("database"))


@pytest.fixture
def factory(database: Database) -> Factory:
    return Factory(database)


@pytest.fixture
async def api(database: Database, settings: Settings) -> AsyncIterator[Api]:
    app = create_app(settings, database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client, settings)
