"""The load plan of issue 23: the shipped operations from 16 clients for 60 s, beside 1,000
live subscriptions and 20 writes a second, on the 1M-session database.

    .venv/bin/python -m bench.scale_load [--sessions 1000000] [--workers 2] [--seconds 60]

1. The database of `bench.scale` for that size (loaded unless it holds the plan).
2. This server with `--workers` uvicorn workers. 1,000 `messageAdded` subscriptions over
   graphql-transport-ws (`bench.subscriptions.Connection`, 5 per connection), 10 on each of
   100 direct sessions of the busiest agent's heavy member, all live before timing starts.
3. For `--seconds`, at once: `--clients` clients each sending in turn SessionList ALL and
   MINE (first 20, with count), ChatView (newest 50) and a page back, and MarkSessionRead
   of a session of its own; and messages written by plain SQL at `--rate` a second, round
   robin over the 100 sessions (the INSERT and the session's last_message_at in one
   transaction, as the platform writes them).
4. Per operation: requests, p50/p99 and errors; delivery latency from each write's commit
   to its receipt, p50/p99/max, and deliveries lost.
5. The old REST router (`bench.servers.old_router`, 1 worker) on the same database: its
   session list (every session in one answer), `--old-requests` times each scope.

Writes bench/results/scale_load.json.
"""

import argparse
import asyncio
import json
import os
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench import scale
from bench.generate import AGENT_ADMIN, BUSY_AGENT, DEFAULT_URL, HEAVY_MEMBER, plain_url
from bench.load import Failed, Stats, drive
from bench.run import SECRET, load_average
from bench.servers import SERVER_APP, Server, Workers, old_router, old_router_missing, uvicorn
from bench.side_by_side import _commit, prepare
from bench.subscriptions import PER_CONNECTION, Connection, _percentile

RESULTS = Path(__file__).resolve().parent / "results" / "scale_load.json"
SESSIONS = 100
"""Sessions written to and subscribed to."""
WRITE = """
WITH written AS (
    INSERT INTO chat_messages (id, agent_id, role, content, conversation_id)
    VALUES ($1, $2, 'assistant', $3, $4) RETURNING created_at
)
UPDATE chat_sessions SET last_message_at = (SELECT created_at FROM written) WHERE id = $5"""


@dataclass
class Mix:
    """Each client in turn: the list ALL and MINE, the chat view and a page back, and
    marking its own session read; latencies per operation."""

    operations: list[scale.Operation]
    marked: list[uuid.UUID]
    tokens: dict[uuid.UUID, str]
    stats: dict[str, Stats] = field(default_factory=lambda: defaultdict(Stats))
    timing: bool = False

    async def send(self, client: httpx.AsyncClient, number: int, n: int) -> None:
        turn = n % (len(self.operations) + 1)
        if turn < len(self.operations):
            operation = self.operations[turn]
        else:
            operation = scale.mark_read(self.marked[number % len(self.marked)])
        started = time.perf_counter()
        try:
            await operation.send(client, self.tokens[operation.viewer])
        except (Failed, httpx.HTTPError) as error:
            if self.timing:
                stats = self.stats[operation.name]
                stats.errors += 1
                stats.first_error = stats.first_error or f"{type(error).__name__}: {error}"
            raise
        if self.timing:
            self.stats[operation.name].latencies.append(time.perf_counter() - started)


def _busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy (every process, /proc/stat)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


async def _database_cpu_seconds(connection: asyncpg.Connection) -> float:
    """CPU seconds of the database's other backends so far (the server's pooled ones)."""
    pids = await connection.fetch(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid()"
    )
    return sum(Server("", row["pid"]).own_cpu_seconds() for row in pids)


async def _heavy_sessions(url: str) -> list[uuid.UUID]:
    connection = await asyncpg.connect(plain_url(url))
    try:
        rows = await connection.fetch(
            "SELECT id FROM chat_sessions WHERE agent_id = $1 AND user_id = $2 "
            "AND session_type = 'direct' AND deleted_at IS NULL ORDER BY id LIMIT $3",
            BUSY_AGENT,
            HEAVY_MEMBER,
            SESSIONS,
        )
    finally:
        await connection.close()
    return [row["id"] for row in rows]


