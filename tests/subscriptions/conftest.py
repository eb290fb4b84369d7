"""A live server (uvicorn over TCP) with a short poll interval, for subscription tests."""

import dataclasses
from collections.abc import AsyncIterator

import pytest
from starlette.applications import Starlette

from db.engine import Database
from server import create_app
from settings import Settings
from tests.clients.live_server import live_server


@pytest.fixture
def live_settings(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings,
        live_poll_interval=0.05,
        live_lookback=2.0,
        live_recheck_interval=0.2,
        ws_keep_alive=0.5,
    )


@pytest.fixture
def live_app(database: Database, live_settings: Settings) -> Starlette:
    return create_app(live_settings, database)


@pytest.fixture
async def live_url(live_app: Starlette) -> AsyncIterator[str]:
    async with live_server(live_app) as url:
        yield url
    await live_app.state.live.close()


@pytest.fixture
async def default_window_url(database: Database, settings: Settings) -> AsyncIterator[str]:
    """A live server with the default lookback window (60 s, so most ticks read only the
    last 5 s) and a short tick."""
    app = create_app(dataclasses.replace(settings, live_poll_interval=0.05), database)
    async with live_server(app) as url:
        yield url
    await app.state.live.close()
