"""The server's command line run as an operator runs it: processes, with their own environment."""

import asyncio
import os
import sys
import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from tests.clients.tools import REPO
from tests.subscriptions.processes import free_port, until_up

SERVER = [sys.executable, str(REPO / "server.py")]


@dataclass(frozen=True)
class Done:
    code: int
    out: str
    err: str


async def run(command: Sequence[str], env: dict[str, str], cwd: Path = REPO) -> Done:
    """Run a command to its end (a minute at most) with `env` over the test's environment."""
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=cwd,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(60):
        out, err = await process.communicate()
    assert process.returncode is not None
    return Done(process.returncode, out.decode(), err.decode())


@asynccontextmanager
async def serving(
    command: Sequence[str], env: dict[str, str], cwd: Path = REPO, log: Path | None = None
) -> AsyncIterator[str]:
    """The base URL of `command --port N` while it serves (ready: /readyz answers 200).

    Its output goes to `log` (a temporary file when None), not a pipe: a full pipe would
    stall it.
    """
    port = free_port()
    with open(log, "w+b") if log else tempfile.TemporaryFile() as output:  # noqa: ASYNC230
        async with _served(command, env, cwd, port, output) as url:
            yield url


@asynccontextmanager
async def _served(
    command: Sequence[str], env: dict[str, str], cwd: Path, port: int, log: IO[bytes]
) -> AsyncIterator[str]:
    process = await asyncio.create_subprocess_exec(
        *command,
        "--port",
        str(port),
        cwd=cwd,
        env={**os.environ, **env},
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        await until_up(process, url, "/readyz", lambda: _read(log))
        yield url
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()


def _read(log: IO[bytes]) -> str:
    log.seek(0)
    return log.read().decode()
