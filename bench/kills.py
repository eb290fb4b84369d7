"""Connections killed under load: what a kill of every database connection costs clients.

    .venv/bin/python -m bench.kills [--clients 20] [--kills 5] [--every 4]

Needs PostgreSQL with the demo (`server.py migrate`, `server.py demo`) in DATABASE_URL's
database, and rights to pg_terminate_backend there. It serves `python server.py` on it;
`clients` users loop over the chat view and the session list (queries) and create then
delete a session (mutations). Every `every` seconds it kills every other connection to the
database. Reported: per kill, the connections killed, the failed queries and mutations
(a failure is counted against the last kill before its answer), and the time to full
recovery: from the kill until every client has had an answer without error to a request
sent after it.
"""

import argparse
import asyncio
import bisect
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from bench import documents
from bench.overload import ADA, ATLAS, server, token_for
from db.demo import demo_id
from settings import Settings

KILL_OTHERS = text(
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


@dataclass
class Answer:
    client: int
    kind: str  # "query" or "mutation"
    sent: float
    answered: float
    codes: tuple[str, ...]
    """The error codes of the answer (HTTP status when it is not 200); none when it is ok."""

    @property
    def ok(self) -> bool:
        return not self.codes


@dataclass
class Run:
    answers: list[Answer] = field(default_factory=list)
    kills: list[tuple[float, int]] = field(default_factory=list)


async def client(number: int, http: httpx.AsyncClient, token: str, run: Run, until: float) -> None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    chat = str(demo_id("session:cleo-web"))

    async def send(kind: str, document: str, variables: dict[str, Any]) -> Any:
        sent = time.perf_counter()
        payload = orjson.dumps({"query": document, "variables": variables})
        try:
            response = await http.post("/graphql", content=payload, headers=headers)
            body = orjson.loads(response.content)
            codes = tuple(
                (error.get("extensions") or {}).get("code", "none")
                for error in body.get("errors") or ()
            )
            if response.status_code != 200:
                codes += (f"HTTP {response.status_code}",)
        except (httpx.HTTPError, orjson.JSONDecodeError) as error:
            body, codes = {}, (type(error).__name__,)
        run.answers.append(Answer(number, kind, sent, time.perf_counter(), codes))
        return body.get("data") or {}

    while time.perf_counter() < until:
        await send("query", documents.CHAT_VIEW, {"agent": ATLAS, "session": chat, "last": 50})
        variables = {"agent": ATLAS, "scope": "ALL", "first": 50, "after": None}
        await send("query", documents.SESSION_LIST, variables)
        created = await send(
            "mutation", documents.CREATE_SESSION, {"agent": ATLAS, "title": "kills"}
        )
        new = created.get("createSession") or {}
        if "id" in new:
            await send("mutation", documents.DELETE_SESSION, {"id": new["id"]})


async def killer(database_url: str, run: Run, kills: int, every: float) -> None:
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        for _ in range(kills):
            await asyncio.sleep(every)
            async with engine.connect() as connection:
                at = time.perf_counter()
                killed = await connection.scalar(KILL_OTHERS)
            run.kills.append((at, killed or 0))
    finally:
        await engine.dispose()


def report(run: Run, clients: int) -> None:
    times = [at for at, _ in run.kills]
    print("| kill | connections killed | failed queries | failed mutations | recovery s |")
    print("|---:|---:|---:|---:|---:|")
    totals = {"query": 0, "mutation": 0}
    for n, (at, killed) in enumerate(run.kills):
        end = times[n + 1] if n + 1 < len(times) else float("inf")
        failed = {"query": 0, "mutation": 0}
        for answer in run.answers:
            if not answer.ok and bisect.bisect_right(times, answer.answered) - 1 == n:
                failed[answer.kind] += 1
        recovered = [
            min(
                (a.answered for a in run.answers if a.client == c and a.ok and at <= a.sent < end),
                default=float("nan"),
            )
            for c in range(clients)
        ]
        recovery = max(recovered) - at
        totals = {kind: totals[kind] + failed[kind] for kind in totals}
        print(f"| {n + 1} | {killed} | {failed['query']} | {failed['mutation']} | {recovery:.2f} |")
    queries = sum(a.kind == "query" for a in run.answers)
    mutations = len(run.answers) - queries
    before = sum(not a.ok for a in run.answers if not times or a.answered < times[0])
    codes = Counter(code for answer in run.answers for code in answer.codes)
    print(
        f"\n{queries} queries, {mutations} mutations in all; failed: {totals['query']} queries, "
        f"{totals['mutation']} mutations ({before} failures before the first kill). "
        f"Error codes: {dict(codes) or 'none'}."
    )


async def main_async(clients: int, kills: int, every: float) -> None:
    database_url = Settings.from_env().database_url
    token = token_for(ADA).strip()
    with server(1, {}) as (base_url, log):
        run = Run()
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as http:
            until = time.perf_counter() + every * (kills + 1)
            await asyncio.gather(
                killer(database_url, run, kills, every),
                *(client(n, http, token, run, until) for n in range(clients)),
            )
        if os.environ.get("BENCH_KILLS_LOG"):
            print(log.read_text())
    report(run, clients)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--every", type=float, default=4.0)
    args = parser.parse_args()
    assert os.environ.get("DATABASE_URL"), "set DATABASE_URL to the demo's PostgreSQL database"
    asyncio.run(main_async(args.clients, args.kills, args.every))


if __name__ == "__main__":
    main()
