"""runEvents delivery latency under the live benchmark's load (bench/subscriptions.py).

    .venv/bin/python -m bench.run_events [--seconds 30] [--rate 50] [--subscriptions 1000]

The same two server processes, 1,000 messageAdded subscriptions and messages at `--rate`
per second as `bench.subscriptions`; beside them one runEvents subscription per session
(100, 5 per connection), and one run event per message, inserted by plain SQL as the
platform's runtime writes them (a thinking event of the session's run, autocommitted).
Reported: runEvents delivery latency from the INSERT's return to the client's receipt,
p50/p99/max, and events lost, duplicated or out of order. Writes
bench/results/run_events.json; BENCHMARKS.md quotes it.
"""

import argparse
import asyncio
import json
import sys
import time
import uuid
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import asyncpg
from websockets.asyncio.client import connect

from auth.tokens import issue_token
from bench.generate import recreate_database
from bench.subscriptions import (
    DATABASE,
    PER_CONNECTION,
    SECRET,
    SESSIONS,
    Connection,
    _percentile,
    _seed,
    _start_server,
    _url,
)
from settings import Settings

RESULTS = Path(__file__).resolve().parent / "results" / "run_events.json"
QUERY = "subscription($s: ID!) { runEvents(sessionId: $s) { id ... on RunThinking { content } } }"
INSERT_MESSAGE = (
    "INSERT INTO chat_messages (id, role, content, conversation_id) "
    "VALUES ($1, 'assistant', $2, $3)"
)
INSERT_EVENT = (
    "INSERT INTO agent_run_events (id, run_id, tenant_id, event_type, payload, created_at) "
    "VALUES ($1, $2, $3, 'status_changed', $4, now())"
)


class EventConnection:
    """One WebSocket with runEvents subscriptions; records (event number, receipt time)."""

    def __init__(self, url: str, token: str, sessions: list[uuid.UUID]) -> None:
        self.url, self.token, self.sessions = url, token, sessions
        self.received: dict[str, list[tuple[int, float]]] = {str(n): [] for n in range(5)}
        self.ready = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        async with connect(self.url, subprotocols=["graphql-transport-ws"], max_queue=None) as ws:  # type: ignore[list-item]
            init = {"Authorization": f"Bearer {self.token}"}
            await ws.send(json.dumps({"type": "connection_init", "payload": init}))
            await ws.recv()
            for n, session in enumerate(self.sessions):
                payload = {"query": QUERY, "variables": {"s": str(session)}}
                await ws.send(json.dumps({"id": str(n), "type": "subscribe", "payload": payload}))
            self.ready.set()
            while not stop.is_set():
                try:
                    async with asyncio.timeout(0.5):
                        message = json.loads(await ws.recv())
                except TimeoutError:
                    continue
                if message["type"] == "next":
                    content = message["payload"]["data"]["runEvents"]["content"]
                    self.received[message["id"]].append((int(content), time.time()))
                elif message["type"] == "ping":
                    await ws.send(json.dumps({"type": "pong"}))
                elif message["type"] != "pong":
                    print(f"unexpected: {message}", file=sys.stderr)


