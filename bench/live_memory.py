"""Live updates' memory and idle CPU: 1,000 subscriptions opened and closed, five times.

    .venv/bin/python -m bench.live_memory [--cycles 5] [--subscriptions 1000] [--idle 30]
        [--url URL]

One server process (`uvicorn --factory server:app_from_env`, as `bench.subscriptions`
starts it). Without `--url`, on a database of its own made anew (`chat_live_memory`, 100
sessions, `bench.subscriptions`'s seed); with `--url`, on a database `bench.generate`
made (a million sessions), as the member owning most of the busiest agent's sessions,
100 of them. Each connection holds four messageAdded subscriptions and one sessionEvents
(the MINE list of an agent nobody writes to: the bench's writes would otherwise reach
every sessionEvents subscriber), so every tick runs both of the poller's reads.

1. Idle CPU: the subscriptions are opened and made live (a message in each session
   reaches every messageAdded subscriber, each started after its connection's
   sessionEvents), then left alone until the lookback window holds nothing
   new (`live_lookback` + 5 s); the process's CPU time over `--idle` seconds, as a share
   of one core, is what polling costs a quiet process (pings included).
2. Polling alone: a broker in this process (`live.broker.Broker`, the server's settings)
   with the same subscriptions registered and nothing else; its CPU time over `--idle`
   seconds, once the window is quiet: what the poller costs without the transport.
3. Memory: `--cycles` times, the subscriptions are opened, made live, and closed; the
   process's RSS after each close, and while they are open. Per subscription: RSS with
   them open less RSS before the first cycle, divided by their number.

Writes bench/results/live_memory.json; BENCHMARKS.md quotes it.
"""

import argparse
import asyncio
import json
import os
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from websockets.asyncio.client import connect

from auth.tokens import issue_token
from auth.watching import Watched
from bench.generate import BUSY_AGENT, growth_agent, plain_url, recreate_database
from bench.subscriptions import SECRET, _rss_kb, _seed, _start_server, _url
from live.broker import Broker, Watch
from settings import Settings, async_database_url

DATABASE = "chat_live_memory"
PER_CONNECTION = 5
PORT = 18451
RESULTS = Path(__file__).resolve().parent / "results" / "live_memory.json"
MESSAGE_ADDED = "subscription($s: ID!) { messageAdded(sessionId: $s) { id } }"
SESSION_EVENTS = (
    "subscription($a: ID!) { sessionEvents(agentId: $a) { __typename "
    "... on SessionChanged { session { id } } } }"
)
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND  # utime, stime


async def _subscriber(
    url: str, token: str, subscriptions: list[dict[str, Any]], heard: set[str], stop: asyncio.Event
) -> None:
    """One WebSocket: subscribes, notes which subscriptions heard something, answers
    pings, and closes when `stop` is set."""
    async with connect(
        url,
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        max_queue=None,
        open_timeout=60,  # 200 handshakes at once on a loaded machine
    ) as ws:
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        )
        await ws.recv()
        for n, payload in enumerate(subscriptions):
            await ws.send(json.dumps({"id": str(n), "type": "subscribe", "payload": payload}))
        stopping = asyncio.ensure_future(stop.wait())
        while True:
            receive = asyncio.ensure_future(ws.recv())
            done, _ = await asyncio.wait({receive, stopping}, return_when="FIRST_COMPLETED")
            if stopping in done:
                receive.cancel()
                return
            message = json.loads(receive.result())
            if message["type"] == "ping":
                await ws.send(json.dumps({"type": "pong"}))
            elif message["type"] == "next" and message["payload"].get("data"):
                if "messageAdded" in message["payload"]["data"]:
                    heard.add(f"{id(ws)}:{message['id']}")
            elif message["type"] != "pong":
                raise RuntimeError(f"unexpected message: {message}")