async def _write(writer: asyncpg.Connection, session: uuid.UUID, content: str) -> float:
    """One message, as the platform writes it; the time its transaction committed."""
    await writer.execute(WRITE, uuid.uuid4(), BUSY_AGENT, content, str(session), session)
    return time.time()


async def _subscribe(
    base_url: str, token: str, sessions: list[uuid.UUID], count: int, writer: asyncpg.Connection
) -> tuple[list[Connection], asyncio.Event, list[asyncio.Task[None]]]:
    """`count` live subscriptions, each having received a warm-up message of its session."""
    url = base_url.replace("http://", "ws://") + "/graphql"
    connections = [
        Connection(
            url,
            token,
            [sessions[(n * PER_CONNECTION + k) % len(sessions)] for k in range(PER_CONNECTION)],
        )
        for n in range(count // PER_CONNECTION)
    ]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(connection.run(stop)) for connection in connections]
    for connection in connections:
        await connection.ready.wait()
    deadline = time.perf_counter() + 120
    while any(not got for c in connections for got in c.received.values()):
        for session in sessions:
            await _write(writer, session, "-1")
        await asyncio.sleep(1)
        if time.perf_counter() > deadline:
            raise RuntimeError("the subscriptions did not all start within 120 s")
    await asyncio.sleep(1)
    for connection in connections:
        for got in connection.received.values():
            got.clear()
    return connections, stop, tasks


async def _writes(
    writer: asyncpg.Connection, sessions: list[uuid.UUID], rate: float, seconds: float
) -> dict[int, tuple[uuid.UUID, float]]:
    committed = {}
    started = time.perf_counter()
    for number in range(int(rate * seconds)):
        session = sessions[number % len(sessions)]
        committed[number] = (session, await _write(writer, session, str(number)))
        delay = started + (number + 1) / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    return committed


def _deliveries(
    connections: list[Connection], committed: dict[int, tuple[uuid.UUID, float]]
) -> dict[str, Any]:
    latencies, expected, lost = [], 0, 0
    for connection in connections:
        for key, session in enumerate(connection.sessions):
            wanted = {n for n, (s, _) in committed.items() if s == session}
            got = connection.received[str(key)]
            expected += len(wanted)
            lost += len(wanted - {n for n, _ in got})
            latencies += [at - committed[n][1] for n, at in got if n in committed]
    errors = sum(len(connection.errors) for connection in connections)
    return {
        "messages": len(committed),
        "deliveries_expected": expected,
        "deliveries": len(latencies),
        "lost": lost,
        "errors": errors,
        "p50_ms": round(_percentile(latencies, 0.5) * 1000, 1),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
        "max_ms": round(max(latencies, default=0) * 1000, 1),
    }


