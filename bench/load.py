"""The load driver: concurrent clients over HTTP, bounded by a request count and a time.

A scenario is a coroutine that sends one request and raises `Failed` when the answer is
not what a client expects (an HTTP error, GraphQL errors, an error result). Every client
runs it in a loop after a short warm-up; latencies are measured per request.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

Request = Callable[[httpx.AsyncClient, int, int], Awaitable[None]]
"""Send request number n of client c: `request(client, c, n)`."""


class Failed(Exception):
    pass


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    first_error: str | None = None
    cpu_seconds: float | None = None
    """CPU the server spent meanwhile, when it was measured."""
    client_cpu_seconds: float = 0.0
    """CPU this process (the clients) spent meanwhile: at 1 client, most of a small
    request's latency on a shared machine."""

    @property
    def cpu_ms_per_request(self) -> float | None:
        if self.cpu_seconds is None or not self.requests:
            return None
        return self.cpu_seconds * 1000 / self.requests

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """The p-th percentile latency in milliseconds (nearest rank)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank] * 1000


def graphql_data(response: httpx.Response) -> dict[str, Any]:
    """The response's data; `Failed` for an HTTP error or any GraphQL error."""
    if response.status_code != 200:
        raise Failed(f"HTTP {response.status_code}: {response.text[:200]}")
    body = orjson.loads(response.content)
    if body.get("errors") or not body.get("data"):
        raise Failed(f"GraphQL errors: {str(body.get('errors'))[:200]}")
    return body["data"]


async def post(
    client: httpx.AsyncClient, token: str, operation: str, document: str, variables: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post(
        "/graphql",
        content=orjson.dumps(
            {"query": document, "operationName": operation, "variables": variables}
        ),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    return graphql_data(response)


async def drive(
    base_url: str,
    request: Request,
    *,
    clients: int,
    max_requests: int,
    max_seconds: float,
    warmup: int = 3,
    cpu_clock: Callable[[], float] | None = None,
) -> Stats:
    """Run `request` from `clients` concurrent clients until either bound is reached.

    `cpu_clock`, when given, reads the server's CPU seconds; the difference over the
    measured requests (warm-up left out) goes into the stats.
    """
    stats = Stats()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:

        async def warm(number: int) -> None:
            for n in range(warmup):
                try:
                    await request(client, number, -1 - n)
                except (Failed, httpx.HTTPError) as error:
                    stats.errors += 1
                    stats.first_error = stats.first_error or f"{type(error).__name__}: {error}"

        await asyncio.gather(*(warm(number) for number in range(clients)))
        sent = 0
        cpu_before = cpu_clock() if cpu_clock else None
        client_cpu_before = time.process_time()
        started = time.perf_counter()
        deadline = started + max_seconds

        async def run(number: int) -> None:
            nonlocal sent
            n = 0
            while sent < max_requests and time.perf_counter() < deadline:
                sent += 1
                begin = time.perf_counter()
                try:
                    await request(client, number, n)
                except (Failed, httpx.HTTPError) as error:
                    stats.errors += 1
                    stats.first_error = stats.first_error or f"{type(error).__name__}: {error}"
                else:
                    stats.latencies.append(time.perf_counter() - begin)
                n += 1

        await asyncio.gather(*(run(number) for number in range(clients)))
        stats.seconds = time.perf_counter() - started
        stats.client_cpu_seconds = time.process_time() - client_cpu_before
        if cpu_clock and cpu_before is not None:
            stats.cpu_seconds = cpu_clock() - cpu_before
    return stats