class Round:
    """`count` subscriptions over connections of PER_CONNECTION, open until closed."""

    def __init__(self, count: int, token: str, agent: uuid.UUID, sessions: list[uuid.UUID]):
        self.count = count
        self.live = count // PER_CONNECTION * (PER_CONNECTION - 1)
        """Live when every messageAdded subscription heard a message."""
        self.heard: set[str] = set()
        self.stop = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []
        self.token, self.agent, self.sessions = token, agent, sessions

    async def open(self, writer: asyncpg.Connection) -> float:
        """Opens them and waits until each heard a message; the seconds it took."""
        started = time.perf_counter()
        url = f"ws://127.0.0.1:{PORT}/graphql"
        for n in range(self.count // PER_CONNECTION):
            # sessionEvents first: it has started when the messageAdded after it hear.
            payloads: list[dict[str, Any]] = [
                {"query": SESSION_EVENTS, "variables": {"a": str(self.agent)}}
            ]
            payloads += [
                {"query": MESSAGE_ADDED, "variables": {"s": str(self.sessions[(n * 4 + k) % 100])}}
                for k in range(PER_CONNECTION - 1)
            ]
            subscriber = _subscriber(url, self.token, payloads, self.heard, self.stop)
            self.tasks.append(asyncio.create_task(subscriber))
        while len(self.heard) < self.live:
            for task in self.tasks:
                if task.done():
                    task.result()
            await _write(writer, self.sessions)
            await asyncio.sleep(1)
            if time.perf_counter() - started > 180:
                raise RuntimeError(f"only {len(self.heard)} subscriptions live after 180 s")
        return time.perf_counter() - started

    async def close(self) -> None:
        self.stop.set()
        await asyncio.gather(*self.tasks)


async def _write(writer: asyncpg.Connection, sessions: list[uuid.UUID]) -> None:
    """A message in each session, as another writer would (plain SQL)."""
    await writer.executemany(
        "INSERT INTO chat_messages (id, role, content, conversation_id) "
        "VALUES ($1, 'assistant', 'live_memory', $2)",
        [(uuid.uuid4(), str(session)) for session in sessions],
    )


async def _subject(url: str | None) -> tuple[str, uuid.UUID, uuid.UUID, list[uuid.UUID]]:
    """The database, the viewer, the viewer's 100 sessions with an agent, and another agent
    of the viewer's, one without writes, whose list sessionEvents follows."""
    if url is None:
        await recreate_database(_url(DATABASE))
        user, agent, sessions = await _seed(DATABASE)
        connection = await asyncpg.connect(_url(DATABASE))
        try:
            quiet = uuid.uuid4()
            await connection.execute(
                "INSERT INTO agents (id, name, creator_id, tenant_id) "
                "SELECT $1, 'Quiet', creator_id, tenant_id FROM agents WHERE id = $2",
                quiet,
                agent,
            )
        finally:
            await connection.close()
        return _url(DATABASE), user, quiet, sessions
    connection = await asyncpg.connect(plain_url(url))
    try:
        user = await connection.fetchval(
            "SELECT s.user_id FROM chat_sessions s JOIN users u ON u.id = s.user_id "
            "WHERE s.agent_id = $1 AND s.deleted_at IS NULL AND u.is_active "
            "AND s.session_type = 'direct' GROUP BY s.user_id ORDER BY count(*) DESC LIMIT 1",
            BUSY_AGENT,
        )
        sessions = await connection.fetch(
            "SELECT id FROM chat_sessions WHERE agent_id = $1 AND user_id = $2 "
            "AND deleted_at IS NULL AND session_type = 'direct' ORDER BY id LIMIT 100",
            BUSY_AGENT,
            user,
        )
    finally:
        await connection.close()
    return url, user, growth_agent(100), [row["id"] for row in sessions]


async def _polling_cpu(
    url: str, user: uuid.UUID, agent: uuid.UUID, sessions: list[uuid.UUID], count: int, idle: float
) -> float:
    """The share of a core a broker with `count` quiet subscriptions spends polling."""
    settings = Settings()
    broker = Broker(
        async_database_url(url),
        poll_interval=settings.live_poll_interval,
        lookback=settings.live_lookback,
        buffer=settings.live_buffer,
        max_subscriptions=count,
        recheck_interval=settings.live_recheck_interval,
    )
    watches: list[Watch] = []
    for n in range(count // PER_CONNECTION):
        watch: Watch = broker.watch_sessions(agent)
        watch.watched = Watched.session_list(user, agent, all_sessions=False)
        watches.append(watch)
        for k in range(PER_CONNECTION - 1):
            session = sessions[(n * 4 + k) % 100]
            watch = broker.watch_messages(session)
            watch.watched = Watched.session(user, session)
            watches.append(watch)
    await asyncio.sleep(3)
    cpu, clock = time.process_time(), time.perf_counter()
    await asyncio.sleep(idle)
    share = (time.process_time() - cpu) / (time.perf_counter() - clock)
    for watch in watches:
        watch.close()
    await broker.close()
    return share


async def run(cycles: int, subscriptions: int, idle: float, url: str | None) -> dict[str, Any]:
    database_url, user, agent, sessions = await _subject(url)
    token = issue_token(user, Settings(jwt_secret_key=SECRET, jwt_secret_is_random=False))
    env = {
        "DATABASE_URL": database_url,
        "JWT_SECRET_KEY": SECRET,
        "MAX_SUBSCRIPTIONS_PER_CONNECTION": str(PER_CONNECTION),
        "LOG_LEVEL": "WARNING",  # its stderr is a pipe read at the end: a full one blocks it
    }
    server = await _start_server(PORT, env)
    assert server.pid is not None
    writer = await asyncpg.connect(plain_url(database_url))
    result: dict[str, Any] = {"subscriptions": subscriptions, "database": database_url}
    try:
        await asyncio.sleep(2)
        baseline = _rss_kb(server.pid)
        quiet = Round(subscriptions, token, agent, sessions)
        result["live_after_s"] = round(await quiet.open(writer), 1)
        await asyncio.sleep(Settings().live_lookback + 5)  # nothing new left in the window
        cpu, clock = _cpu_seconds(server.pid), time.perf_counter()
        await asyncio.sleep(idle)
        share = (_cpu_seconds(server.pid) - cpu) / (time.perf_counter() - clock)
        result["idle_cpu_share_of_a_core"] = round(share, 4)
        await quiet.close()
        polling = await _polling_cpu(database_url, user, agent, sessions, subscriptions, idle)
        result["polling_only_cpu_share_of_a_core"] = round(polling, 4)
        await asyncio.sleep(2)
        open_rss, closed_rss = [], []
        for _ in range(cycles):
            round_ = Round(subscriptions, token, agent, sessions)
            await round_.open(writer)
            open_rss.append(_rss_kb(server.pid))
            await round_.close()
            await asyncio.sleep(3)  # the server notices the closes
            closed_rss.append(_rss_kb(server.pid))
        result |= {
            "rss_before_kb": baseline,
            "rss_open_kb": open_rss,
            "rss_closed_kb": closed_rss,
            "last_vs_first_closed": round(closed_rss[-1] / closed_rss[0] - 1, 4),
            "per_subscription_kb": round((open_rss[0] - baseline) / subscriptions, 1),
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    finally:
        await writer.execute("DELETE FROM chat_messages WHERE content = 'live_memory'")
        await writer.close()
        server.terminate()
        await server.communicate()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=5)
    parser.add_argument("--subscriptions", type=int, default=1000)
    parser.add_argument("--idle", type=float, default=30)
    parser.add_argument("--url", help="a bench.generate database (default: a seeded one)")
    args = parser.parse_args()
    result = asyncio.run(run(args.cycles, args.subscriptions, args.idle, args.url))
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
