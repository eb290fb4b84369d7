"""Issue 13's side-by-side run: this server, the old REST router and the floor, one database.

    .venv/bin/python -m bench.side_by_side [--seconds 4] [--regenerate] [--no-old-router]

1. Loads `Plan.issue()` (199 sessions on the busiest agent, 10 messages each) into the
   platform's own schema (`bench.generate`), unless the database already holds it.
2. Statements, from PostgreSQL's own log (`bench.pglog`): each request of each target,
   the first after start and in steady state, and under 4 clients (asyncpg's type
   introspection included and counted apart).
3. Timing, with statement logging off again: each scenario at 1 and 4 clients on this
   server (1 uvicorn worker), the floor (`bench.floor`) and the old router
   (`../shared/oldrouter`, skipped with a message where it cannot run); the fixed costs
   at 1 client.

Writes bench/results/side_by_side.json; `--summary` prints BENCHMARKS.md's summary table
from it.
"""

import argparse
import asyncio
import json
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from auth.tokens import issue_token
from bench import bare_strawberry, documents
from bench.generate import (
    AGENT_ADMIN,
    BUSY_AGENT,
    DEFAULT_URL,
    HEAVY_MEMBER,
    Plan,
    generate,
    long_session,
    plain_url,
    stored_plan,
)
from bench.load import Failed, Request, Stats, drive, graphql_data
from bench.pglog import StatementLog, introspection
from bench.run import SECRET, load_average, machine
from bench.servers import (
    FLOOR_APP,
    SERVER_APP,
    Server,
    Workers,
    old_router,
    old_router_missing,
    uvicorn,
)
from db.engine import Database
from db.migrate import upgrade
from settings import Settings, async_database_url

RESULTS = Path(__file__).resolve().parent / "results" / "side_by_side.json"
SERVER, FLOOR, OLD = "server", "floor", "old router"


@dataclass(frozen=True)
class Scenario:
    name: str
    targets: tuple[str, ...]
    graphql: tuple[str, str, dict[str, Any]] | None = None
    """(operation, document, variables) for this server and the floor."""
    rest: str | None = None
    """The old router's path."""
    viewer: uuid.UUID = AGENT_ADMIN
    health: bool = False

    def request(self, target: str, token: str) -> Request:
        if self.health:

            async def health(client: httpx.AsyncClient, _c: int, _n: int) -> None:
                response = await client.get("/healthz")
                if response.status_code != 200:
                    raise Failed(f"HTTP {response.status_code}")

            return health
        headers = {"Authorization": f"Bearer {token}"}
        if target == OLD:
            path = self.rest

            async def rest(client: httpx.AsyncClient, _c: int, _n: int) -> None:
                response = await client.get(path, headers=headers)
                if response.status_code != 200:
                    raise Failed(f"HTTP {response.status_code}: {response.text[:200]}")

            return rest
        assert self.graphql is not None
        operation, document, variables = self.graphql
        body = json.dumps({"query": document, "operationName": operation, "variables": variables})

        async def graphql(client: httpx.AsyncClient, _c: int, _n: int) -> None:
            response = await client.post(
                "/graphql", content=body, headers={**headers, "Content-Type": "application/json"}
            )
            graphql_data(response)

        return graphql


