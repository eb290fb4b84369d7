"""Configuration, read once from the environment.

Every knob an operator may turn lives here, with a default that is safe for the
embedded SQLite demo; production deployments override them with environment variables.
"""

import os
import secrets
from dataclasses import dataclass, field

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


def _list(name: str) -> tuple[str, ...]:
    value = os.environ.get(name, "")
    return tuple(item.strip() for item in value.split(",") if item.strip())


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    jwt_secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    jwt_secret_is_random: bool = True
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
        )
