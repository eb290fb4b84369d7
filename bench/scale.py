"""The scale table of issue 23: each shipped operation against its floor, by size of the data.

    .venv/bin/python -m bench.scale [--sessions 1000 10000 100000 1000000] [--seconds 3]

For each size N, in database chat_bench_scale_N (`bench.generate`'s plan of N sessions
and 6·N messages, loaded unless the database already holds it, then migrated): this
server and the floor (`bench.floor`), 1 uvicorn worker each, the shipped operations
(`bench.shipped`) answered the same by both, then each timed at 1 client, server and
floor in turn. Writes bench/results/scale.json and prints the markdown table.
"""

import argparse
import asyncio
import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url

from auth.tokens import issue_token
from bench import documents, shipped
from bench.generate import AGENT_ADMIN, BUSY_AGENT, DEFAULT_URL, HEAVY_MEMBER, Plan, long_session
from bench.load import Failed, Request, Stats, drive, post
from bench.run import SECRET, load_average
from bench.servers import Server
from bench.side_by_side import FLOOR, SERVER, _commit, prepare, targets
from settings import Settings

RESULTS = Path(__file__).resolve().parent / "results" / "scale.json"
CHAT_SESSION_SIZE = 1_000
"""Messages of the session the chat view reads: the same session size at every scale."""
CHAT_SESSION = long_session(CHAT_SESSION_SIZE)
LIST_PAGE, CHAT_PAGE = 20, 50


def plan(sessions: int) -> Plan:
    """N sessions, 6·N messages; long sessions of up to 10,000 messages (1,000 at 1k)."""
    return Plan(sessions=sessions, messages=6 * sessions, long=min(10_000, sessions))


def database_url(base: str, sessions: int) -> str:
    url = make_url(base).set(database=f"chat_bench_scale_{sessions}")
    return url.render_as_string(hide_password=False)


@dataclass(frozen=True)
class Operation:
    """A request a client sends: a shipped operation, another document, or GET /healthz."""

    name: str
    viewer: uuid.UUID = HEAVY_MEMBER
    operation: str | None = None
    document: str | None = None
    variables: dict[str, Any] | None = None

    @classmethod
    def of(cls, name: str, operation: str, viewer: uuid.UUID, **variables: Any) -> "Operation":
        return cls(name, viewer, operation, shipped.documents()[operation], variables)

    async def send(self, client: httpx.AsyncClient, token: str) -> dict[str, Any]:
        if self.document is None:
            response = await client.get("/healthz")
            if response.status_code != 200:
                raise Failed(f"HTTP {response.status_code}")
            return {}
        assert self.operation is not None
        data = await post(client, token, self.operation, self.document, self.variables or {})
        result = data.get("markSessionRead")
        if result is not None and result["__typename"] != "Session":
            raise Failed(f"{result['__typename']}: {result.get('message')}")
        return data

    def request(self, token: str) -> Request:
        async def send(client: httpx.AsyncClient, _c: int, _n: int) -> None:
            await self.send(client, token)

        return send


def tokens() -> dict[uuid.UUID, str]:
    settings = Settings(jwt_secret_key=SECRET, jwt_secret_is_random=False)
    return {user: issue_token(user, settings) for user in (AGENT_ADMIN, HEAVY_MEMBER)}


def chat(before: str | None = None) -> Operation:
    name = "ChatView · page back" if before else "ChatView · newest page"
    return Operation.of(
        name, "ChatView", HEAVY_MEMBER,
        agentId=str(BUSY_AGENT), sessionId=str(CHAT_SESSION), last=CHAT_PAGE, before=before,
    )  # fmt: skip


def session_list(scope: str) -> Operation:
    viewer = AGENT_ADMIN if scope == "ALL" else HEAVY_MEMBER
    return Operation.of(
        f"SessionList {scope} · first {LIST_PAGE} + count", "SessionList", viewer,
        agentId=str(BUSY_AGENT), scope=scope, first=LIST_PAGE, after=None,
    )  # fmt: skip


async def page_back(base_url: str, token: str) -> Operation:
    """The chat view's second page: before the newest page's start, as a client pages."""
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        data = await chat().send(client, token)
    return chat(data["agent"]["session"]["messages"]["pageInfo"]["startCursor"])


def mark_read(session: uuid.UUID = CHAT_SESSION) -> Operation:
    return Operation.of("MarkSessionRead", "MarkSessionRead", HEAVY_MEMBER, id=str(session))


def _comparable(data: dict[str, Any]) -> dict[str, Any]:
    """The answer less what differs by the moment it was given (a read mark's time)."""
    if "markSessionRead" in data:
        return {"markSessionRead": {**data["markSessionRead"], "lastReadAt": "now"}}
    return data


async def same_answers(
    up: dict[str, Server], operations: list[Operation], keys: dict[uuid.UUID, str]
) -> dict[str, bool]:
    """Whether the floor answers each operation as the server does."""
    equal = {}
    async with httpx.AsyncClient(timeout=60) as client:
        for operation in operations:
            answers = []
            for target in (SERVER, FLOOR):
                client.base_url = httpx.URL(up[target].base_url)
                answers.append(_comparable(await operation.send(client, keys[operation.viewer])))
            equal[operation.name] = answers[0] == answers[1]
    return equal


