"""Live updates under load: two server processes, 1,000 messageAdded subscriptions.

    .venv/bin/python -m bench.subscriptions [--seconds 30] [--rate 50] [--subscriptions 1000]

On PostgreSQL at 127.0.0.1:5432 (BENCH_LIVE_URL to change), in a database of its own
(`chat_live_bench`, made anew each run by the server's migrations):

1. 100 direct sessions; two server processes (`uvicorn --factory server:app_from_env`).
2. 1,000 subscriptions, 5 per WebSocket connection, spread evenly over the sessions and
   the two processes (so each message has 10 subscribers, 5 on each process).
3. Messages inserted by plain SQL (asyncpg, one autocommitted INSERT each, as another
   writer would) at `--rate` per second for `--seconds`, round robin over the sessions.
4. Reported: delivery latency from the INSERT's return (its commit) to the client's
   receipt, p50/p99/max; messages lost and out of order per subscription; the servers'
   memory per subscription (RSS after subscribing less before, per process); the poll
   statements per second of both processes (each broker logs its count when it stops),
   and, as a cross-check, pg_stat_database's transactions per second less the inserts.

Writes bench/results/subscriptions.json; BENCHMARKS.md quotes it.
"""

import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from websockets.asyncio.client import connect

from auth.tokens import issue_token
from bench.generate import recreate_database
from db.engine import Database
from db.migrate import upgrade
from db.models import Agent, ChatSession, Identity, Tenant, User
from settings import Settings, async_database_url

SERVER_URL = os.environ.get("BENCH_LIVE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE = "chat_live_bench"
SECRET = "bench-" + "s" * 58
SESSIONS = 100
PER_CONNECTION = 5
RESULTS = Path(__file__).resolve().parent / "results" / "subscriptions.json"
REPO = Path(__file__).resolve().parent.parent
QUERY = "subscription($s: ID!) { messageAdded(sessionId: $s) { id content } }"


@dataclass
class Result:
    subscriptions: int
    processes: int
    seconds: float
    rate: float
    messages: int
    deliveries_expected: int
    deliveries: int
    lost: int
    out_of_order: int
    duplicates: int
    latency_p50_ms: float
    latency_p99_ms: float
    latency_max_ms: float
    memory_per_subscription_kb: float
    database_statements_per_second: float
    database_transactions_per_second: float
    poll_tick_ms_p50: float
    poll_interval_s: float
    all_live_after_s: float
    when: str


def _url(database: str) -> str:
    base = SERVER_URL.rsplit("/", 1)[0]
    return f"{base}/{database}"


async def _seed(name: str = DATABASE) -> tuple[uuid.UUID, uuid.UUID, list[uuid.UUID]]:
    """A tenant, a member, an agent, and the member's sessions with it, in database `name`."""
    database = Database.from_url(async_database_url(_url(name)))
    try:
        await upgrade(database)
        tenant, identity = Tenant(id=uuid.uuid4(), name="Bench"), Identity(id=uuid.uuid4())
        user = User(
            id=uuid.uuid4(), identity_id=identity.id, tenant_id=tenant.id, display_name="Reader"
        )
        agent = Agent(id=uuid.uuid4(), name="Atlas", creator_id=user.id, tenant_id=tenant.id)
        sessions = [
            ChatSession(
                id=uuid.uuid4(),
                tenant_id=tenant.id,
                session_type="direct",
                agent_id=agent.id,
                user_id=user.id,
                title=f"Session {n}",
                source_channel="web",
            )
            for n in range(SESSIONS)
        ]
        async with database.transaction() as db:
            db.add_all([tenant, identity])
            await db.flush()
            db.add(user)
            await db.flush()
            db.add(agent)
            await db.flush()
            db.add_all(sessions)
        return user.id, agent.id, [session.id for session in sessions]
    finally:
        await database.dispose()


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def _start_server(port: int, env: dict[str, str]) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "uvicorn", "--factory", "server:app_from_env", "--port", str(port)),
        *("--log-level", "warning", "--no-access-log"),
        cwd=REPO,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    async with httpx.AsyncClient() as client, asyncio.timeout(60):
        while True:
            try:
                if (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                    return process
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)


