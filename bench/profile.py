"""Profile one benchmark scenario in this process with pyinstrument.

    .venv/bin/python -m bench.profile "ALL · 200 · first page" [--requests 30]

Runs the server's app in-process (httpx's ASGI transport) on the benchmark database,
warms it up, then sends the scenario's request `--requests` times under pyinstrument and
prints the call tree, and the CPU milliseconds per request this process spent.
"""

import argparse
import asyncio
import time

import httpx
import orjson
from pyinstrument import Profiler

from auth.tokens import issue_token
from bench.generate import DEFAULT_URL, Plan
from bench.load import graphql_data
from bench.run import SECRET, Cursors, scenarios
from db.engine import Database
from server import create_app
from settings import Settings, async_database_url


async def profile(url: str, name: str, requests: int, show_all: bool = False) -> str:
    settings = Settings(
        database_url=async_database_url(url), jwt_secret_key=SECRET, jwt_secret_is_random=False
    )
    database = Database.from_url(settings.database_url)
    try:
        found, _ = await scenarios(Plan(), Cursors(database))
        by_name = {scenario.name: scenario for scenario in found}
        if name not in by_name:
            raise SystemExit(f"No scenario {name!r}; there are: {', '.join(by_name)}")
        scenario = by_name[name]
        body = orjson.dumps(
            {
                "query": scenario.document,
                "operationName": scenario.operation,
                "variables": scenario.variables,
            }
        )
        headers = {
            "Authorization": f"Bearer {issue_token(scenario.viewer, settings)}",
            "Content-Type": "application/json",
        }
        transport = httpx.ASGITransport(app=create_app(settings, database))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for _ in range(5):
                graphql_data(await client.post("/graphql", content=body, headers=headers))
            profiler = Profiler(async_mode="enabled", interval=0.0005)
            cpu = time.process_time()
            with profiler:
                for _ in range(requests):
                    await client.post("/graphql", content=body, headers=headers)
            cpu_ms = (time.process_time() - cpu) * 1000 / requests
        report = profiler.output_text(unicode=True, color=False, show_all=show_all)
        return f"{report}\n{name}: {cpu_ms:.1f} ms CPU per request (profiler included)"
    finally:
        await database.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", help='e.g. "ALL · 200 · first page"')
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--all", action="store_true", help="show library frames too")
    parser.add_argument("--url", default=DEFAULT_URL)
    args = parser.parse_args(argv)
    print(asyncio.run(profile(args.url, args.scenario, args.requests, args.all)))


if __name__ == "__main__":
    main()
