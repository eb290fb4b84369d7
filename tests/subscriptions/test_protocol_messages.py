"""Every graphql-transport-ws message a client may send, well formed or not, over a real
socket: a malformed one closes the socket with 4400 and a reason (enisdenjo/graphql-ws,
PROTOCOL.md "Invalid message"), never an unhandled exception or a bare close.
"""

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from db.engine import Database
from server import create_app
from settings import Settings
from tests.clients.live_server import live_server
from tests.subscriptions.client import PROTOCOL, Connection, ws_url

TIMEOUT = 5
QUERY = 'subscription { messageAdded(sessionId: "x") { id } }'


@pytest.fixture(scope="module")
async def url(settings: Settings) -> AsyncIterator[str]:
    """No message here reaches the database: one in memory stands in."""
    database = Database.from_url("sqlite+aiosqlite:///:memory:")
    app = create_app(settings, database)
    async with live_server(app) as base:
        yield base
    await app.state.live.close()
    await database.dispose()


async def close_after(url: str, frames: list[Any], *, token: str | None = None) -> tuple[int, str]:
    """Send `connection_init` (acknowledged) then each frame (text unless bytes); the close."""
    async with connect(ws_url(url), subprotocols=[PROTOCOL]) as socket:
        connection = Connection(socket)
        init: dict[str, Any] = {"type": "connection_init", "payload": {}}
        if token is not None:
            init["payload"] = {"Authorization": f"Bearer {token}"}
        await connection.send(init)
        assert (await connection.receive())["type"] == "connection_ack"
        for frame in frames:
            await socket.send(frame if isinstance(frame, bytes | str) else json.dumps(frame))
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(TIMEOUT):
                while True:
                    await socket.recv()
    assert closed.value.rcvd is not None, "closed without a close frame"
    return closed.value.rcvd.code, closed.value.rcvd.reason


MALFORMED = {
    # Not a message at all.
    "array": [1, 2],
    "number": 42,
    "string": "subscribe",
    "null": None,
    "no type": {"id": "1"},
    "type a number": {"type": 5},
    "unknown type": {"type": "start", "id": "1"},
    "a server's type": {"type": "next", "id": "1", "payload": {}},
    "not json": "{not json",
    "binary": b'{"type": "ping"}',
    # connection_init (a second one, well formed, is 4429 below).
    # ping and pong
    "ping payload list": {"type": "ping", "payload": []},
    "ping payload string": {"type": "ping", "payload": "hi"},
    "pong payload number": {"type": "pong", "payload": 1},
    # subscribe
    "subscribe object id": {"type": "subscribe", "id": {"a": 1}, "payload": {"query": QUERY}},
    "subscribe number id": {"type": "subscribe", "id": 1, "payload": {"query": QUERY}},
    "subscribe empty id": {"type": "subscribe", "id": "", "payload": {"query": QUERY}},
    "subscribe no id": {"type": "subscribe", "payload": {"query": QUERY}},
    "subscribe payload list": {"type": "subscribe", "id": "1", "payload": [QUERY]},
    "subscribe payload string": {"type": "subscribe", "id": "1", "payload": QUERY},
    "subscribe payload null": {"type": "subscribe", "id": "1", "payload": None},
    "subscribe no payload": {"type": "subscribe", "id": "1"},
    "query number": {"type": "subscribe", "id": "1", "payload": {"query": 5}},
    "query list": {"type": "subscribe", "id": "1", "payload": {"query": [QUERY]}},
    "query null": {"type": "subscribe", "id": "1", "payload": {"query": None}},
    "query missing": {"type": "subscribe", "id": "1", "payload": {}},
    "variables list": {
        "type": "subscribe",
        "id": "1",
        "payload": {"query": QUERY, "variables": [1]},
    },
    "variables string": {
        "type": "subscribe",
        "id": "1",
        "payload": {"query": QUERY, "variables": "{}"},
    },
    "operationName number": {
        "type": "subscribe",
        "id": "1",
        "payload": {"query": QUERY, "operationName": 1},
    },
    "extensions number": {
        "type": "subscribe",
        "id": "1",
        "payload": {"query": QUERY, "extensions": 1},
    },
    # complete
    "complete object id": {"type": "complete", "id": {"a": 1}},
    "complete list id": {"type": "complete", "id": ["1"]},
    "complete no id": {"type": "complete"},
}