def scenarios() -> list[Scenario]:
    agent = str(BUSY_AGENT)
    chat = long_session(Plan.issue().chat_size)

    def page(scope: str) -> tuple[str, str, dict[str, Any]]:
        variables = {"agent": agent, "scope": scope, "first": 200, "after": None}
        return "SessionListWithTotal", documents.SESSION_LIST_WITH_TOTAL, variables

    every = (SERVER, FLOOR, OLD)
    return [
        Scenario("list ALL", every, page("ALL"), f"/api/agents/{agent}/sessions?scope=all"),
        Scenario(
            "list MINE",
            every,
            page("MINE"),
            f"/api/agents/{agent}/sessions?scope=mine",
            viewer=HEAVY_MEMBER,
        ),
        Scenario(
            "messages",
            every,
            (
                "ChatView",
                documents.CHAT_VIEW,
                {"agent": agent, "session": str(chat), "last": 100, "before": None},
            ),
            f"/api/agents/{agent}/sessions/{chat}/messages",
            viewer=HEAVY_MEMBER,
        ),
        Scenario("/healthz", (SERVER, FLOOR, OLD), health=True),
        Scenario("{ __typename }", (SERVER,), ("Typename", documents.TYPENAME, {})),
        Scenario("{ viewer { id } }", (SERVER,), ("Viewer", documents.VIEWER, {})),
        Scenario(
            "agent(id) { name }",
            (SERVER,),
            ("AgentName", documents.AGENT_NAME, {"agent": agent}),
        ),
    ]


MAIN = ("list ALL", "list MINE", "messages")


@dataclass
class Timing:
    scenario: str
    target: str
    clients: int
    requests: int
    throughput: float
    p50: float
    p95: float
    cpu_ms: float
    errors: int
    first_error: str | None

    @classmethod
    def of(cls, scenario: str, target: str, clients: int, stats: Stats) -> "Timing":
        return cls(
            scenario,
            target,
            clients,
            stats.requests,
            round(stats.throughput, 1),
            round(stats.percentile(50), 2),
            round(stats.percentile(95), 2),
            round(stats.cpu_ms_per_request or float("nan"), 2),
            stats.errors,
            stats.first_error,
        )


@dataclass
class Counted:
    scenario: str
    target: str
    first: int
    """Statements of the first request after the server started (new connection)."""
    steady: int
    steady_introspection: int
    under_load: float
    """Statements per request under 4 clients."""
    under_load_introspection: int
    sample: list[str]


async def prepare(url: str, plan: Plan, regenerate: bool) -> None:
    try:
        loaded = await stored_plan(url)
    except OSError:
        loaded = None
    if regenerate or loaded != plan.fingerprint():
        print(f"Loading {url} ...", flush=True)
        await generate(url, plan, log=True)
    database = Database.from_url(async_database_url(url))
    try:
        await upgrade(database)
    finally:
        await database.dispose()


@contextmanager
def targets(url: str, old: bool) -> Iterator[dict[str, Server]]:
    env = {"DATABASE_URL": url, "BENCH_DATABASE_URL": plain_url(url), "JWT_SECRET_KEY": SECRET}
    with ExitStack() as stack:
        up = {
            SERVER: stack.enter_context(uvicorn(SERVER_APP, Workers(1), env)),
            FLOOR: stack.enter_context(uvicorn(FLOOR_APP, Workers(1), env)),
        }
        if old:
            up[OLD] = stack.enter_context(old_router(plain_url(url), SECRET))
        yield up


async def count(
    url: str, old: bool, tokens: dict[uuid.UUID, str], found: list[Scenario]
) -> tuple[str, list[Counted]]:
    name = plain_url(url).rsplit("/", 1)[1]
    log = await StatementLog.open(plain_url(url), name)
    if log is None:
        return "not counted: PostgreSQL's log is not readable here", []
    counted: list[Counted] = []
    try:
        with targets(url, old) as up:
            async with httpx.AsyncClient(timeout=60) as client:
                for target, server in up.items():
                    client.base_url = httpx.URL(server.base_url)
                    for scenario in found:
                        if target not in scenario.targets or scenario.health:
                            continue
                        send = scenario.request(target, tokens[scenario.viewer])
                        log.mark()
                        await send(client, 0, 0)
                        first = log.since_mark()
                        for _ in range(3):
                            await send(client, 0, 0)
                        log.mark()
                        await send(client, 0, 0)
                        steady = log.since_mark()
                        log.mark()
                        stats = await drive(
                            server.base_url, send, clients=4, max_requests=100, max_seconds=10
                        )
                        loaded = log.since_mark(settle=0.3)
                        counted.append(
                            Counted(
                                scenario.name,
                                target,
                                len(first),
                                len(steady),
                                introspection(steady),
                                round(len(loaded) / max(1, stats.requests + 4 * 3), 2),
                                introspection(loaded),
                                [" ".join(s.split())[:160] for s in steady],
                            )
                        )
                        print(f"  {target:10} {scenario.name:22} {counted[-1].steady} statements")
    finally:
        await log.close()
    how = (
        "PostgreSQL's own statement log (log_statement = 'all' on the benchmark database, "
        f"{log.path})"
    )
    return how, counted


