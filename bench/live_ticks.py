"""What one tick of live updates costs at a million messages, by lookback window.

    python -m bench.live_ticks [--url URL] [--watched 100] [--rate 20] [--rounds 100]

On a database `bench.generate` made (1 M messages), it adds a minute of recent activity
(`rate` messages a second, a third of them tool_call rows written without touching the
session, spread over `watched` sessions of the busiest agent, created up to 60 s ago;
none with `--rate 0`, a quiet minute), then times each statement of a tick against the
same connection, as the broker runs them: the watched sessions' new messages
(`db.live.new_messages`; with every row built, and with the rows already delivered
skipped, as the broker reads; and without the sessions' rows, `only_new_messages`, as
most ticks read), the watched agents' changed sessions
(`db.live.changed_sessions`), by window (the 5 s every tick reads, the 60 s read once a
second and with each new commit), and the access re-check of every subscription
(`db.watched_access.access_rows`). The added rows are deleted at the end. Prints one
JSON object: per window and statement, the median and 95th percentile in milliseconds
as the broker sees them and the rows read, and the database's own median time and
buffers (EXPLAIN ANALYZE)."""

import argparse
import asyncio
import json
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable, Container
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import delete, event, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from bench.generate import BUSY_AGENT, DEFAULT_URL, growth_agent
from db.engine import Database
from db.live import changed_sessions, database_now, new_messages, only_new_messages
from db.migrate import upgrade
from db.models import ChatMessage, ChatSession
from db.watched_access import Watched, access_rows
from settings import async_database_url

WINDOWS = (5.0, 60.0)


async def _timed(
    connection: AsyncConnection, rounds: int, read: Callable[[], Awaitable[int]]
) -> dict[str, float]:
    """The read's time as the broker sees it (Python included), and the database's own
    time and buffers for its statement (EXPLAIN ANALYZE, the median of 20)."""
    sent: list[tuple[str, Any]] = []

    def grab(*args: Any) -> None:
        sent.append((args[2], args[3]))

    times, rows = [], 0
    event.listen(connection.sync_connection, "before_cursor_execute", grab)
    for _ in range(rounds):
        started = time.perf_counter()
        rows = await read()
        times.append((time.perf_counter() - started) * 1000)
    event.remove(connection.sync_connection, "before_cursor_execute", grab)
    times.sort()
    server, buffers = [], 0
    sql, parameters = sent[-1]
    for _ in range(20):
        explain = "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql
        [plan] = (await connection.exec_driver_sql(explain, parameters)).scalar_one()
        server.append(plan["Execution Time"])
        buffers = plan["Plan"]["Shared Hit Blocks"] + plan["Plan"]["Shared Read Blocks"]
    return {
        "p50_ms": round(statistics.median(times), 3),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 3),
        "rows": rows,
        "server_p50_ms": round(statistics.median(server), 3),
        "server_buffers": buffers,
    }


async def _activity(
    connection: AsyncConnection, sessions: list[ChatSession], rate: int
) -> list[uuid.UUID]:
    """A minute of writes: `rate` a second, created up to 60 s before the database's now."""
    now = await database_now(connection)
    rng = random.Random(7)
    rows = []
    for _ in range(rate * 60):
        session = rng.choice(sessions)
        rows.append(
            {
                "id": uuid.uuid4(),
                "agent_id": session.agent_id,
                "role": rng.choice(("user", "assistant", "tool_call")),
                "content": "recent",
                "conversation_id": str(session.id),
                "created_at": now - timedelta(seconds=rng.uniform(0, 60)),
            }
        )
    if rows:
        await connection.execute(insert(ChatMessage), rows)
        await connection.commit()
    return [row["id"] for row in rows]


async def measure(url: str, watched: int, rate: int, rounds: int) -> dict[str, Any]:
    database = Database.from_url(async_database_url(url))
    await upgrade(database)  # the server's indexes, 0002's included
    await database.dispose()
    engine = create_async_engine(async_database_url(url))
    async with engine.connect() as connection:
        total = await connection.scalar(select(text("count(*)")).select_from(ChatMessage))
        sessions = (
            await connection.execute(
                select(ChatSession.id, ChatSession.agent_id, ChatSession.user_id)
                .where(ChatSession.agent_id == BUSY_AGENT, ChatSession.user_id.is_not(None))
                .order_by(ChatSession.id)
                .limit(watched)
            )
        ).all()
        added = await _activity(connection, sessions, rate)
        agents = [BUSY_AGENT, *(growth_agent(size) for size in (100, 1000))]
        subscriptions = [Watched.session(s.user_id, s.id) for s in sessions] + [
            Watched.session_list(s.user_id, BUSY_AGENT, all_sessions=False) for s in sessions
        ]
        ids = [s.id for s in sessions]
        result: dict[str, Any] = {
            "messages": total + len(added),
            "watched_sessions": len(ids),
            "watched_agents": len(agents),
            "subscriptions_rechecked": len(subscriptions),
            "recent_rate_per_s": rate,
        }
        try:
            now = await database_now(connection)
            window = await new_messages(connection, ids, now - timedelta(seconds=60))
            delivered = {row.id for row in window[1]}
            for seconds in WINDOWS:
                floor = now - timedelta(seconds=seconds)

                async def messages(floor: datetime = floor, known: Container = ()) -> int:
                    return len((await new_messages(connection, ids, floor, known))[1])

                async def only_new(floor: datetime = floor) -> int:
                    return len(await only_new_messages(connection, ids, floor, delivered))

                async def changed(floor: datetime = floor) -> int:
                    return len(await changed_sessions(connection, agents, floor))

                result[f"window_{int(seconds)}s"] = {
                    "new_messages_all_built": await _timed(connection, rounds, messages),
                    "new_messages_delivered_skipped": await _timed(
                        connection, rounds, partial(messages, known=delivered)
                    ),
                    "only_new_messages_delivered_skipped": await _timed(
                        connection, rounds, only_new
                    ),
                    "changed_sessions": await _timed(connection, rounds, changed),
                }

            async def recheck() -> int:
                return len((await access_rows(connection, subscriptions)).users)

            result["access_recheck"] = await _timed(connection, rounds, recheck)
        finally:
            await connection.rollback()
            await connection.execute(delete(ChatMessage).where(ChatMessage.id.in_(added)))
            await connection.commit()
    await engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--watched", type=int, default=100)
    parser.add_argument("--rate", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=100)
    arguments = vars(parser.parse_args())
    result = asyncio.run(measure(**arguments))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
