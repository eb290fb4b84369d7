"""`python server.py …` as an operator starts it: a process of its own, its log read back."""

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.clients.tools import REPO
from tests.subscriptions.processes import free_port, until_up

KEY = "observability-" + "k" * 51


@dataclass
class Served:
    url: str
    stderr: Path

    def lines(self) -> list[str]:
        return self.stderr.read_text().splitlines()

    def json_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines() if line.startswith("{")]

    def requests(self) -> list[dict[str, Any]]:
        """The request log's lines, from JSON logs."""
        return [line for line in self.json_lines() if line.get("logger") == "chat_api.requests"]


@asynccontextmanager
async def server(tmp_path: Path, *args: str, **env: str) -> AsyncIterator[Served]:
    """server.py on an SQLite file of its own, with these arguments and variables."""
    port = free_port()
    stderr = tmp_path / f"server-{port}.log"
    environment = {
        **{name: value for name, value in os.environ.items() if not name.startswith("OTEL_")},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'server.db'}",
        "JWT_SECRET_KEY": KEY,
        "PORT": str(port),
        **env,
    }
    with stderr.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "server.py",
            *args,
            cwd=REPO,
            env=environment,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=log,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        await until_up(process, url, "/healthz", stderr.read_text)
        yield Served(url, stderr)
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()