class Connection:
    """One WebSocket with its subscriptions; records (message number, receipt time)."""

    def __init__(self, url: str, token: str, sessions: list[uuid.UUID]) -> None:
        self.url = url
        self.token = token
        self.sessions = sessions
        self.received: dict[str, list[tuple[int, float]]] = {
            str(n): [] for n in range(len(sessions))
        }
        self.ready = asyncio.Event()
        self.errors: list[Any] = []

    async def run(self, stop: asyncio.Event) -> None:
        async with connect(self.url, subprotocols=["graphql-transport-ws"], max_queue=None) as ws:  # type: ignore[list-item]
            init = {"Authorization": f"Bearer {self.token}"}
            await ws.send(json.dumps({"type": "connection_init", "payload": init}))
            json.loads(await ws.recv())
            for n, session in enumerate(self.sessions):
                payload = {"query": QUERY, "variables": {"s": str(session)}}
                await ws.send(json.dumps({"id": str(n), "type": "subscribe", "payload": payload}))
            self.ready.set()
            receive = asyncio.ensure_future(ws.recv())
            stopping = asyncio.ensure_future(stop.wait())
            while True:
                done, _ = await asyncio.wait({receive, stopping}, return_when="FIRST_COMPLETED")
                if receive in done:
                    at = time.time()
                    message = json.loads(receive.result())
                    if message["type"] == "next":
                        data = message["payload"].get("data")
                        if data is None:
                            self.errors.append(message)
                        else:
                            number = int(data["messageAdded"]["content"])
                            self.received[message["id"]].append((number, at))
                    elif message["type"] == "ping":
                        await ws.send(json.dumps({"type": "pong"}))
                    elif message["type"] != "pong":
                        self.errors.append(message)
                    receive = asyncio.ensure_future(ws.recv())
                if stopping in done:
                    receive.cancel()
                    return


async def _statements(connection: asyncpg.Connection) -> int:
    return await connection.fetchval(
        "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = $1", DATABASE
    )


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


