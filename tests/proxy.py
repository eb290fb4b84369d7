"""A TCP proxy to the test PostgreSQL server, for outages the tests can stage.

`cut()` is an outage: the listener closes and every live connection is aborted (`start()`
again restores it on the same port). Clearing `flowing` is a stall: connections stay
open but no byte passes, and no new one is answered, until it is set again. The shared
PostgreSQL server that other tests use keeps running either way.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.engine import make_url

from db.engine import Database


class DatabaseProxy:
    """Forwards 127.0.0.1:<port> to the database server."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.port = 0
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        self.flowing = asyncio.Event()
        self.flowing.set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._link, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    @property
    def serving(self) -> bool:
        return self.server is not None and self.server.is_serving()

    async def cut(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.writers):
            writer.transport.abort()
        await self.server.wait_closed()

    async def _link(self, client_reader: Any, client_writer: asyncio.StreamWriter) -> None:
        await self.flowing.wait()  # a stalled network answers no new connection either
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            client_writer.transport.abort()
            return
        self.writers |= {client_writer, server_writer}
        try:
            await asyncio.gather(
                self._pipe(client_reader, server_writer), self._pipe(server_reader, client_writer)
            )
        finally:
            self.writers -= {client_writer, server_writer}

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                await self.flowing.wait()
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.transport.abort()


@asynccontextmanager
async def proxy_to(database: Database) -> AsyncIterator[DatabaseProxy]:
    """A running proxy to the database's server, shut (and unstalled) afterwards."""
    url = database.engine.url
    proxy = DatabaseProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    try:
        yield proxy
    finally:
        proxy.flowing.set()
        if proxy.serving:
            await proxy.cut()


def proxied_url(database: Database, proxy: DatabaseProxy) -> str:
    """The database's URL, through the proxy."""
    url = make_url(database.engine.url).set(host="127.0.0.1", port=proxy.port)
    return url.render_as_string(hide_password=False)
