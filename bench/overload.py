"""Overload: many more clients than the server has slots, through `python server.py`.

    .venv/bin/python -m bench.overload [--clients 50,200,500] [--workers 1,4] [--seconds 10]

Needs PostgreSQL with the demo (`server.py migrate`, `server.py demo`) in DATABASE_URL's
database; it first tops the demo agent Atlas up to 200 sessions through the API. Each
client loops over the mix of the overload report: the list of ALL sessions (first: 200),
the chat view, and create → rename → delete. A client honours `Retry-After` on a 503, as
the contract asks. Reported per run: requests/s, p50/p99/max latency, the slowest 503,
and every answer counted by HTTP status and by GraphQL error code.
"""

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench import documents
from bench.servers import ROOT, _free_port, _wait_until_up
from db.demo import demo_id

ATLAS = str(demo_id("agent:Atlas"))
ADA = "ada"
LIST_SIZE = 200


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    slowest_refusal: float = 0.0

    def add(self, seconds: float, response: httpx.Response | None) -> dict[str, Any] | None:
        self.latencies.append(seconds)
        if response is None:
            self.statuses["no answer"] += 1
            return None
        self.statuses[str(response.status_code)] += 1
        if response.status_code == 503:
            self.slowest_refusal = max(self.slowest_refusal, seconds)
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            return None
        for error in body.get("errors") or []:
            self.codes[(error.get("extensions") or {}).get("code", "none")] += 1
        return body

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


class Client:
    """One user's loop over the mix; a refused step starts the loop again."""

    def __init__(self, http: httpx.AsyncClient, token: str, session: str, tally: Tally) -> None:
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.session = session
        self.tally = tally

    async def send(self, operation: str, document: str, variables: dict[str, Any]) -> Any:
        payload = {"query": document, "operationName": operation, "variables": variables}
        started = time.perf_counter()
        try:
            response = await self.http.post(
                "/graphql", content=orjson.dumps(payload), headers=self.headers
            )
        except httpx.HTTPError:
            response = None
        body = self.tally.add(time.perf_counter() - started, response)
        if response is not None and response.status_code == 503:
            await asyncio.sleep(float(response.headers.get("retry-after", "1")))
        return (body or {}).get("data")

    async def run(self, until: float) -> None:
        while time.perf_counter() < until:
            variables = {"agent": ATLAS, "scope": "ALL", "first": LIST_SIZE, "after": None}
            await self.send("SessionList", documents.SESSION_LIST, variables)
            variables = {"agent": ATLAS, "session": self.session, "last": 100}
            await self.send("ChatView", documents.CHAT_VIEW, variables)
            created = await self.send(
                "CreateSession", documents.CREATE_SESSION, {"agent": ATLAS, "title": "load"}
            )
            new = (created or {}).get("createSession") or {}
            if "id" not in new:
                continue
            variables = {"id": new["id"], "title": "renamed"}
            await self.send("RenameSession", documents.RENAME_SESSION, variables)
            await self.send("DeleteSession", documents.DELETE_SESSION, {"id": new["id"]})


@contextmanager
def server(workers: int, env: dict[str, str]) -> Iterator[tuple[str, Path]]:
    """`python server.py --workers N`, as the README runs it: every guard in place."""
    port = _free_port()
    command = [sys.executable, "server.py", "--port", str(port), "--workers", str(workers)]
    with tempfile.NamedTemporaryFile(prefix="bench-overload-", suffix=".log") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base_url, process, Path(log.name))
            yield base_url, Path(log.name)
        finally:
            process.terminate()
            process.wait(timeout=30)


async def prepare(base_url: str, token: str) -> str:
    """Top Atlas up to LIST_SIZE sessions; the session the chat view reads."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30) as http:
        payload = {"query": documents.SESSION_LIST, "operationName": "SessionList"}
        variables = {"agent": ATLAS, "scope": "ALL", "first": LIST_SIZE, "after": None}
        listed = await http.post("/graphql", json={**payload, "variables": variables})
        nodes = listed.json()["data"]["agent"]["sessions"]["nodes"]
        for n in range(LIST_SIZE - len(nodes)):
            variables = {"agent": ATLAS, "title": f"overload {n}"}
            document = {"query": documents.CREATE_SESSION, "variables": variables}
            await http.post("/graphql", json=document)
        return str(demo_id("session:cleo-web"))


async def measure(base_url: str, token: str, session: str, clients: int, seconds: float) -> Tally:
    tally = Tally()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as http:
        until = time.perf_counter() + seconds
        runners = [Client(http, token, session, tally).run(until) for _ in range(clients)]
        await asyncio.gather(*runners)
    return tally


def server_durations(log: Path, skip: int) -> tuple[list[float], int]:
    """The `duration_ms` of the request log's /graphql lines after the first `skip` lines:
    the time inside the server, from complete headers to the answer."""
    lines = log.read_text().splitlines()
    durations = [
        orjson.loads(line.split(": ", 1)[1])["duration_ms"]
        for line in lines[skip:]
        if "chat_api.requests" in line and '"/graphql"' in line
    ]
    return sorted(durations), len(lines)


def token_for(username: str) -> str:
    command = [sys.executable, "server.py", "token", username]
    return subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True).stdout


async def main_async(workers: list[int], clients: list[int], seconds: float) -> None:
    token = token_for(ADA).strip()
    print(
        "| workers | clients | requests | req/s | p50 ms | p99 ms | max ms | slowest 503 ms "
        "| in server: p99 / max ms | HTTP statuses | GraphQL codes |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for count in workers:
        with server(count, {}) as (base_url, log):
            session = await prepare(base_url, token)
            _, seen = server_durations(log, 0)
            for n in clients:
                tally = await measure(base_url, token, session, n, seconds)
                inside, seen = server_durations(log, seen)
                p99 = inside[min(len(inside) - 1, int(0.99 * len(inside)))] if inside else 0
                statuses = ", ".join(f"{k}: {v}" for k, v in sorted(tally.statuses.items()))
                codes = ", ".join(f"{k}: {v}" for k, v in sorted(tally.codes.items())) or "none"
                print(
                    f"| {count} | {n} | {len(tally.latencies)} "
                    f"| {len(tally.latencies) / seconds:.0f} | {tally.percentile(50):.0f} "
                    f"| {tally.percentile(99):.0f} | {max(tally.latencies) * 1000:.0f} "
                    f"| {tally.slowest_refusal * 1000:.0f} "
                    f"| {p99:.0f} / {max(inside, default=0):.0f} | {statuses} | {codes} |",
                    flush=True,
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,4")
    parser.add_argument("--clients", default="50,200,500")
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    workers = [int(n) for n in args.workers.split(",")]
    clients = [int(n) for n in args.clients.split(",")]
    asyncio.run(main_async(workers, clients, args.seconds))


if __name__ == "__main__":
    main()
