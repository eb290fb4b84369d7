"""Server processes of their own (`uvicorn --factory server:app_from_env`), as replicas run."""

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager

import httpx

from tests.clients.tools import REPO


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def until_up(
    process: asyncio.subprocess.Process,
    url: str,
    path: str,
    log: Callable[[], str],
    *,
    seconds: float = 60,
) -> None:
    """Wait until the server process answers `path` with 200; if it stops first, fail
    with its log."""
    async with httpx.AsyncClient(base_url=url) as client, asyncio.timeout(seconds):
        while True:
            if process.returncode is not None:
                raise RuntimeError(f"the server stopped:\n{log()}")
            try:
                if (await client.get(path)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)


@asynccontextmanager
async def server_process(env: dict[str, str]) -> AsyncIterator[str]:
    """The base URL of a new server process with these environment variables."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "server:app_from_env",
        "--port",
        str(port),
        "--log-level",
        "warning",
        cwd=REPO,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        await until_up(process, url, "/healthz", lambda: "", seconds=30)
        yield url
    finally:
        process.terminate()
        await process.wait()


@asynccontextmanager
async def replicas(count: int, env: dict[str, str]) -> AsyncIterator[list[str]]:
    async with AsyncExitStack() as stack:
        yield [await stack.enter_async_context(server_process(env)) for _ in range(count)]
