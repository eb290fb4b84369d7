"""WebSocket connections and their operations in the request log, as HTTP requests are."""

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from starlette.applications import Starlette

from auth.tokens import issue_token
from db.engine import Database
from server import create_app
from settings import Settings
from tests.clients.live_server import live_server
from tests.factories import Factory
from tests.subscriptions.client import ws_connection
from tests.subscriptions.world import World, insert_message_sql, make_world
from tests.web.test_request_log import request_lines

MESSAGE_ADDED = """
subscription Live($sessionId: ID!) { messageAdded(sessionId: $sessionId) { id content } }
"""
HTTP_FIELDS = {
    "request_id",
    "method",
    "path",
    "status",
    "operation",
    "duration_ms",
    "sql_statements",
    "outcome",
    "error_codes",
    "client",
}


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="chat_api.requests")
    return caplog


@pytest.fixture
def live_settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, live_poll_interval=0.05, ws_keep_alive=0.5)


@pytest.fixture
async def served(database: Database, live_settings: Settings) -> AsyncIterator[str]:
    app: Starlette = create_app(live_settings, database)
    async with live_server(app) as url:
        yield url
    await app.state.live.close()


async def websocket_lines(logs: pytest.LogCaptureFixture, request_id: str) -> list[dict[str, Any]]:
    """The lines of one connection, once its close line is written."""
    for _ in range(100):
        lines = [
            line
            for line in request_lines(logs)
            if line["method"] == "WEBSOCKET" and line["request_id"] == request_id
        ]
        if any(line["event"] == "close" for line in lines):
            return lines
        await asyncio.sleep(0.02)
    raise AssertionError(f"no close line for {request_id}")


async def test_a_connection_and_each_operation_on_it_are_logged(
    served: str,
    database: Database,
    factory: Factory,
    live_settings: Settings,
    logs: pytest.LogCaptureFixture,
) -> None:
    """Open, each operation (a subscription, a query, a failing one), and close with its
    code: the HTTP lines' fields, the connection's request id, each operation's own SQL."""
    world: World = await make_world(factory)
    token = issue_token(world.cleo.id, live_settings)

    async with ws_connection(served, token, headers={"X-Request-ID": "ws-conn-1"}) as ws:
        live = await ws.subscribe(MESSAGE_ADDED, {"sessionId": str(world.chat.id)})
        await asyncio.sleep(0.2)
        await insert_message_sql(database, world.chat, "hello")
        assert (await ws.next_data(live))["messageAdded"]["content"] == "hello"
        await ws.complete(live)
        viewer = await ws.subscribe("query Me { viewer { displayName } }")
        assert (await ws.next_data(viewer))["viewer"]["displayName"] == "Cleo"
        assert (await ws.receive())["type"] == "complete"
        broken = await ws.subscribe("query Broken { nope }")
        refused = await ws.receive()
        assert (refused["id"], refused["type"]) == (broken, "error")

    lines = await websocket_lines(logs, "ws-conn-1")
    opened, *operations, closed = lines
    assert all(set(line) >= HTTP_FIELDS for line in lines)
    assert (opened["event"], opened["status"], opened["outcome"]) == ("open", 101, "ok")
    by_id = {line["operation_id"]: line for line in operations}
    assert [line["event"] for line in operations] == ["operation"] * 3
    assert (by_id[live]["operation"], by_id[live]["outcome"]) == ("Live", "ok")
    assert by_id[live]["sql_statements"] >= 1  # the access check
    assert (by_id[viewer]["operation"], by_id[viewer]["outcome"]) == ("Me", "ok")
    assert by_id[viewer]["sql_statements"] >= 1
    assert (by_id[broken]["outcome"], by_id[broken]["error_codes"]) == (
        "errors",
        ["BAD_USER_INPUT"],
    )
    assert by_id[broken]["sql_statements"] == 0
    assert (closed["event"], closed["close_code"], closed["closed_by"], closed["outcome"]) == (
        "close",
        1000,
        "client",
        "ok",
    )
    assert closed["duration_ms"] >= by_id[viewer]["duration_ms"]


async def test_a_connection_the_server_closes_is_logged_with_its_reason(
    served: str, logs: pytest.LogCaptureFixture
) -> None:
    """A token that is not valid: the server closes with 4403, and the line says why."""
    async with ws_connection(served, init=False, headers={"X-Request-ID": "ws-bad-token"}) as ws:
        await ws.send({"type": "connection_init", "payload": {"Authorization": "Bearer nope"}})
        with pytest.raises(Exception):  # noqa: B017 (websockets' ConnectionClosed)
            await ws.receive()

    lines = await websocket_lines(logs, "ws-bad-token")
    closed = lines[-1]
    assert (closed["close_code"], closed["closed_by"], closed["outcome"]) == (
        4403,
        "server",
        "ws_4403",
    )
    assert closed["close_reason"]