async def run(seconds: float, rate: float, subscriptions: int) -> dict[str, object]:
    await recreate_database(_url(DATABASE))
    user_id, agent_id, sessions = await _seed()
    token = issue_token(user_id, Settings(jwt_secret_key=SECRET, jwt_secret_is_random=False))
    env = {
        "DATABASE_URL": _url(DATABASE),
        "JWT_SECRET_KEY": SECRET,
        "MAX_SUBSCRIPTIONS_PER_CONNECTION": str(PER_CONNECTION),
    }
    ports = [18431, 18432]
    servers = [await _start_server(port, env) for port in ports]
    writer = await asyncpg.connect(_url(DATABASE))
    await writer.set_type_codec(
        "jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
    )
    try:
        tenant = await writer.fetchval("SELECT tenant_id FROM chat_sessions LIMIT 1")
        runs = {session: uuid.uuid4() for session in sessions}
        await writer.executemany(
            "INSERT INTO agent_runs (id, tenant_id, agent_id, session_id, run_kind) "
            "VALUES ($1, $2, $3, $4, 'foreground')",
            [(run, tenant, agent_id, session) for session, run in runs.items()],
        )
        load, watchers = [], []
        for n in range(subscriptions // PER_CONNECTION):
            chosen = [sessions[(n * PER_CONNECTION + k) % SESSIONS] for k in range(PER_CONNECTION)]
            load.append(Connection(f"ws://127.0.0.1:{ports[n % 2]}/graphql", token, chosen))
        for n in range(SESSIONS // PER_CONNECTION):
            chosen = sessions[n * PER_CONNECTION : (n + 1) * PER_CONNECTION]
            url = f"ws://127.0.0.1:{ports[n % 2]}/graphql"
            watchers.append(EventConnection(url, token, chosen))
        stop = asyncio.Event()
        tasks = [asyncio.create_task(c.run(stop)) for c in (*load, *watchers)]
        for connection in (*load, *watchers):
            await connection.ready.wait()
        # Live when each runEvents subscription has received a warm-up event of its session.
        warm_up = {"status": "running", "activity_type": "thinking", "content": "-1"}
        deadline = time.perf_counter() + 120
        while any(not got for c in watchers for got in c.received.values()):
            for session in sessions:
                await writer.execute(INSERT_EVENT, uuid.uuid4(), runs[session], tenant, warm_up)
            await asyncio.sleep(1)
            if time.perf_counter() > deadline:
                raise RuntimeError("the subscriptions did not all start within 120 s")
        await asyncio.sleep(10)  # the messageAdded ones too (bench.subscriptions: ~10 s)
        for connection in watchers:
            for got in connection.received.values():
                got.clear()

        committed: dict[int, tuple[uuid.UUID, float]] = {}
        started = time.perf_counter()
        total = int(seconds * rate)
        for number in range(total):
            session = sessions[number % SESSIONS]
            await writer.execute(INSERT_MESSAGE, uuid.uuid4(), str(number), str(session))
            payload = {"status": "running", "activity_type": "thinking", "content": str(number)}
            await writer.execute(INSERT_EVENT, uuid.uuid4(), runs[session], tenant, payload)
            committed[number] = (session, time.time())
            delay = started + (number + 1) / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        await asyncio.sleep(3)  # the last deliveries
        stop.set()
        await asyncio.gather(*tasks)
    finally:
        await writer.close()
        for server in servers:
            server.terminate()
            await server.communicate()

    latencies: list[float] = []
    lost = duplicates = out_of_order = expected = 0
    for connection in watchers:
        for key, session in enumerate(connection.sessions):
            wanted = {n for n, (s, _) in committed.items() if s == session}
            got = [n for n, _ in connection.received[str(key)]]
            expected += len(wanted)
            lost += len(wanted - set(got))
            duplicates += len(got) - len(set(got))
            out_of_order += sum(1 for a, b in pairwise(got) if b < a)
            latencies += [at - committed[n][1] for n, at in connection.received[str(key)]]
    return {
        "message_subscriptions": subscriptions,
        "run_event_subscriptions": SESSIONS,
        "seconds": seconds,
        "rate": rate,
        "events_expected": expected,
        "lost": lost,
        "duplicates": duplicates,
        "out_of_order": out_of_order,
        "latency_p50_ms": round(_percentile(latencies, 0.5) * 1000, 1),
        "latency_p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
        "latency_max_ms": round(max(latencies, default=0) * 1000, 1),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--subscriptions", type=int, default=1000)
    args = parser.parse_args()
    result = asyncio.run(run(args.seconds, args.rate, args.subscriptions))
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2), file=sys.stdout)


if __name__ == "__main__":
    main()
