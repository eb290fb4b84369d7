"""The chat sessions GraphQL server: the ASGI app and its command line.

python server.py                  serve (embedded SQLite: migrate and add demo data)
python server.py migrate          bring DATABASE_URL to the newest schema
python server.py demo             add the demo data to an empty database
python server.py token WHO        print a bearer token (WHO: username, email or user id)
python server.py check            report on DATABASE_URL without writing to it
python server.py export-schema    print the GraphQL schema (SDL)

Several workers: python server.py --workers N (see the README).
Logs, metrics, traces and proxies: --log-config FILE, --forwarded-allow-ips IPS and the
variables of settings.py and observability/ (the README's Production section).
"""

import argparse
import asyncio
import logging
import os
import shutil
import socket
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import timedelta

import uvicorn
from opentelemetry.trace import Tracer
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route, WebSocketRoute

from auth.tokens import issue_token
from db.check import check
from db.demo import load_demo
from db.engine import Database
from db.migrate import IncompatibleDatabase, upgrade
from db.models import User
from db.users import user_by_username, users_named
from live.setup import live_broker
from observability.log_setup import configure_logging
from observability.metrics import (
    MULTIPROCESS_DIR,
    known_operations,
    metrics_endpoint,
    process_exiting,
)
from observability.tracing import tracer_from_env
from schema import create_schema
from settings import Settings, with_development_key
from web.admission import Admission
from web.graphiql import graphiql_routes
from web.graphql_view import GraphQLView
from web.health import healthz, readyz
from web.request_log import RequestLog
from web.slow_clients import DEFAULT, PARSERS, guarded_protocol

logger = logging.getLogger("chat_api")


