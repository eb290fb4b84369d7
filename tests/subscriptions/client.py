"""A minimal graphql-transport-ws client over `websockets`, and a multipart reader, for tests."""

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

PROTOCOL = "graphql-transport-ws"
MULTIPART_ACCEPT = 'multipart/mixed;boundary="graphql";subscriptionSpec=1.0,application/json'


def ws_url(base: str) -> str:
    return base.replace("http://", "ws://") + "/graphql"


class Connection:
    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.ids = 0

    async def receive(self, *, skip_pings: bool = True) -> dict[str, Any]:
        while True:
            message = json.loads(await self.socket.recv())
            if skip_pings and message["type"] == "ping":
                await self.send({"type": "pong"})
                continue
            return message

    async def send(self, message: dict[str, Any]) -> None:
        await self.socket.send(json.dumps(message))

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        self.ids += 1
        id = str(self.ids)
        payload: dict[str, Any] = {"query": query, "variables": variables or {}}
        await self.send({"id": id, "type": "subscribe", "payload": payload})
        return id

    async def next_data(self, id: str) -> dict[str, Any]:
        """The data of the next `next` message for `id` (asserting it carries no errors)."""
        message = await self.receive()
        assert message.get("id") == id and message["type"] == "next", message
        assert "errors" not in message["payload"], message
        return message["payload"]["data"]

    async def complete(self, id: str) -> None:
        await self.send({"id": id, "type": "complete"})


@asynccontextmanager
async def ws_connection(
    base: str,
    token: str | None = None,
    *,
    payload: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    init: bool = True,
) -> AsyncIterator[Connection]:
    """A connection, acknowledged unless `init` is False."""
    async with connect(
        ws_url(base), subprotocols=[PROTOCOL], additional_headers=headers, open_timeout=10
    ) as socket:
        connection = Connection(socket)
        if init:
            init_payload = payload if payload is not None else {}
            if token is not None:
                init_payload = {"Authorization": f"Bearer {token}", **init_payload}
            await connection.send({"type": "connection_init", "payload": init_payload})
            ack = await connection.receive()
            assert ack["type"] == "connection_ack", ack
        yield connection


async def multipart_parts(response: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    """The JSON parts of a multipart subscription response, heartbeats ({}) left out."""
    buffer = ""
    async for chunk in response.aiter_text():
        buffer += chunk
        while True:
            start = buffer.find("\r\n\r\n")
            if start < 0:
                break
            end = buffer.find("\r\n--graphql", start)
            if end < 0:
                break
            body = buffer[start + 4 : end]
            buffer = buffer[end + len("\r\n--graphql") :]
            part = json.loads(body)
            if part:
                yield part
