"""Configuration, read once from the environment.

Every knob an operator may turn lives here, with a default that is safe for the
embedded SQLite demo; production deployments override them with environment variables.
"""

import dataclasses
import os
import resource
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./chat_sessions.db"


def async_database_url(url: str) -> str:
    """Accept the plain URLs operators already have and pick the async driver."""
    for plain, driver in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value is None or value.strip() == "" else int(value)


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return default if value is None or value.strip() == "" else float(value)


def _default_max_connections() -> int:
    """1,000, or fewer when the process may not open that many files (sockets are files)."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return 1000 if soft == resource.RLIM_INFINITY else max(16, min(1000, soft - 100))


def _list(name: str) -> tuple[str, ...]:
    value = os.environ.get(name, "")
    return tuple(item.strip() for item in value.split(",") if item.strip())


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    jwt_secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    jwt_secret_is_random: bool = True
    # The development key's file (with_development_key), when the key came from one.
    jwt_secret_file: str = ""
    jwt_algorithm: str = "HS256"
    host: str = "127.0.0.1"
    port: int = 8000
    graphiql: bool = True
    graphiql_cdn: bool = False
    introspection: bool = True
    cors_origins: tuple[str, ...] = ()
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_body_bytes: int = 100_000
    max_query_cost: int = 50_000
    max_response_bytes: int = 5_000_000
    introspection_requires_token: bool = False
    # Persisted operations (web/persisted.py): the APQ store's size per process, in bytes
    # (0: APQ off) and per client, and the trusted-documents manifest (a path, or `true`).
    apq_cache_bytes: int = 5_000_000
    apq_client_bytes: int = 200_000
    trusted_documents: str = ""
    # Overload (web/overload.py): requests running at once, and how long one waits for a turn.
    max_in_flight: int = 20
    queue_timeout: float = 1.0
    retry_after: int = 1
    # Slow clients (web/slow_clients.py).
    header_timeout: float = 10.0
    body_timeout: float = 10.0
    max_connections: int = field(default_factory=_default_max_connections)
    # The database (db/engine.py): pool_size + max_overflow covers max_in_flight.
    db_pool_size: int = 10
    db_max_overflow: int = 10
    db_pool_timeout: float = 2.0
    db_connect_timeout: float = 3.0
    db_statement_timeout: float = 5.0
    request_timeout: float = 10.0
    # Live updates (live/, web/subscriptions.py): the poller's tick and lookback window,
    # each subscription's buffer of waiting events, the caps, WebSocket pings; how often
    # running subscriptions' access is checked again (at most 5 s, issue 21).
    live_poll_interval: float = 0.25
    live_lookback: float = 60.0
    live_recheck_interval: float = 2.0
    live_buffer: int = 5000
    max_subscriptions: int = 10_000
    max_subscriptions_per_connection: int = 50
    ws_keep_alive: float = 15.0
    ws_init_timeout: float = 10.0
    # How queries run (execution/): compiled, graphql-core, or compare (the test suite's).
    executor: str = "compiled"
    # What an operator watches (observability/): the log's level and format (json | text),
    # uvicorn's log config file (it then owns logging), /metrics (off: not public by
    # default), and the proxies whose X-Forwarded-For/-Proto uvicorn believes.
    log_level: str = "INFO"
    log_format: str = "text"
    log_config: str = ""
    metrics: bool = False
    forwarded_allow_ips: str = "127.0.0.1,::1"

    @classmethod
    def from_env(cls) -> "Settings":
        secret = os.environ.get("JWT_SECRET_KEY", "")
        defaults = cls()
        return cls(
            database_url=async_database_url(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)),
            jwt_secret_key=secret or defaults.jwt_secret_key,
            jwt_secret_is_random=not secret,
            jwt_algorithm=os.environ.get("JWT_ALGORITHM", defaults.jwt_algorithm),
            host=os.environ.get("HOST", defaults.host),
            port=_int("PORT", defaults.port),
            graphiql=_flag("GRAPHIQL", defaults.graphiql),
            graphiql_cdn=_flag("GRAPHIQL_CDN", defaults.graphiql_cdn),
            introspection=_flag("INTROSPECTION", defaults.introspection),
            cors_origins=_list("CORS_ORIGINS"),
            max_query_depth=_int("MAX_QUERY_DEPTH", defaults.max_query_depth),
            max_aliases=_int("MAX_ALIASES", defaults.max_aliases),
            max_tokens=_int("MAX_TOKENS", defaults.max_tokens),
            max_body_bytes=_int("MAX_BODY_BYTES", defaults.max_body_bytes),
            max_query_cost=_int("MAX_QUERY_COST", defaults.max_query_cost),
            max_response_bytes=_int("MAX_RESPONSE_BYTES", defaults.max_response_bytes),
            introspection_requires_token=_flag(
                "INTROSPECTION_REQUIRES_TOKEN", defaults.introspection_requires_token
            ),
            apq_cache_bytes=_int("APQ_CACHE_BYTES", defaults.apq_cache_bytes),
            apq_client_bytes=_int("APQ_CLIENT_BYTES", defaults.apq_client_bytes),
            trusted_documents=os.environ.get("TRUSTED_DOCUMENTS", "").strip(),
            max_in_flight=_int("MAX_IN_FLIGHT", defaults.max_in_flight),
            queue_timeout=_float("QUEUE_TIMEOUT", defaults.queue_timeout),
            retry_after=_int("RETRY_AFTER", defaults.retry_after),
            header_timeout=_float("HEADER_TIMEOUT", defaults.header_timeout),
            body_timeout=_float("BODY_TIMEOUT", defaults.body_timeout),
            max_connections=_int("MAX_CONNECTIONS", defaults.max_connections),
            db_pool_size=_int("DB_POOL_SIZE", defaults.db_pool_size),
            db_max_overflow=_int("DB_MAX_OVERFLOW", defaults.db_max_overflow),
            db_pool_timeout=_float("DB_POOL_TIMEOUT", defaults.db_pool_timeout),
            db_connect_timeout=_float("DB_CONNECT_TIMEOUT", defaults.db_connect_timeout),
            db_statement_timeout=_float("DB_STATEMENT_TIMEOUT", defaults.db_statement_timeout),
            request_timeout=_float("REQUEST_TIMEOUT", defaults.request_timeout),
            live_poll_interval=_float("LIVE_POLL_INTERVAL", defaults.live_poll_interval),
            live_lookback=_float("LIVE_LOOKBACK", defaults.live_lookback),
            live_recheck_interval=_float("LIVE_RECHECK_INTERVAL", defaults.live_recheck_interval),
            live_buffer=_int("LIVE_BUFFER", defaults.live_buffer),
            max_subscriptions=_int("MAX_SUBSCRIPTIONS", defaults.max_subscriptions),
            max_subscriptions_per_connection=_int(
                "MAX_SUBSCRIPTIONS_PER_CONNECTION", defaults.max_subscriptions_per_connection
            ),
            ws_keep_alive=_float("WS_KEEP_ALIVE", defaults.ws_keep_alive),
            ws_init_timeout=_float("WS_INIT_TIMEOUT", defaults.ws_init_timeout),
            executor=os.environ.get("GRAPHQL_EXECUTOR", defaults.executor).strip(),
            log_level=os.environ.get("LOG_LEVEL", defaults.log_level).strip().upper(),
            log_format=os.environ.get("LOG_FORMAT", defaults.log_format).strip().lower(),
            log_config=os.environ.get("LOG_CONFIG", "").strip(),
            metrics=_flag("METRICS", defaults.metrics),
            forwarded_allow_ips=os.environ.get(
                "FORWARDED_ALLOW_IPS", defaults.forwarded_allow_ips
            ).strip(),
        )


def sqlite_file(database_url: str) -> Path | None:
    """The file of an SQLite database URL; None for another database or an in-memory one."""
    url = make_url(async_database_url(database_url))
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def with_development_key(settings: Settings) -> Settings:
    """With JWT_SECRET_KEY unset and an SQLite file, sign with a key kept beside that file.

    Generated once (`<database>.jwt-key`, readable by its owner only), so that tokens
    survive restarts and `server.py token` in another terminal signs what the server
    accepts. Any other database keeps the random per-process key and its warning.
    """
    database = sqlite_file(settings.database_url)
    if not settings.jwt_secret_is_random or database is None:
        return settings
    path = database.with_name(database.name + ".jwt-key")
    try:
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
            file.write(secrets.token_urlsafe(32) + "\n")
    except FileExistsError:
        pass  # made by an earlier run, or by another worker just now
    key = path.read_text().strip()
    if not key:
        raise ValueError(f"{path} is empty: delete it, and a new key is generated")
    return dataclasses.replace(
        settings, jwt_secret_key=key, jwt_secret_is_random=False, jwt_secret_file=str(path)
    )
