"""Where a request's time goes: a pyinstrument profile of issue 13's three requests and of
the shipped operations' small pages (issue 23), by part.

    .venv/bin/python -m bench.budget [--requests 40]

Runs the server's app in this process (httpx's ASGI transport) on the side-by-side data
(`bench.side_by_side`), times each request `--requests` times without the profiler, then
again under pyinstrument (a 1 ms interval, its async mode off, so samples add up to the
wall time and an idle event loop is time waiting for PostgreSQL), and attributes every
sample to the part of the deepest frame on its stack that belongs to one (the first rule
that matches a frame's file, in the order of `PARTS`). Each part's share of the samples is
then scaled to the unprofiled wall time. Uvicorn's own HTTP parsing is not in
the process: the `/healthz` figure of the side-by-side run stands for it. Writes
bench/results/budget.json.
"""

import argparse
import asyncio
import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import orjson
from pyinstrument import Profiler
from pyinstrument.frame import Frame

from auth.tokens import issue_token
from bench import shipped
from bench.generate import AGENT_ADMIN, BUSY_AGENT, DEFAULT_URL, HEAVY_MEMBER, Plan, long_session
from bench.run import SECRET
from bench.side_by_side import MAIN, scenarios
from db.engine import Database
from server import create_app
from settings import Settings, async_database_url

RESULTS = Path(__file__).resolve().parent / "results" / "budget.json"
PARTS: list[tuple[str, tuple[str, ...]]] = [
    ("waiting for PostgreSQL", ("selectors.py", "uvloop/")),
    ("logging", ("/logging/", "web/request_log", "web/logging")),
    ("serialization", ("orjson", "/json/", "strawberry/http/")),
    ("SQL round trips", ("asyncpg/", "sqlalchemy/dialects/postgresql/asyncpg")),
    ("SQLAlchemy: statements and rows", ("sqlalchemy/",)),
    ("loader scheduling", ("aiodataloader", "/loaders/", "loaders/ready")),
    ("access", ("auth/access", "resolvers/agents")),
    ("auth and the viewer", ("auth/tokens", "/jwt/", "context.py")),
    (
        "parse/validate and limit rules",
        ("graphql/language", "graphql/validation", "schema/limits", "schema/cost", "web/persisted"),
    ),
    (
        "Strawberry's extensions (error codes, operation log, retry, their hooks)",
        ("strawberry/extensions/", "schema/extensions", "schema/operation_", "schema/read_retry"),
    ),
    ("admission", ("web/admission",)),
    (
        "GraphQL execution (compiled plan, Strawberry, graphql-core, our resolvers)",
        ("/execution/", "graphql/", "strawberry/", "/schema/", "/resolvers/"),
    ),
    ("HTTP and negotiation", ("starlette/", "httpx/", "/web/", "anyio/", "server.py")),
]
OTHER = "other (event loop, httpx client, profiler)"


def requests_to_profile() -> list[tuple[str, uuid.UUID, str, str, dict[str, Any]]]:
    """(name, viewer, operation, document, variables): issue 13's three, then the shipped
    operations' first pages of 20, as a chat frontend sends them."""
    found = [
        (scenario.name, scenario.viewer, *scenario.graphql)
        for scenario in scenarios()
        if scenario.name in MAIN and scenario.graphql is not None
    ]
    agent, chat = str(BUSY_AGENT), str(long_session(Plan.issue().chat_size))
    page = {"agentId": agent, "first": 20, "after": None}
    pages = [
        ("Viewer", HEAVY_MEMBER, {}),
        ("SessionList ALL 20", AGENT_ADMIN, {**page, "scope": "ALL"}),
        ("SessionList MINE 20", HEAVY_MEMBER, {**page, "scope": "MINE"}),
        ("ChatView 20", HEAVY_MEMBER, {"agentId": agent, "sessionId": chat, "last": 20}),
    ]
    for name, viewer, variables in pages:
        operation = name.split()[0]
        found.append((name, viewer, operation, shipped.documents()[operation], variables))
    return found


def _part(path: str) -> str | None:
    for name, marks in PARTS:
        if any(mark in path for mark in marks):
            return name
    return None


def attribute(frame: Frame, inherited: str, totals: dict[str, float]) -> None:
    part = _part(frame.file_path or "") or inherited
    own = frame.total_self_time
    totals[part] = totals.get(part, 0.0) + own
    for child in frame.children:
        attribute(child, part, totals)


async def budget(url: str, requests: int, executor: str = "compiled") -> dict[str, Any]:
    settings = Settings(
        database_url=async_database_url(url),
        jwt_secret_key=SECRET,
        jwt_secret_is_random=False,
        executor=executor,
    )
    database = Database.from_url(settings.database_url)
    results: dict[str, Any] = {}
    try:
        transport = httpx.ASGITransport(app=create_app(settings, database))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for name, viewer, operation, document, variables in requests_to_profile():
                body = orjson.dumps(
                    {"query": document, "operationName": operation, "variables": variables}
                )
                headers = {
                    "Authorization": f"Bearer {issue_token(viewer, settings)}",
                    "Content-Type": "application/json",
                }
                for _ in range(5):
                    await client.post("/graphql", content=body, headers=headers)
                started, cpu = time.perf_counter(), time.process_time()
                for _ in range(requests):
                    await client.post("/graphql", content=body, headers=headers)
                wall = (time.perf_counter() - started) * 1000 / requests
                cpu_ms = (time.process_time() - cpu) * 1000 / requests
                profiler = Profiler(async_mode="disabled", interval=0.001)
                with profiler:
                    for _ in range(requests):
                        await client.post("/graphql", content=body, headers=headers)
                totals: dict[str, float] = {}
                session = profiler.last_session
                assert session is not None
                root = session.root_frame()
                if root is not None:
                    attribute(root, OTHER, totals)
                sampled = sum(totals.values()) or 1.0
                results[name] = {
                    "wall_ms": round(wall, 2),
                    "cpu_ms": round(cpu_ms, 2),
                    "parts_ms": {
                        part: round(wall * seconds / sampled, 2)
                        for part, seconds in sorted(totals.items(), key=lambda item: -item[1])
                    },
                }
                print(name, json.dumps(results[name], indent=1), flush=True)
    finally:
        await database.dispose()
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument(
        "--executor",
        default="compiled",
        choices=("compiled", "graphql-core"),
        help="graphql-core: the reference executor, for comparison (not written to results)",
    )
    args = parser.parse_args(argv)
    results = asyncio.run(budget(args.url, args.requests, args.executor))
    if args.executor != "compiled":
        return
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