async def run(seconds: float, rate: float, subscriptions: int) -> Result:
    await recreate_database(_url(DATABASE))
    user_id, _, sessions = await _seed()
    settings = Settings(jwt_secret_key=SECRET, jwt_secret_is_random=False)
    token = issue_token(user_id, settings)
    env = {
        "DATABASE_URL": _url(DATABASE),
        "JWT_SECRET_KEY": SECRET,
        "MAX_SUBSCRIPTIONS_PER_CONNECTION": str(PER_CONNECTION),
    }
    ports = [18431, 18432]
    servers = [await _start_server(port, env) for port in ports]
    writer = await asyncpg.connect(_url(DATABASE))
    try:
        await asyncio.sleep(1)
        before = [_rss_kb(server.pid) for server in servers]  # type: ignore[arg-type]
        connections = []
        for n in range(subscriptions // PER_CONNECTION):
            chosen = [sessions[(n * PER_CONNECTION + k) % SESSIONS] for k in range(PER_CONNECTION)]
            url = f"ws://127.0.0.1:{ports[n % len(ports)]}/graphql"
            connections.append(Connection(url, token, chosen))
        stop = asyncio.Event()
        tasks = [asyncio.create_task(connection.run(stop)) for connection in connections]
        for connection in connections:
            await connection.ready.wait()
        # Live when each subscription has received a warm-up message of its session.
        subscribing = time.perf_counter()
        warm_up = -1
        while any(not got for c in connections for got in c.received.values()):
            for session in sessions:
                await writer.execute(
                    "INSERT INTO chat_messages (id, role, content, conversation_id) "
                    "VALUES ($1, 'assistant', $2, $3)",
                    uuid.uuid4(),
                    str(warm_up),
                    str(session),
                )
            await asyncio.sleep(1)
            if time.perf_counter() - subscribing > 120:
                raise RuntimeError("the subscriptions did not all start within 120 s")
        live_after = time.perf_counter() - subscribing
        await asyncio.sleep(1)
        for connection in connections:
            for got in connection.received.values():
                got.clear()
        after = [_rss_kb(server.pid) for server in servers]  # type: ignore[arg-type]

        committed: dict[int, tuple[uuid.UUID, float]] = {}
        statements_before = await _statements(writer)
        started = time.perf_counter()
        total = int(seconds * rate)
        for number in range(total):
            session = sessions[number % SESSIONS]
            await writer.execute(
                "INSERT INTO chat_messages (id, role, content, conversation_id) "
                "VALUES ($1, 'assistant', $2, $3)",
                uuid.uuid4(),
                str(number),
                str(session),
            )
            committed[number] = (session, time.time())
            delay = started + (number + 1) / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        elapsed = time.perf_counter() - started
        await asyncio.sleep(3)  # the last deliveries
        await asyncio.sleep(1)  # the statistics collector
        statements = await _statements(writer) - statements_before
        stop.set()
        await asyncio.gather(*tasks)
    finally:
        await writer.close()
        polls = []
        for server in servers:
            server.terminate()
            _, stderr = await server.communicate()
            for line in stderr.decode().splitlines():
                if "live updates: {" in line:
                    polls.append(json.loads(line.split("live updates: ", 1)[1]))

    latencies: list[float] = []
    lost = out_of_order = duplicates = expected = delivered = 0
    for connection in connections:
        for key, session in enumerate(connection.sessions):
            wanted = sorted(n for n, (s, _) in committed.items() if s == session)
            got = [n for n, _ in connection.received[str(key)]]
            expected += len(wanted)
            delivered += len(got)
            lost += len(set(wanted) - set(got))
            duplicates += len(got) - len(set(got))
            out_of_order += sum(1 for a, b in pairwise(got) if b < a)
            latencies += [at - committed[n][1] for n, at in connection.received[str(key)]]
    result = Result(
        subscriptions=subscriptions,
        processes=len(servers),
        seconds=round(elapsed, 1),
        rate=rate,
        messages=total,
        deliveries_expected=expected,
        deliveries=delivered,
        lost=lost,
        out_of_order=out_of_order,
        duplicates=duplicates,
        latency_p50_ms=round(_percentile(latencies, 0.5) * 1000, 1),
        latency_p99_ms=round(_percentile(latencies, 0.99) * 1000, 1),
        latency_max_ms=round(max(latencies, default=0) * 1000, 1),
        memory_per_subscription_kb=round(
            sum(a - b for a, b in zip(after, before, strict=True)) / subscriptions, 1
        ),
        database_statements_per_second=round(
            sum(p["statements"] / p["polling_seconds"] for p in polls if p["polling_seconds"]), 1
        ),
        database_transactions_per_second=round((statements - total) / (elapsed + 4), 1),
        poll_tick_ms_p50=max((p["tick_ms_p50"] for p in polls), default=0.0),
        poll_interval_s=Settings().live_poll_interval,
        all_live_after_s=round(live_after, 1),
        when=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    silent = sum(1 for c in connections for got in c.received.values() if not got)
    print(f"subscriptions that received nothing: {silent}", file=sys.stderr)
    errors = [error for connection in connections for error in connection.errors]
    if errors:
        print(f"{len(errors)} unexpected messages, e.g. {errors[0]}", file=sys.stderr)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--subscriptions", type=int, default=1000)
    args = parser.parse_args()
    result = asyncio.run(run(args.seconds, args.rate, args.subscriptions))
    RESULTS.write_text(json.dumps(asdict(result), indent=2) + "\n")
    print(json.dumps(asdict(result), indent=2))


if __name__ == "__main__":
    main()
