"""Fixtures of the outage and stall tests: a proxy in front of the test database."""

from collections.abc import AsyncIterator

import pytest

from db.engine import Database
from tests.proxy import DatabaseProxy, proxy_to


@pytest.fixture
async def proxy(database: Database) -> AsyncIterator[DatabaseProxy]:
    async with proxy_to(database) as proxy:
        yield proxy
