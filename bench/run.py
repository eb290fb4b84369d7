"""Benchmark the GraphQL server on PostgreSQL, and write the tables into BENCHMARKS.md.

    .venv/bin/python -m bench.run [--quick] [--regenerate] [--workers 1,2,2+nodelay] [--clients 1,4]

1. Loads the benchmark database (`bench.generate`) unless it already holds this plan,
   and migrates it to the newest schema.
2. Growth: first and deep pages as sessions per agent and messages per session grow.
3. In this process: the SQL statements each request sends, EXPLAIN ANALYZE of each
   list and chat-view statement, and the answers the floor must match.
4. For 1 and 2 uvicorn workers (and 2 with TCP_NODELAY, see `bench.nodelay`): the
   server and the floor (`bench.floor`) in subprocesses, each scenario driven over HTTP
   by 1 and 4 concurrent clients.
"""

import argparse
import asyncio
import json
import os
import platform
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from auth.tokens import issue_token
from bench import documents
from bench.generate import (
    AGENT_ADMIN,
    BUSY_AGENT,
    BUSY_TENANT,
    DEFAULT_URL,
    HEAVY_MEMBER,
    Plan,
    generate,
    growth_agent,
    long_session,
    plain_url,
    stored_plan,
)
from bench.load import Failed, Request, Stats, drive, post
from bench.report import write_report
from bench.servers import FLOOR_APP, SERVER_APP, Server, Workers, uvicorn
from bench.statements import InProcess, explain
from db.engine import Database
from db.messages import MessageKey, messages_after
from db.migrate import upgrade
from db.sessions import SessionKey, SessionScope, conversation_id, list_sessions
from resolvers.cursors import message_cursor, session_cursor
from settings import Settings, async_database_url

SECRET = "bench-" + "s" * 58
RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
MIX = "mix · list, chat, create, rename, delete"
DEEP = 0.9
"""How far into a list the deep page starts."""


@dataclass
class Scenario:
    name: str
    viewer: uuid.UUID
    operation: str
    document: str
    variables: dict[str, Any]
    floor: bool = True

    def request(self, token: str) -> Request:
        async def send(client: httpx.AsyncClient, _client_number: int, _n: int) -> None:
            await post(client, token, self.operation, self.document, self.variables)

        return send


def _list(
    name: str, agent: uuid.UUID, viewer: uuid.UUID, scope: str, first: int, after: str | None
) -> Scenario:
    return Scenario(
        name,
        viewer,
        "SessionList",
        documents.SESSION_LIST,
        {"agent": str(agent), "scope": scope, "first": first, "after": after},
    )


def _chat(name: str, viewer: uuid.UUID, session: uuid.UUID, before: str | None) -> Scenario:
    return Scenario(
        name,
        viewer,
        "ChatView",
        documents.CHAT_VIEW,
        {"agent": str(BUSY_AGENT), "session": str(session), "last": 100, "before": before},
    )


class Cursors:
    """Cursors into the benchmark's lists, taken with the server's own queries."""

    def __init__(self, database: Database) -> None:
        self.database = database

    async def session(
        self, agent: uuid.UUID, viewer: uuid.UUID, scope: SessionScope, depth: float
    ) -> tuple[str, int]:
        """The cursor `depth` of the way into a list, and how many sessions the list holds."""
        async with self.database.session() as db:
            rows = await list_sessions(db, agent, viewer, scope, 1_000_000, tenant_id=BUSY_TENANT)
        row = rows[int(len(rows) * depth) - 1].row
        return session_cursor(agent, scope, SessionKey.of(row)), len(rows)

    async def message(self, session: uuid.UUID, position: int) -> str:
        async with self.database.session() as db:
            rows = await messages_after(db, conversation_id(session), position)
        return message_cursor(session, MessageKey.of(rows[-1]))


