"""Slow clients and connection floods, over a real socket: cut off, while others are served.

The server is uvicorn with the protocol `python server.py` runs (`web.slow_clients`), in
the test's own event loop, with limits of a fraction of a second; every test runs over
each parser the rules are on (httptools, which the server uses when installed, and h11).
"""

import asyncio
import dataclasses
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
import uvicorn

from db.engine import Database
from server import create_app
from settings import Settings
from web.slow_clients import PARSERS, guarded_protocol

LIMIT = 0.5
HEALTHZ = b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n"


@asynccontextmanager
async def guarded_server(settings: Settings, database: Database, parser: str) -> AsyncIterator[int]:
    """The port of the app served by uvicorn with the guarded protocol and its access log on."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        create_app(settings, database),
        lifespan="off",
        log_level="info",
        http=guarded_protocol(settings, parser),
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            assert not serving.done(), "uvicorn stopped before it started"
            await asyncio.sleep(0.01)
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        await serving
        sock.close()


@pytest.fixture
async def idle_database() -> AsyncIterator[Database]:
    """No test here reaches the database: one in memory stands in."""
    database = Database.from_url("sqlite+aiosqlite:///:memory:")
    yield database
    await database.dispose()


@pytest.fixture(params=sorted(PARSERS))
def parser(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def limited(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings, header_timeout=LIMIT, body_timeout=LIMIT, max_connections=4
    )


async def drip(port: int, request: bytes, pause: float) -> tuple[bytes, float]:
    """Send `request` a byte every `pause` s; what the server answered, and when it closed."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = asyncio.get_running_loop().time()
    try:
        for byte in request:
            writer.write(bytes([byte]))
            await writer.drain()
            if reader.at_eof():
                break
            await asyncio.sleep(pause)
        answer = await asyncio.wait_for(reader.read(), timeout=5)
    except ConnectionError:
        answer = b""
    finally:
        writer.close()
    return answer, asyncio.get_running_loop().time() - started


async def fetch(port: int, request: bytes = HEALTHZ) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    answer = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
    writer.close()
    return answer


async def test_headers_sent_just_within_the_limit_are_served(
    limited: Settings, idle_database: Database, parser: str
) -> None:
    async with guarded_server(limited, idle_database, parser) as port:
        answer, _ = await drip(port, HEALTHZ.replace(b"HTTP/1.1", b"HTTP/1.0"), LIMIT / 60)

    assert answer.startswith(b"HTTP/1.1 200")


async def test_a_slow_header_client_is_cut_off_while_others_are_served(
    limited: Settings, idle_database: Database, parser: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Headers at a byte per 0.1 s: closed at 0.5 s, logged once; a normal client is served."""
    caplog.set_level(logging.INFO)
    async with guarded_server(limited, idle_database, parser) as port:
        slow = asyncio.create_task(drip(port, HEALTHZ, 0.1))
        served = await fetch(port)
        answer, lasted = await slow

    assert served.startswith(b"HTTP/1.1 200")
    assert answer == b""
    assert LIMIT <= lasted < LIMIT + 1
    cut = [r.getMessage() for r in caplog.records if r.name == "chat_api.slow_clients"]
    assert len(cut) == 1 and "headers did not arrive within 0.5 s" in cut[0]


async def test_a_slow_body_client_is_cut_off_while_others_are_served(
    limited: Settings, idle_database: Database, parser: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A body at a byte per 0.1 s: 408 and closed at 0.5 s, logged once."""
    caplog.set_level(logging.INFO)
    head = (
        b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        b"Content-Length: 50\r\n\r\n"
    )
    async with guarded_server(limited, idle_database, parser) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(head)
        started = asyncio.get_running_loop().time()

        async def slow_body() -> None:
            for _ in range(50):
                if reader.at_eof() or writer.is_closing():
                    return
                writer.write(b" ")
                await asyncio.sleep(0.1)

        dripping = asyncio.create_task(slow_body())
        served = await fetch(port)
        answer = await asyncio.wait_for(reader.read(), timeout=5)
        lasted = asyncio.get_running_loop().time() - started
        dripping.cancel()
        writer.close()

    assert served.startswith(b"HTTP/1.1 200")
    assert answer.startswith(b"HTTP/1.1 408")
    assert b"connection: close" in answer.lower()
    assert LIMIT <= lasted < LIMIT + 1
    cut = [r.getMessage() for r in caplog.records if r.name == "chat_api.slow_clients"]
    assert len(cut) == 1 and "body did not arrive within 0.5 s" in cut[0]


async def test_connections_past_the_cap_are_refused_at_once(
    limited: Settings, idle_database: Database, parser: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Four open connections are the cap: a fifth gets 503 and is closed; one fewer, served."""
    caplog.set_level(logging.INFO)
    async with guarded_server(limited, idle_database, parser) as port:
        idle = [await asyncio.open_connection("127.0.0.1", port) for _ in range(4)]
        await asyncio.sleep(0.05)
        refused = await fetch(port)
        idle.pop()[1].close()
        await asyncio.sleep(0.05)
        served = await fetch(port)
        for _, writer in idle:
            writer.close()

    assert refused.startswith(b"HTTP/1.1 503") and b"Retry-After: 1" in refused
    assert served.startswith(b"HTTP/1.1 200")
    cut = [r.getMessage() for r in caplog.records if r.name == "chat_api.slow_clients"]
    assert len(cut) == 1 and "more than 4 connections open" in cut[0]


async def test_one_log_line_per_request_with_uvicorns_access_log_on(
    limited: Settings, idle_database: Database, parser: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with guarded_server(limited, idle_database, parser) as port:
        await fetch(port)

    lines = [r for r in caplog.records if r.name in ("chat_api.requests", "uvicorn.access")]
    assert [r.name for r in lines] == ["chat_api.requests"]