async def measure(
    url: str, old: bool, tokens: dict[uuid.UUID, str], found: list[Scenario], seconds: float
) -> tuple[list[Timing], dict[str, Any]]:
    """The timings, and this server's answer to list ALL (for `bench.bare_strawberry`)."""
    timings: list[Timing] = []
    with targets(url, old) as up:
        await asyncio.sleep(1)
        answer = await _answer(up[SERVER], found[0], tokens)
        for scenario in found:
            for clients in (1, 4) if scenario.name in MAIN else (1,):
                for target in scenario.targets:
                    if target not in up:
                        continue
                    server = up[target]
                    stats = await drive(
                        server.base_url,
                        scenario.request(target, tokens[scenario.viewer]),
                        clients=clients,
                        max_requests=5000,
                        max_seconds=seconds,
                        warmup=5,
                        cpu_clock=server.cpu_seconds,
                    )
                    timing = Timing.of(scenario.name, target, clients, stats)
                    timings.append(timing)
                    print(
                        f"  {target:10} clients={clients} {scenario.name:22} "
                        f"{timing.throughput:7.1f}/s p50 {timing.p50:7.2f} ms "
                        f"cpu {timing.cpu_ms:6.2f} ms/req errors {timing.errors}",
                        flush=True,
                    )
    return timings, answer


async def _answer(server: Server, scenario: Scenario, tokens: dict[uuid.UUID, str]) -> Any:
    assert scenario.graphql is not None
    operation, document, variables = scenario.graphql
    async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as client:
        response = await client.post(
            "/graphql",
            json={"query": document, "operationName": operation, "variables": variables},
            headers={"Authorization": f"Bearer {tokens[scenario.viewer]}"},
        )
    return graphql_data(response)


async def bare(timings: list[Timing], scenario: Scenario, answer: Any) -> dict[str, Any]:
    """This server's CPU per list ALL page (1 client) against bare Strawberry's execution."""
    assert scenario.graphql is not None
    bare_ms = await bare_strawberry.cpu_ms(answer, scenario.graphql[2])
    server_ms = next(
        item.cpu_ms
        for item in timings
        if (item.scenario, item.target, item.clients) == (scenario.name, SERVER, 1)
    )
    return {
        "server_cpu_ms": server_ms,
        "bare_cpu_ms": round(bare_ms, 2),
        "ratio": round(server_ms / bare_ms, 2),
    }


def _commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], capture_output=True, text=True, check=False
        ).stdout.strip()

    dirty = " + uncommitted changes" if git("status", "--porcelain") else ""
    return git("rev-parse", "--short", "HEAD") + dirty


