"""Tracing's cost: list ALL with tracing on against tracing off, two server processes.

    .venv/bin/python -m bench.tracing [--rounds 20] [--requests 50]

On the side-by-side data (`bench.side_by_side`, in a database of its own), two servers
as operators run them (`uvicorn --factory server:app_from_env`, one worker each): one
without OTEL_* variables, one with `OTEL_EXPORTER_OTLP_ENDPOINT` set to a collector
stand-in in this process that accepts every OTLP/HTTP export (so the exporter does all
its work: batching, protobuf, HTTP). Every request is traced (the SDK's default sampler).
Rounds alternate between the servers (and which goes first), so that the machine's
load falls on both alike; each round sends `--requests` list ALL requests from one
client. The figures: each server's CPU per request (from /proc, from the first round
until the last spans were exported) and its median latency. Writes bench/results/tracing.json.
"""

import argparse
import asyncio
import json
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import orjson

from auth.tokens import issue_token
from bench.generate import Plan, plain_url
from bench.run import SECRET
from bench.servers import SERVER_APP, Server, Workers, uvicorn
from bench.side_by_side import prepare, scenarios
from settings import Settings

RESULTS = Path(__file__).resolve().parent / "results" / "tracing.json"
URL = "postgresql://postgres@127.0.0.1:5432/chat_bench_tracing"


class Collector(BaseHTTPRequestHandler):
    """Accepts every OTLP/HTTP export, counting them and their bytes."""

    exports = 0
    received = 0

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).exports += 1
        type(self).received += len(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        pass


@contextmanager
def collector() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


async def round_of(server: Server, body: bytes, headers: dict[str, str], n: int) -> list[float]:
    """The latencies of `n` requests, one at a time."""
    latencies = []
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        for _ in range(n):
            started = time.perf_counter()
            response = await client.post("/graphql", content=body, headers=headers)
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 200 and b'"errors"' not in response.content
    return latencies


async def measure(url: str, rounds: int, requests: int) -> dict[str, Any]:
    await prepare(url, Plan.issue(), regenerate=False)
    settings = Settings(jwt_secret_key=SECRET, jwt_secret_is_random=False)
    (scenario,) = [scenario for scenario in scenarios() if scenario.name == "list ALL"]
    assert scenario.graphql is not None
    operation, document, variables = scenario.graphql
    body = orjson.dumps({"query": document, "operationName": operation, "variables": variables})
    headers = {
        "Authorization": f"Bearer {issue_token(scenario.viewer, settings)}",
        "Content-Type": "application/json",
    }
    env = {"DATABASE_URL": plain_url(url), "JWT_SECRET_KEY": SECRET}
    latencies: dict[str, list[float]] = {"off": [], "on": []}
    with (
        collector() as endpoint,
        uvicorn(SERVER_APP, Workers(1), env) as off,
        uvicorn(SERVER_APP, Workers(1), {**env, "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint}) as on,
    ):
        servers = {"off": off, "on": on}
        for server in servers.values():
            await round_of(server, body, headers, 20)  # warm: plans, connections, caches
        await asyncio.sleep(6)  # the warm-up's spans leave (OTEL_BSP_SCHEDULE_DELAY, 5 s)
        exported = Collector.received
        cpu = {mode: -server.cpu_seconds() for mode, server in servers.items()}
        for number in range(rounds):
            order = ("off", "on") if number % 2 == 0 else ("on", "off")
            for mode in order:
                latencies[mode] += await round_of(servers[mode], body, headers, requests)
        await asyncio.sleep(6)  # and the last batch
        for mode, server in servers.items():
            cpu[mode] += server.cpu_seconds()
    total = rounds * requests
    result: dict[str, Any] = {"rounds": rounds, "requests_per_round": requests}
    for mode in ("off", "on"):
        result[mode] = {
            "cpu_ms_per_request": round(cpu[mode] * 1000 / total, 2),
            "p50_ms": round(statistics.median(latencies[mode]) * 1000, 2),
        }
    result["exported_bytes_per_request"] = round((Collector.received - exported) / total)
    for name in ("cpu_ms_per_request", "p50_ms"):
        ratio = result["on"][name] / result["off"][name]
        result[f"overhead_{name}_percent"] = round((ratio - 1) * 100, 1)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--url", default=URL)
    args = parser.parse_args(argv)
    result = asyncio.run(measure(args.url, args.rounds, args.requests))
    print(json.dumps(result, indent=1))
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
