"""A live server over the test database, for clients that need a real TCP address."""

from collections.abc import AsyncIterator

import pytest

from db.engine import Database
from server import create_app
from settings import Settings
from tests.clients.live_server import live_server


@pytest.fixture
async def server_url(database: Database, settings: Settings) -> AsyncIterator[str]:
    async with live_server(create_app(settings, database)) as url:
        yield url
