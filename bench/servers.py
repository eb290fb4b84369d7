"""Run an ASGI app the way users do: uvicorn in a subprocess, on loopback only."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SERVER_APP = "server:app_from_env"
FLOOR_APP = "bench.floor:create_app"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Server:
    base_url: str
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of the uvicorn process and its workers so far."""
        ticks = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:  # the process ended meanwhile
                continue
            pid, parent = int(stat.parent.name), int(fields[1])
            if self.pid in (pid, parent):
                ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def own_cpu_seconds(self) -> float:
        """CPU time of the process alone (0 once it has ended)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Workers:
    """How many uvicorn workers, and whether `bench.nodelay` turns Nagle off for them."""

    count: int
    nodelay: bool = False

    @classmethod
    def parse(cls, text: str) -> "Workers":
        count, _, fix = text.partition("+")
        if fix not in ("", "nodelay"):
            raise ValueError(f"{text!r}: give N or N+nodelay")
        return cls(int(count), fix == "nodelay")

    @property
    def label(self) -> str:
        return f"{self.count}+nodelay" if self.nodelay else str(self.count)


OLD_ROUTER = Path(os.environ.get("OLD_ROUTER", ROOT.parent / "shared" / "oldrouter"))
"""Beside the repository; OLD_ROUTER names it elsewhere (from a git worktree, say)."""
# Its own environment, inside this repository's .venv/: shared/ is read-only in CI.
OLD_ROUTER_VENV = ROOT / ".venv" / "oldrouter"
OLD_ROUTER_PYTHON = OLD_ROUTER_VENV / "bin" / "python"
OLD_ROUTER_PACKAGES = 'fastapi uvicorn "sqlalchemy[asyncio]" asyncpg pyjwt httpx'


def old_router_missing() -> str | None:
    """Why the old REST router cannot run here; None when it can."""
    if not (OLD_ROUTER / "serve.py").exists():
        return f"{OLD_ROUTER} is missing"
    if not OLD_ROUTER_PYTHON.exists():
        return (
            f"{OLD_ROUTER_PYTHON} is missing: python3 -m venv {OLD_ROUTER_VENV} && "
            f"{OLD_ROUTER_VENV}/bin/pip install {OLD_ROUTER_PACKAGES}"
        )
    return None


@contextmanager
def old_router(database_url: str, secret: str) -> Iterator[Server]:
    """The old REST router (`../shared/oldrouter`, 1 uvicorn worker) on `database_url`."""
    port = _free_port()
    env = {
        "PEER_DATABASE_URL": database_url.replace("postgresql://", "postgresql+asyncpg://", 1),
        "JWT_SECRET_KEY": secret,
    }
    with _process([str(OLD_ROUTER_PYTHON), "serve.py", str(port)], OLD_ROUTER, env, port) as up:
        yield up


@contextmanager
def uvicorn(factory: str, workers: Workers, env: dict[str, str]) -> Iterator[Server]:
    """`uvicorn --factory <factory> --workers N` until the block ends.

    Access logs are off (the server writes its own line per request); the output goes to
    a temporary file, named in the error when the server does not come up.
    """
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "bench.nodelay" if workers.nodelay else "uvicorn",
        "--factory",
        factory,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers.count),
        "--no-access-log",
    ]
    with _process(command, ROOT, env, port) as server:
        yield server


@contextmanager
def _process(command: list[str], cwd: Path, env: dict[str, str], port: int) -> Iterator[Server]:
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - kept open for the subprocess
        prefix="bench-server-", suffix=".log", delete=False
    )
    process = subprocess.Popen(
        command, cwd=cwd, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base_url, process, Path(log.name))
        yield Server(base_url, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        os.unlink(log.name)


def _wait_until_up(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"uvicorn did not answer /healthz within 60 s:\n{log.read_text()}")