def figures(stats: Stats) -> dict[str, Any]:
    return {
        "requests": stats.requests,
        "p50": round(stats.percentile(50), 2),
        "p99": round(stats.percentile(99), 2),
        "cpu_ms": round(stats.cpu_ms_per_request or float("nan"), 2),
        "client_cpu_ms": round(stats.client_cpu_seconds * 1000 / max(stats.requests, 1), 2),
        "errors": stats.errors,
        "first_error": stats.first_error,
    }


async def measure_size(url: str, sessions: int, seconds: float) -> dict[str, Any]:
    size_plan = plan(sessions)
    await prepare(url, size_plan, regenerate=False)
    keys = tokens()
    health = Operation("/healthz")
    viewer_id = Operation("{ viewer { id } }", HEAVY_MEMBER, "Viewer", documents.VIEWER, {})
    rows = []
    with targets(url, old=False) as up:
        await asyncio.sleep(1)
        back = await page_back(up[SERVER].base_url, keys[HEAVY_MEMBER])
        viewer = Operation.of("Viewer", "Viewer", HEAVY_MEMBER)
        compared = [session_list("ALL"), session_list("MINE"), chat(), back, viewer, mark_read()]
        equal = await same_answers(up, compared, keys)
        print(f"{sessions:,} sessions, load average {load_average()}: equal {equal}", flush=True)
        # (operation on the server, its floor on the floor app)
        pairs = [(operation, operation) for operation in compared]
        pairs.insert(-1, (viewer_id, health))
        pairs.insert(-1, (health, health))
        for operation, floor in pairs:
            measured = {}
            for target, sent in ((SERVER, operation), (FLOOR, floor)):
                server = up[target]
                stats = await drive(
                    server.base_url,
                    sent.request(keys[sent.viewer]),
                    clients=1,
                    max_requests=5000,
                    max_seconds=seconds,
                    warmup=5,
                    cpu_clock=server.cpu_seconds,
                )
                measured[target] = figures(stats)
            ratio = measured[SERVER]["p50"] / measured[FLOOR]["p50"]
            rows.append(
                {
                    "operation": operation.name,
                    "floor": "/healthz" if floor is health else floor.name,
                    "server": measured[SERVER],
                    "floor_app": measured[FLOOR],
                    "ratio_p50": round(ratio, 2),
                    "equal_to_floor": equal.get(operation.name),
                }
            )
            print(
                f"  {operation.name:38} p50 {measured[SERVER]['p50']:7.2f} "
                f"p99 {measured[SERVER]['p99']:7.2f} ms · floor p50 {measured[FLOOR]['p50']:6.2f} "
                f"· x{ratio:.2f} · errors {measured[SERVER]['errors']}+{measured[FLOOR]['errors']}",
                flush=True,
            )
    return {"sessions": sessions, "plan": size_plan.__dict__, "rows": rows}


def table(results: dict[str, Any]) -> str:
    """Per operation and size: p50 / p99 on the server, and p50 against the floor's."""
    sizes = [size["sessions"] for size in results["sizes"]]
    names = [row["operation"] for row in results["sizes"][0]["rows"]]
    head = " | ".join(f"{size:,} sessions" for size in sizes)
    lines = [
        f"| operation (floor) | {head} |",
        "|---|" + "---|" * len(sizes),
    ]
    for name in names:
        cells = []
        for size in results["sizes"]:
            row = next(row for row in size["rows"] if row["operation"] == name)
            server, floor = row["server"], row["floor_app"]
            cells.append(
                f"{server['p50']:.1f} / {server['p99']:.1f} ms · x{row['ratio_p50']:.1f} "
                f"({floor['p50']:.1f})"
            )
        floor_name = results["sizes"][0]["rows"][names.index(name)]["floor"]
        label = name if floor_name == name else f"{name} ({floor_name})"
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


async def main_async(base: str, sizes: list[int], seconds: float) -> dict[str, Any]:
    started = datetime.now(UTC)
    measured = [await measure_size(database_url(base, size), size, seconds) for size in sizes]
    return {
        "started": started.isoformat(timespec="seconds"),
        "commit": _commit(),
        "seconds": round((datetime.now(UTC) - started).total_seconds()),
        "load_after": load_average(),
        "workers": 1,
        "clients": 1,
        "seconds_per_measure": seconds,
        "sizes": measured,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL, help="the server (its database is ignored)")
    parser.add_argument("--sessions", type=int, nargs="+", default=[1000, 10_000, 100_000, 10**6])
    parser.add_argument("--seconds", type=float, default=3.0, help="time bound per measurement")
    parser.add_argument("--table", action="store_true", help="print the last run's table")
    args = parser.parse_args(argv)
    if not args.table:
        clock = time.perf_counter()
        results = asyncio.run(main_async(args.url, args.sessions, args.seconds))
        RESULTS.write_text(json.dumps(results, indent=1) + "\n")
        print(f"done in {time.perf_counter() - clock:.0f}s; results in {RESULTS}")
    print(table(json.loads(RESULTS.read_text())))


if __name__ == "__main__":
    main()