def create_app(
    settings: Settings, database: Database | None = None, *, tracer: Tracer | None = None
) -> Starlette:
    """The ASGI app; `tracer` (observability/tracing.py) turns tracing on."""
    database = database or Database.for_serving(settings)
    view = GraphQLView(create_schema(settings, tracer), database, settings)
    trusted = view.persisted.trusted
    known = known_operations(tuple(sorted(trusted.texts)) if trusted else ())
    live = live_broker(settings, database)  # polls only while someone subscribes
    # The request log below writes one line per request; uvicorn's would be a second.
    logging.getLogger("uvicorn.access").disabled = True

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await live.close()
        await database.dispose()
        process_exiting()

    # Outermost, so that every response (CORS preflights and refusals too) is logged.
    middleware = [
        Middleware(RequestLog, engine=database.engine, tracer=tracer, known_operations=known),
        Middleware(Admission, settings=settings),
    ]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
                expose_headers=["X-Request-ID"],
            )
        )
    app = Starlette(
        routes=[
            Route("/graphql", view),  # every method: the view answers 405 itself
            WebSocketRoute("/graphql", view),  # subscriptions (web/subscriptions.py)
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *([Route("/metrics", metrics_endpoint)] if settings.metrics else []),
            *graphiql_routes(settings),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
    app.state.database = database
    app.state.live = live
    return app


async def prepare_embedded(settings: Settings) -> str | None:
    """Migrate an embedded SQLite database and add the demo; a token to try it with."""
    database = Database.from_url(settings.database_url)
    try:
        await upgrade(database)
        if await load_demo(database):
            logger.warning("Added the demo data to the empty database.")
        async with database.session() as session:
            user = await user_by_username(session, "ada")
        return issue_token(user.id, settings) if user else None
    finally:
        await database.dispose()


TOKEN_HOURS = 12.0


async def _users_named(settings: Settings, who: str) -> list[User]:
    database = Database.from_url(settings.database_url)
    try:
        async with database.session() as session:
            return await users_named(session, who)
    finally:
        await database.dispose()


def _print_token(settings: Settings, who: str, hours: float) -> int:
    users = asyncio.run(_users_named(settings, who))
    if not users:
        print(f"No user with username, email or id {who!r}.", file=sys.stderr)
        return 1
    if len(users) > 1:
        print(f"{who!r} names {len(users)} users (one per tenant); give an id:", file=sys.stderr)
        for user in users:
            print(f"  {user.id}  tenant {user.tenant_id}  {user.display_name}", file=sys.stderr)
        return 1
    [user] = users
    if not user.is_active:
        print(f"{who!r} is inactive: the server refuses its token.", file=sys.stderr)
    print(issue_token(user.id, settings, timedelta(hours=hours)))
    return 0


def _print_check(settings: Settings) -> int:
    findings = asyncio.run(check(settings.database_url))
    for finding in findings:
        print(("ok    " if finding.ok else "FAIL  ") + finding.line)
    return 0 if all(finding.ok for finding in findings) else 1


def _hours(text: str) -> float:
    hours = float(text)
    if not 0 < hours <= 24 * 366:
        raise argparse.ArgumentTypeError("give hours between 0 and 8784 (a year)")
    return hours


async def _run_with_database(settings: Settings, action: str) -> None:
    database = Database.from_url(settings.database_url)
    try:
        if action == "migrate":
            print("\n".join(await upgrade(database)) or "The database is up to date.")
        elif await load_demo(database):
            print("Added the demo data.")
        else:
            print("The database already has data; the demo was not added.")
    finally:
        await database.dispose()


def _warn_if_random_secret(settings: Settings) -> None:
    if settings.jwt_secret_file:
        logger.warning(
            "JWT_SECRET_KEY is not set: signing with the development key in %s, kept across "
            "restarts. Set JWT_SECRET_KEY in production.",
            settings.jwt_secret_file,
        )
    elif settings.jwt_secret_is_random:
        logger.warning(
            "JWT_SECRET_KEY is not set: using a random key for this process. "
            "Tokens will not survive a restart; set JWT_SECRET_KEY in production."
        )


def app_from_env() -> Starlette:
    """The app for `uvicorn --factory server:app_from_env`, e.g. with `--workers N`."""
    # On an SQLite file without JWT_SECRET_KEY, the development key beside it, as
    # `server.py` uses (its workers all read the same file).
    settings = with_development_key(Settings.from_env())
    configure_logging(settings)
    _warn_if_random_secret(settings)
    return create_app(settings, tracer=tracer_from_env())


def listening_socket(host: str, port: int) -> socket.socket:
    """A listening socket for several workers, with Nagle's algorithm off.

    uvicorn's own multi-worker socket leaves it on (uvicorn#3149), so every small
    keep-alive response waits about 40 ms for the client's delayed ACK; Linux gives the
    listener's TCP_NODELAY to each connection it accepts.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.create_server((host, port), family=family)
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return listener


class AddressInUse(Exception):
    """The server's address cannot be listened on."""


def check_address(host: str, port: int) -> None:
    """Fail now if uvicorn could not listen on host:port, before a token is printed."""
    try:
        listening_socket(host, port).close()
    except OSError as error:
        raise AddressInUse(
            f"Cannot listen on {host}:{port}: {error.strerror or error}. "
            "Is another server running there? Choose another with --port (or PORT)."
        ) from error


def serve(settings: Settings, workers: int = 1) -> None:
    _warn_if_random_secret(settings)
    check_address(settings.host, settings.port)
    if settings.database_url.startswith("sqlite"):
        token = asyncio.run(prepare_embedded(settings))
        address = f"http://{settings.host}:{settings.port}/graphql"
        print(f"\nGraphiQL: {address}")
        if token:
            print("Paste this into GraphiQL's Headers tab (signed in as ada, an org admin):")
            print(f'{{"Authorization": "Bearer {token}"}}\n', flush=True)
    # Logging is configured already (configure_logging), or by this file in each process.
    logs = {"log_config": settings.log_config or None, "log_level": settings.log_level.lower()}
    proxy = {"proxy_headers": True, "forwarded_allow_ips": settings.forwarded_allow_ips}
    if workers == 1:
        uvicorn.run(
            create_app(settings, tracer=tracer_from_env()),
            host=settings.host,
            port=settings.port,
            http=guarded_protocol(settings),
            access_log=False,
            **logs,
            **proxy,
        )
        return
    listener = listening_socket(settings.host, settings.port)
    with metrics_directory(settings):
        uvicorn.run(
            "server:app_from_env",
            factory=True,
            fd=listener.fileno(),
            workers=workers,
            # Each worker reads the limits from the environment, as it builds its app.
            http=f"{PARSERS[DEFAULT].__module__}:{PARSERS[DEFAULT].__qualname__}",
            access_log=False,
            **logs,
            **proxy,
        )


@contextmanager
def metrics_directory(settings: Settings) -> Iterator[None]:
    """Under several workers, prometheus-client's multiprocess mode: each worker writes its
    metrics to files in PROMETHEUS_MULTIPROC_DIR, and any worker's /metrics sums them. A
    directory of our own for the run, unless the operator named one: emptied at start."""
    if not settings.metrics:
        yield
        return
    given = os.environ.get(MULTIPROCESS_DIR)
    directory = given or tempfile.mkdtemp(prefix="chat-api-metrics-")
    os.makedirs(directory, exist_ok=True)
    for stale in os.listdir(directory):
        if stale.endswith(".db"):
            os.remove(os.path.join(directory, stale))
    os.environ[MULTIPROCESS_DIR] = directory  # the workers inherit it
    try:
        yield
    finally:
        if not given:
            del os.environ[MULTIPROCESS_DIR]
            shutil.rmtree(directory, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Chat sessions GraphQL server.")
    commands = parser.add_subparsers(dest="command")
    serve_command = commands.add_parser("serve", help="run the server (default)")
    for target in (parser, serve_command):
        target.add_argument("--host", help="address to listen on (HOST)")
        target.add_argument("--port", type=int, help="port to listen on (PORT)")
        target.add_argument("--workers", type=int, default=1, help="worker processes (1)")
        target.add_argument("--log-config", help="uvicorn's logging config file (LOG_CONFIG)")
        target.add_argument(
            "--forwarded-allow-ips", help="proxies trusted for X-Forwarded-* (FORWARDED_ALLOW_IPS)"
        )
    commands.add_parser("migrate", help="bring DATABASE_URL to the newest schema")
    commands.add_parser("demo", help="add the demo data to an empty database")
    token_command = commands.add_parser("token", help="print a bearer token for a user")
    token_command.add_argument("who", help="the user's username, email or id")
    token_command.add_argument(
        "--hours", type=_hours, default=TOKEN_HOURS, help="the token's lifetime (12)"
    )
    commands.add_parser("check", help="report on DATABASE_URL without writing to it")
    commands.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    args = parser.parse_args(argv)

    settings = Settings.from_env()
    flags = ("host", "port", "log_config", "forwarded_allow_ips")
    overrides = {key: getattr(args, key, None) for key in flags}
    settings = Settings(**{**settings.__dict__, **{k: v for k, v in overrides.items() if v}})
    if settings.log_config and not os.path.isfile(settings.log_config):
        print(f"No log config file at {settings.log_config}.", file=sys.stderr)
        return 2
    try:
        configure_logging(settings)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    if settings.log_config:
        os.environ["LOG_CONFIG"] = settings.log_config  # for the workers' app_from_env
    # One server on an SQLite file without JWT_SECRET_KEY (`make run`), and the token
    # command beside it, share a development key kept next to the database file.
    if args.command == "token" or (args.command in (None, "serve") and args.workers <= 1):
        settings = with_development_key(settings)

    if args.command == "export-schema":
        print(create_schema(settings).as_str())
    elif args.command == "check":
        return _print_check(settings)
    elif args.command in ("migrate", "demo"):
        try:
            asyncio.run(_run_with_database(settings, args.command))
        except IncompatibleDatabase as refusal:
            print(refusal, file=sys.stderr)
            return 1
    elif args.command == "token":
        if settings.jwt_secret_is_random:
            print(
                "Set JWT_SECRET_KEY to the server's key first: a token needs it.", file=sys.stderr
            )
            return 2
        return _print_token(settings, args.who, args.hours)
    elif args.workers > 1 and settings.jwt_secret_is_random:
        print("Set JWT_SECRET_KEY to run several workers: they must share it.", file=sys.stderr)
        return 2
    else:
        try:
            serve(settings, max(args.workers, 1))
        except (IncompatibleDatabase, AddressInUse) as refusal:
            print(refusal, file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