async def scenarios(plan: Plan, cursors: Cursors) -> tuple[list[Scenario], dict[str, int]]:
    busy, admin, heavy = BUSY_AGENT, AGENT_ADMIN, HEAVY_MEMBER
    deep_all, all_size = await cursors.session(busy, admin, SessionScope.ALL, DEEP)
    deep_mine, mine_size = await cursors.session(busy, heavy, SessionScope.MINE, DEEP)
    longest = long_session(plan.long)
    middle = await cursors.message(longest, plan.long // 2)
    with_total = _list("ALL · 50 · first page + totalCount", busy, admin, "ALL", 50, None)
    with_total.operation, with_total.document = (
        "SessionListWithTotal",
        documents.SESSION_LIST_WITH_TOTAL,
    )
    found = [
        _list("ALL · 50 · first page", busy, admin, "ALL", 50, None),
        _list("ALL · 50 · deep page", busy, admin, "ALL", 50, deep_all),
        _list("ALL · 200 · first page", busy, admin, "ALL", 200, None),
        _list("ALL · 200 · deep page", busy, admin, "ALL", 200, deep_all),
        with_total,
        _list("MINE · 50 · first page", busy, heavy, "MINE", 50, None),
        _list("MINE · 50 · deep page", busy, heavy, "MINE", 50, deep_mine),
        _chat(f"chat · newest 100 of {plan.long:,}", heavy, longest, None),
        _chat(f"chat · 100 before the middle of {plan.long:,}", heavy, longest, middle),
    ]
    return found, {"ALL": all_size, "MINE": mine_size}


@dataclass
class Mix:
    """Per client, in turn: list, chat view, create, rename, delete (3 of 5 are writes)."""

    tokens: dict[uuid.UUID, str]
    session: uuid.UUID
    steps: dict[int, int] = field(default_factory=dict)
    created: dict[int, str] = field(default_factory=dict)
    operations = ("list", "chat", "create", "rename", "delete")

    async def send(self, client: httpx.AsyncClient, number: int, _n: int) -> None:
        step = self.steps.get(number, 0)
        self.steps[number] = step + 1
        await self.step(client, number, self.operations[step % 5])

    async def step(self, client: httpx.AsyncClient, number: int, operation: str) -> None:
        token = self.tokens[AGENT_ADMIN]
        agent = str(BUSY_AGENT)
        if operation == "list":
            variables = {"agent": agent, "scope": "ALL", "first": 50, "after": None}
            await post(client, token, "SessionList", documents.SESSION_LIST, variables)
        elif operation == "chat":
            variables = {"agent": agent, "session": str(self.session), "last": 100}
            await post(client, token, "ChatView", documents.CHAT_VIEW, variables)
        elif operation == "create":
            variables = {"agent": agent, "title": f"bench {number}"}
            data = await post(client, token, "CreateSession", documents.CREATE_SESSION, variables)
            self.created[number] = _success(data["createSession"], "Session")["id"]
        elif operation == "rename":
            variables = {"id": self.created[number], "title": f"renamed {number}"}
            data = await post(client, token, "RenameSession", documents.RENAME_SESSION, variables)
            _success(data["renameSession"], "Session")
        else:
            variables = {"id": self.created.pop(number)}
            data = await post(client, token, "DeleteSession", documents.DELETE_SESSION, variables)
            _success(data["deleteSession"], "DeletedSession")

    async def clean_up(self, base_url: str) -> None:
        """Delete what a run stopped between create and delete left behind."""
        async with httpx.AsyncClient(base_url=base_url) as client:
            for number in list(self.created):
                await self.step(client, number, "delete")
        self.steps.clear()


def _success(result: dict[str, Any], typename: str) -> dict[str, Any]:
    if result["__typename"] != typename:
        raise Failed(f"{result['__typename']}: {result.get('message')}")
    return result


@dataclass
class Measured:
    scenario: str
    target: str
    workers: str
    clients: int
    requests: int
    throughput: float
    p50: float
    p95: float
    p99: float
    cpu_ms: float
    errors: int
    first_error: str | None

    @classmethod
    def of(cls, scenario: str, target: str, workers: str, clients: int, stats: Stats) -> "Measured":
        return cls(
            scenario,
            target,
            workers,
            clients,
            stats.requests,
            round(stats.throughput, 1),
            round(stats.percentile(50), 2),
            round(stats.percentile(95), 2),
            round(stats.percentile(99), 2),
            round(stats.cpu_ms_per_request or float("nan"), 2),
            stats.errors,
            stats.first_error,
        )


@dataclass
class Options:
    url: str
    plan: Plan
    workers: list[Workers]
    clients: list[int]
    seconds: float
    requests: int
    growth_seconds: float
    regenerate: bool
    write: bool


async def prepare_database(options: Options) -> float | None:
    """Seconds spent loading the database; None when it already held the plan."""
    wanted = options.plan.fingerprint()
    seconds = None
    if options.regenerate or await _stored_plan_or_none(options.url) != wanted:
        print(f"Loading {options.url} ...", flush=True)
        started = time.perf_counter()
        await generate(options.url, options.plan, log=True)
        seconds = round(time.perf_counter() - started, 1)
    database = Database.from_url(async_database_url(options.url))
    try:
        await upgrade(database)  # later migrations reach an already loaded database too
    finally:
        await database.dispose()
    return seconds


async def _stored_plan_or_none(url: str) -> str | None:
    try:
        return await stored_plan(url)
    except (OSError, asyncpg.PostgresError):
        return None


async def machine(url: str) -> dict[str, Any]:
    connection = await asyncpg.connect(plain_url(url))
    try:
        version = await connection.fetchval("SHOW server_version")
        buffers = await connection.fetchval("SHOW shared_buffers")
    finally:
        await connection.close()
    return {
        "cpus": os.cpu_count(),
        "cpu": _proc("/proc/cpuinfo", "model name").split(":", 1)[1].strip(),
        "memory_mb": int(_proc("/proc/meminfo", "MemTotal").split()[1]) // 1024,
        "postgresql": version,
        "shared_buffers": buffers,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def _proc(path: str, key: str) -> str:
    """The first line of a /proc file that starts with `key`."""
    return next(line for line in Path(path).read_text().splitlines() if line.startswith(key))


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


async def in_process(
    options: Options, tokens: dict[uuid.UUID, str], found: list[Scenario], extra: list[Scenario]
) -> tuple[dict[str, int], dict[str, Any], list[dict[str, Any]]]:
    """Statements per request, answers to compare with the floor, and query plans."""
    settings = Settings(
        database_url=async_database_url(options.url),
        jwt_secret_key=SECRET,
        jwt_secret_is_random=False,
    )
    app = InProcess(settings)
    counts: dict[str, int] = {}
    answers: dict[str, Any] = {}
    plans: list[dict[str, Any]] = []
    connection = await asyncpg.connect(plain_url(options.url))
    try:
        for scenario in [*found, *extra]:
            data, caught = await app.request(
                tokens[scenario.viewer], scenario.operation, scenario.document, scenario.variables
            )
            counts[scenario.name] = len(caught)
            answers[scenario.name] = data
            for statement in caught:
                if "chat_" in statement.sql:
                    plan = await explain(connection, statement)
                    plans.append({"scenario": scenario.name, **asdict(plan)})
        mix = Mix(tokens, long_session(options.plan.long_sizes[1]))
        transport = httpx.ASGITransport(app=app.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for operation in Mix.operations:
                await mix.step(client, 0, operation)  # warm every path once
            for operation in Mix.operations:
                app.caught = []
                await mix.step(client, 0, operation)
                counts[f"mix · {operation}"] = len(app.caught)
            app.caught = None
    finally:
        await connection.close()
        await app.dispose()
    return counts, answers, plans


async def same_as_floor(
    base_url: str, tokens: dict[uuid.UUID, str], found: list[Scenario], answers: dict[str, Any]
) -> dict[str, bool]:
    equal = {}
    async with httpx.AsyncClient(base_url=base_url) as client:
        for scenario in found:
            if scenario.floor:
                data = await post(
                    client,
                    tokens[scenario.viewer],
                    scenario.operation,
                    scenario.document,
                    scenario.variables,
                )
                equal[scenario.name] = data == answers[scenario.name]
    return equal


async def measure(
    options: Options,
    tokens: dict[uuid.UUID, str],
    found: list[Scenario],
    answers: dict[str, Any],
) -> tuple[list[Measured], dict[str, bool]]:
    env = {
        "DATABASE_URL": options.url,
        "BENCH_DATABASE_URL": plain_url(options.url),
        "JWT_SECRET_KEY": SECRET,
    }
    measured: list[Measured] = []
    equal: dict[str, bool] = {}
    mix = Mix(tokens, long_session(options.plan.long_sizes[1]))

    async def run(name: str, target: str, workers: str, server: Server, request: Request) -> None:
        for clients in options.clients:
            stats = await drive(
                server.base_url,
                request,
                clients=clients,
                max_requests=options.requests,
                max_seconds=options.seconds,
                cpu_clock=server.cpu_seconds,
            )
            result = Measured.of(name, target, workers, clients, stats)
            measured.append(result)
            print(
                f"  {target:6} workers={workers:9} clients={clients} {name:44} "
                f"{result.throughput:7.1f}/s "
                f"p50 {result.p50:7.2f} p95 {result.p95:7.2f} p99 {result.p99:7.2f} ms "
                f"cpu {result.cpu_ms:6.2f} ms/req errors {result.errors}",
                flush=True,
            )

    for config in options.workers:
        workers = config.label
        print(f"{workers} worker(s), load average {load_average()}", flush=True)
        with uvicorn(SERVER_APP, config, env) as server, uvicorn(FLOOR_APP, config, env) as floor:
            await _settle(server.base_url, floor.base_url)
            if not equal:
                equal = await same_as_floor(floor.base_url, tokens, found, answers)
            for scenario in found:
                request = scenario.request(tokens[scenario.viewer])
                await run(scenario.name, "server", workers, server, request)
                if scenario.floor:
                    await run(scenario.name, "floor", workers, floor, request)
            await run(
                "mix · list, chat, create, rename, delete", "server", workers, server, mix.send
            )
            await mix.clean_up(server.base_url)
    return measured, equal


async def _settle(*base_urls: str) -> None:
    """Let every worker of a fresh server start (each answers /healthz at least once)."""
    async with httpx.AsyncClient() as client:
        for base_url in base_urls:
            for _ in range(20):
                await client.get(f"{base_url}/healthz")
    await asyncio.sleep(1)


async def growth(
    options: Options, tokens: dict[uuid.UUID, str], cursors: Cursors
) -> tuple[list[dict[str, Any]], list[Scenario]]:
    """Rows of the growth tables, measured on a 1-worker server with 1 client."""
    plan = options.plan
    points: list[tuple[str, int, Scenario]] = []
    for size, agent in [
        *((size, growth_agent(size)) for size in plan.growth_sizes),
        (plan.sessions, BUSY_AGENT),
    ]:
        deep, _ = await cursors.session(agent, AGENT_ADMIN, SessionScope.ALL, DEEP)
        first = _list(f"sessions {size} · first", agent, AGENT_ADMIN, "ALL", 50, None)
        deep_page = _list(f"sessions {size} · deep", agent, AGENT_ADMIN, "ALL", 50, deep)
        total = _list(f"sessions {size} · total", agent, AGENT_ADMIN, "ALL", 50, None)
        total.operation = "SessionListWithTotal"
        total.document = documents.SESSION_LIST_WITH_TOTAL
        points += [("sessions", size, first), ("sessions", size, deep_page)]
        points.append(("sessions", size, total))
    for size in plan.long_sizes:
        session = long_session(size)
        middle = await cursors.message(session, size // 2)
        points.append(
            ("messages", size, _chat(f"messages {size} · newest", HEAVY_MEMBER, session, None))
        )
        points.append(
            ("messages", size, _chat(f"messages {size} · middle", HEAVY_MEMBER, session, middle))
        )
    env = {"DATABASE_URL": options.url, "JWT_SECRET_KEY": SECRET}
    rows = []
    print(f"growth, load average {load_average()}", flush=True)
    with uvicorn(SERVER_APP, Workers(1), env) as server:
        await _settle(server.base_url)
        for kind, size, scenario in points:
            stats = await drive(
                server.base_url,
                scenario.request(tokens[scenario.viewer]),
                clients=1,
                max_requests=options.requests,
                max_seconds=options.growth_seconds,
                cpu_clock=server.cpu_seconds,
            )
            rows.append(
                {
                    "kind": kind,
                    "size": size,
                    "scenario": scenario.name,
                    "p50": round(stats.percentile(50), 2),
                    "p95": round(stats.percentile(95), 2),
                    "cpu_ms": round(stats.cpu_ms_per_request or float("nan"), 2),
                    "requests": stats.requests,
                    "errors": stats.errors,
                }
            )
            print(f"  {scenario.name:32} p50 {rows[-1]['p50']:7.2f} ms", flush=True)
    return rows, [scenario for _, _, scenario in points]


async def main_async(options: Options) -> dict[str, Any]:
    started = datetime.now(UTC)
    load_before = load_average()
    load_seconds = await prepare_database(options)
    settings = Settings(jwt_secret_key=SECRET, jwt_secret_is_random=False)
    tokens = {user: issue_token(user, settings) for user in (AGENT_ADMIN, HEAVY_MEMBER)}
    database = Database.from_url(async_database_url(options.url))
    try:
        cursors = Cursors(database)
        found, list_sizes = await scenarios(options.plan, cursors)
        growth_rows, growth_scenarios = await growth(options, tokens, cursors)
    finally:
        await database.dispose()
    print("statements and plans (in-process)", flush=True)
    counts, answers, plans = await in_process(options, tokens, found, growth_scenarios)
    measured, equal = await measure(options, tokens, found, answers)
    return {
        "started": started.isoformat(timespec="seconds"),
        "seconds": round((datetime.now(UTC) - started).total_seconds()),
        "machine": await machine(options.url),
        "load_seconds": load_seconds,
        "load_before": load_before,
        "load_after": load_average(),
        "plan": asdict(options.plan),
        "list_sizes": list_sizes,
        "options": {
            "workers": [config.label for config in options.workers],
            "clients": options.clients,
            "seconds": options.seconds,
            "requests": options.requests,
        },
        "statements": counts,
        "equal_to_floor": equal,
        "measured": [asdict(item) for item in measured],
        "growth": growth_rows,
        "plans": plans,
    }


def _numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    defaults = Plan()
    parser.add_argument("--url", default=DEFAULT_URL, help="the benchmark database")
    parser.add_argument("--sessions", type=int, default=defaults.sessions)
    parser.add_argument("--messages", type=int, default=defaults.messages)
    parser.add_argument("--long", type=int, default=defaults.long)
    parser.add_argument(
        "--workers", default="1,2,2+nodelay", help="worker counts (N+nodelay: bench.nodelay)"
    )
    parser.add_argument("--clients", default="1,4", help="concurrent client counts")
    parser.add_argument("--seconds", type=float, default=4.0, help="time bound per measurement")
    parser.add_argument("--requests", type=int, default=2000, help="request bound per measurement")
    parser.add_argument("--quick", action="store_true", help="1 s per measurement")
    parser.add_argument("--regenerate", action="store_true", help="reload the database")
    parser.add_argument("--no-write", action="store_true", help="leave BENCHMARKS.md alone")
    args = parser.parse_args(argv)
    options = Options(
        url=args.url,
        plan=Plan(sessions=args.sessions, messages=args.messages, long=args.long),
        workers=[Workers.parse(part) for part in args.workers.split(",") if part.strip()],
        clients=_numbers(args.clients),
        seconds=1.0 if args.quick else args.seconds,
        requests=args.requests,
        growth_seconds=1.0 if args.quick else 2.5,
        regenerate=args.regenerate,
        write=not args.no_write,
    )
    clock = time.perf_counter()
    results = asyncio.run(main_async(options))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1, default=str) + "\n")
    if options.write:
        write_report(results)
    print(f"done in {time.perf_counter() - clock:.0f}s; results in {RESULTS}")


if __name__ == "__main__":
    main()