async def main_async(url: str, seconds: float, regenerate: bool, want_old: bool) -> dict[str, Any]:
    started = datetime.now(UTC)
    plan = Plan.issue()
    await prepare(url, plan, regenerate)
    missing = old_router_missing() if want_old else "left out (--no-old-router)"
    if missing:
        print(f"old router skipped: {missing}", flush=True)
    settings = Settings(jwt_secret_key=SECRET, jwt_secret_is_random=False)
    tokens = {user: issue_token(user, settings) for user in (AGENT_ADMIN, HEAVY_MEMBER)}
    found = scenarios()
    print("statements, from PostgreSQL's log", flush=True)
    how, counted = await count(url, missing is None, tokens, found)
    print(f"timing, load average {load_average()}", flush=True)
    timings, answer = await measure(url, missing is None, tokens, found, seconds)
    print("bare Strawberry, the list ALL document over plain objects", flush=True)
    compared = await bare(timings, found[0], answer)
    print(f"  {compared}", flush=True)
    return {
        "started": started.isoformat(timespec="seconds"),
        "commit": _commit(),
        "seconds": round((datetime.now(UTC) - started).total_seconds()),
        "machine": await machine(url),
        "load_after": load_average(),
        "plan": asdict(plan),
        "old_router": missing or "ran",
        "statements_counted_by": how,
        "statements": [asdict(item) for item in counted],
        "timings": [asdict(item) for item in timings],
        "bare_strawberry": compared,
    }


def _find(results: dict[str, Any], scenario: str, target: str, clients: int) -> dict[str, Any]:
    for item in results["timings"]:
        if (item["scenario"], item["target"], item["clients"]) == (scenario, target, clients):
            return item
    return {"throughput": float("nan"), "p50": float("nan"), "cpu_ms": float("nan")}


def _statements(results: dict[str, Any], scenario: str, target: str) -> str:
    for item in results["statements"]:
        if (item["scenario"], item["target"]) == (scenario, target):
            return f"{item['steady']}"
    return "-"


def summary(results: dict[str, Any]) -> str:
    """The per-scenario figures BENCHMARKS.md's summary is built from."""
    lines = [
        "| scenario | this server: req/s at 4 · p50 at 1 · statements | old router: req/s "
        "at 4 · statements | floor p50 at 1 | x old router | p50 / floor |",
        "|---|---|---|---|---|---|",
    ]
    for name in MAIN:
        ours4, old4 = _find(results, name, SERVER, 4), _find(results, name, OLD, 4)
        ours1, floor1 = _find(results, name, SERVER, 1), _find(results, name, FLOOR, 1)
        lines.append(
            f"| {name} | {ours4['throughput']} · {ours1['p50']} ms · "
            f"{_statements(results, name, SERVER)} | {old4['throughput']} · "
            f"{_statements(results, name, OLD)} | {floor1['p50']} ms | "
            f"{ours4['throughput'] / old4['throughput']:.2f} | "
            f"{ours1['p50'] / floor1['p50']:.2f} |"
        )
    health = _find(results, "/healthz", SERVER, 1)
    for name in ("{ __typename }", "{ viewer { id } }", "agent(id) { name }"):
        item = _find(results, name, SERVER, 1)
        lines.append(
            f"| {name} | p50 {item['p50']} ms · {_statements(results, name, SERVER)} | | "
            f"/healthz {health['p50']} ms | | {item['p50'] / health['p50']:.2f}x /healthz |"
        )
    if compared := results.get("bare_strawberry"):
        lines.append(
            f"| CPU per list ALL page | {compared['server_cpu_ms']} ms | | bare Strawberry "
            f"{compared['bare_cpu_ms']} ms | | {compared['ratio']}x bare Strawberry |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL, help="the benchmark database")
    parser.add_argument("--seconds", type=float, default=4.0, help="time bound per measurement")
    parser.add_argument("--regenerate", action="store_true", help="reload the database")
    parser.add_argument("--no-old-router", action="store_true", help="leave the old router out")
    parser.add_argument("--summary", action="store_true", help="print the last run's summary")
    args = parser.parse_args(argv)
    if args.summary:
        print(summary(json.loads(RESULTS.read_text())))
        return
    clock = time.perf_counter()
    results = asyncio.run(
        main_async(args.url, args.seconds, args.regenerate, not args.no_old_router)
    )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1, default=str) + "\n")
    print(f"done in {time.perf_counter() - clock:.0f}s; results in {RESULTS}")


if __name__ == "__main__":
    main()
