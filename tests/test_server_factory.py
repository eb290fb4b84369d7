"""`server:app_from_env`, the app each uvicorn worker builds from the environment."""

import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
from starlette.applications import Starlette

from auth.tokens import issue_token
from db.engine import Database
from server import app_from_env, listening_socket, main
from settings import Settings
from tests.factories import Factory

VIEWER = {"query": "{ viewer { displayName } }"}
SHARED_KEY = "shared-" + "s" * 57


@asynccontextmanager
async def worker(make: Callable[[], Starlette]) -> AsyncIterator[httpx.AsyncClient]:
    app = make()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://worker") as client:
        yield client
    await app.state.database.dispose()


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, database: Database) -> pytest.MonkeyPatch:
    """The environment of a deployment whose database is the test database."""
    monkeypatch.setenv("DATABASE_URL", database.engine.url.render_as_string(hide_password=False))
    for name in ("JWT_SECRET_KEY", "GRAPHIQL", "INTROSPECTION", "CORS_ORIGINS"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


async def test_workers_sharing_jwt_secret_key_accept_each_others_tokens(
    environment: pytest.MonkeyPatch, factory: Factory
) -> None:
    """With JWT_SECRET_KEY set, a token is good on every worker built from the environment."""
    environment.setenv("JWT_SECRET_KEY", SHARED_KEY)
    user = await factory.user(await factory.tenant(), display_name="Ada")
    token = issue_token(user.id, Settings.from_env())

    async with worker(app_from_env) as first, worker(app_from_env) as second:
        headers = {"Authorization": f"Bearer {token}"}
        answers = [
            (await client.post("/graphql", json=VIEWER, headers=headers)).json()
            for client in (first, second)
        ]

    assert answers == [{"data": {"viewer": {"displayName": "Ada"}}}] * 2


async def test_workers_without_jwt_secret_key_reject_other_processes_tokens(
    environment: pytest.MonkeyPatch, factory: Factory
) -> None:
    """Unset, a token another process signed with its own random key fails on each (on
    PostgreSQL each worker draws its own key; on an SQLite file they share the one beside it)."""
    user = await factory.user(await factory.tenant())
    token = issue_token(user.id, Settings.from_env())
    headers = {"Authorization": f"Bearer {token}"}

    async with worker(app_from_env) as first, worker(app_from_env) as second:
        answers = [
            (await client.post("/graphql", json=VIEWER, headers=headers)).json()
            for client in (first, second)
        ]

    assert [answer["errors"][0]["extensions"]["code"] for answer in answers] == [
        "UNAUTHENTICATED"
    ] * 2


def test_the_several_workers_listener_hands_nodelay_to_its_connections() -> None:
    """Connections accepted on the shared listener have Nagle's algorithm off."""
    with listening_socket("127.0.0.1", 0) as listener:
        listener.listen()
        with socket.create_connection(listener.getsockname()) as client:
            accepted, _ = listener.accept()
            with accepted:
                assert client is not None
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


def test_several_workers_refuse_to_start_without_a_shared_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each worker would draw its own random key, so no token would work across them."""
    monkeypatch.delenv("JWT_SECRET_KEY", raising=False)

    assert main(["--workers", "2"]) == 2
    assert "JWT_SECRET_KEY" in capsys.readouterr().err