@pytest.mark.parametrize("frame", MALFORMED.values(), ids=MALFORMED.keys())
async def test_a_malformed_message_closes_with_4400_and_a_reason(
    url: str, frame: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        code, reason = await close_after(url, [frame])

    assert code == 4400
    assert reason
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


@pytest.mark.parametrize("payload", [[], "token", 5], ids=["list", "string", "number"])
async def test_a_malformed_connection_init_closes_with_4400(url: str, payload: Any) -> None:
    async with connect(ws_url(url), subprotocols=[PROTOCOL]) as socket:
        await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(TIMEOUT):
                await socket.recv()

    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4400


async def test_well_formed_messages_are_answered_as_the_protocol_says(url: str) -> None:
    """A null init payload is acknowledged; a ping with or without a payload is answered;
    a pong, and a complete for an unknown id, are taken in silence."""
    async with connect(ws_url(url), subprotocols=[PROTOCOL]) as socket:
        connection = Connection(socket)
        await connection.send({"type": "connection_init", "payload": None})
        assert (await connection.receive())["type"] == "connection_ack"
        await connection.send({"type": "pong", "payload": {"at": 1}})
        await connection.send({"type": "complete", "id": "never-started"})
        for ping in (
            {"type": "ping"},
            {"type": "ping", "payload": None},
            {"type": "ping", "payload": {}},
        ):
            await connection.send(ping)
            async with asyncio.timeout(TIMEOUT):
                assert (await connection.receive())["type"] == "pong"


async def test_protocol_order_is_enforced(url: str) -> None:
    """A subscribe before the ack is 4401; a second connection_init is 4429."""
    async with connect(ws_url(url), subprotocols=[PROTOCOL]) as socket:
        await socket.send(json.dumps({"type": "subscribe", "id": "1", "payload": {"query": QUERY}}))
        with pytest.raises(ConnectionClosed) as early:
            await socket.recv()
    code, _ = await close_after(url, [{"type": "connection_init"}])

    assert early.value.rcvd is not None and early.value.rcvd.code == 4401
    assert code == 4429


async def test_a_well_formed_subscribe_is_executed(url: str) -> None:
    """Nulls where the protocol allows them: the operation runs (and is refused, without a
    token, by an `error` message; the socket stays open)."""
    nulls = {"query": QUERY, "variables": None, "operationName": None, "extensions": None}
    async with connect(ws_url(url), subprotocols=[PROTOCOL]) as socket:
        connection = Connection(socket)
        await connection.send({"type": "connection_init"})
        assert (await connection.receive())["type"] == "connection_ack"
        await connection.send({"type": "subscribe", "id": "1", "payload": nulls})
        async with asyncio.timeout(TIMEOUT):
            message = await connection.receive()
            await connection.send({"type": "ping"})
            assert (await connection.receive())["type"] == "pong"

    assert message["type"] == "error" and message["id"] == "1"
    assert message["payload"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    "payload",
    [
        {"extensions": {"persistedQuery": "abc"}},
        {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": 5}}},
        {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}},
        {"documentId": 5},
        {"documentId": "sha256:nothing"},
    ],
    ids=["hash-string", "hash-number", "hash-unknown", "document-id-number", "document-id-bad"],
)
async def test_a_persisted_subscribe_without_a_query_is_answered_with_an_error(
    url: str, payload: dict[str, Any]
) -> None:
    """Naming a persisted document instead of sending a query is the protocol's own
    subscribe: a refusal is an `error` message with a code, and the socket stays open."""
    async with connect(ws_url(url), subprotocols=[PROTOCOL]) as socket:
        connection = Connection(socket)
        await connection.send({"type": "connection_init"})
        assert (await connection.receive())["type"] == "connection_ack"
        await connection.send({"type": "subscribe", "id": "1", "payload": payload})
        async with asyncio.timeout(TIMEOUT):
            message = await connection.receive()
            await connection.send({"type": "ping"})
            assert (await connection.receive())["type"] == "pong"

    assert message["type"] == "error" and message["id"] == "1", message
    assert all(error["extensions"]["code"] for error in message["payload"])