async def load_plan(url: str, workers: int, clients: int, seconds: float, rate: float,
                    subscriptions: int) -> dict[str, Any]:  # fmt: skip
    keys = scale.tokens()
    sessions = await _heavy_sessions(url)
    env = {"DATABASE_URL": url, "JWT_SECRET_KEY": SECRET}
    writer = await asyncpg.connect(plain_url(url))
    try:
        with uvicorn(SERVER_APP, Workers(workers), env) as server:
            back = await scale.page_back(server.base_url, keys[HEAVY_MEMBER])
            operations = [
                scale.session_list("ALL"),
                scale.session_list("MINE"),
                scale.chat(),
                back,
            ]
            mix = Mix(operations, sessions, keys)
            connections, stop, tasks = await _subscribe(
                server.base_url, keys[HEAVY_MEMBER], sessions, subscriptions, writer
            )
            print(f"{subscriptions} subscriptions live, load average {load_average()}", flush=True)
            mix.timing = True
            busy, driver = _busy_cpu_seconds(), time.process_time()
            database = await _database_cpu_seconds(writer)
            stats, committed = await asyncio.gather(
                drive(
                    server.base_url,
                    mix.send,
                    clients=clients,
                    max_requests=10**9,
                    max_seconds=seconds,
                    warmup=0,
                    cpu_clock=server.cpu_seconds,
                ),
                _writes(writer, sessions, rate, seconds),
            )
            busy, driver = _busy_cpu_seconds() - busy, time.process_time() - driver
            database = await _database_cpu_seconds(writer) - database
            await asyncio.sleep(3)  # the last deliveries
            stop.set()
            await asyncio.gather(*tasks)
    finally:
        await writer.close()
    per_operation = {name: scale.figures(found) for name, found in mix.stats.items()}
    return {
        "workers": workers,
        "clients": clients,
        "seconds": round(stats.seconds, 1),
        "throughput": round(stats.throughput, 1),
        "requests": stats.requests,
        "errors": stats.errors,
        "first_error": stats.first_error,
        "p50": round(stats.percentile(50), 2),
        "p99": round(stats.percentile(99), 2),
        "server_cpu_ms_per_request": round(stats.cpu_ms_per_request or float("nan"), 2),
        "cores_busy": {
            "machine": round(busy / stats.seconds, 2),
            "server": round((stats.cpu_seconds or 0) / stats.seconds, 2),
            "database": round(database / stats.seconds, 2),
            "driver": round(driver / stats.seconds, 2),
        },
        "operations": per_operation,
        "subscriptions": subscriptions,
        "write_rate": rate,
        "delivery": _deliveries(connections, committed),
    }


async def old_router_list(url: str, requests: int, patience: float) -> dict[str, Any]:
    """The old router's list, every session in one answer: seconds and size per request, or
    how long it went unanswered."""
    missing = old_router_missing()
    if missing:
        return {"skipped": missing}
    keys = scale.tokens()
    found: dict[str, Any] = {}
    with old_router(plain_url(url), SECRET) as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=patience) as client:
            for scope, viewer in (("all", AGENT_ADMIN), ("mine", HEAVY_MEMBER)):
                path = f"/api/agents/{BUSY_AGENT}/sessions?scope={scope}"
                times, sizes, status = [], [], None
                headers = {"Authorization": f"Bearer {keys[viewer]}"}
                for _ in range(requests):
                    started = time.perf_counter()
                    try:
                        response = await client.get(path, headers=headers)
                    except httpx.TimeoutException:
                        found[scope] = {"unanswered_after_seconds": patience}
                        break
                    times.append(round(time.perf_counter() - started, 2))
                    sizes.append(len(response.content))
                    status = response.status_code
                if not times:
                    print(f"  old router {scope}: no answer in {patience:.0f} s", flush=True)
                    continue
                body = response.json() if status == 200 else None
                listed = len(body) if isinstance(body, list) else None
                found[scope] = {"status": status, "seconds": times, "bytes": sizes[-1],
                                "sessions": listed}  # fmt: skip
                print(f"  old router {scope}: {found[scope]}", flush=True)
    return found


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    started = datetime.now(UTC)
    url = scale.database_url(args.url, args.sessions)
    await prepare(url, scale.plan(args.sessions), regenerate=False)
    load_before = load_average()
    plan = await load_plan(
        url, args.workers, args.clients, args.seconds, args.rate, args.subscriptions
    )
    print(json.dumps(plan, indent=1), flush=True)
    old = {}
    if args.old_requests:
        old = await old_router_list(url, args.old_requests, args.old_timeout)
    return {
        "started": started.isoformat(timespec="seconds"),
        "commit": _commit(),
        "sessions": args.sessions,
        "load_before": load_before,
        "load_after": load_average(),
        "plan": plan,
        "old_router": old,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL, help="the server (its database is ignored)")
    parser.add_argument("--sessions", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=20, help="messages written a second")
    parser.add_argument("--subscriptions", type=int, default=1000)
    parser.add_argument("--old-requests", type=int, default=1, help="0: leave the old router out")
    parser.add_argument("--old-timeout", type=float, default=300, help="seconds per request")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the results go")
    args = parser.parse_args(argv)
    clock = time.perf_counter()
    results = asyncio.run(main_async(args))
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"done in {time.perf_counter() - clock:.0f}s; results in {args.out}")


if __name__ == "__main__":
    main()
