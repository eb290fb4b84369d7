"""The command line of `server.py`: the development key of `make run`, a taken port."""

import asyncio
import os
import socket
from pathlib import Path

import httpx
import pytest

from server import app_from_env, create_app, main
from settings import Settings, with_development_key

VIEWER = {"query": "{ viewer { displayName } }"}


@pytest.fixture
def sqlite_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The environment of `make run`, on a database file of the test's own."""
    path = tmp_path / "chat_sessions.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    for name in ("JWT_SECRET_KEY", "HOST", "PORT"):
        monkeypatch.delenv(name, raising=False)
    return path


def test_the_development_key_is_made_once_beside_the_sqlite_file(sqlite_file: Path) -> None:
    """Without JWT_SECRET_KEY, two runs sign with one key, kept where only its owner reads."""
    first = with_development_key(Settings.from_env())
    second = with_development_key(Settings.from_env())

    key_file = sqlite_file.with_name("chat_sessions.db.jwt-key")
    assert first.jwt_secret_key == second.jwt_secret_key == key_file.read_text().strip()
    assert not first.jwt_secret_is_random and first.jwt_secret_file == str(key_file)
    assert os.stat(key_file).st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("environment", "random"),
    [
        pytest.param({"JWT_SECRET_KEY": "set-" + "k" * 60}, False, id="key-set"),
        pytest.param({"DATABASE_URL": "postgresql://db/platform"}, True, id="postgresql"),
        pytest.param({"DATABASE_URL": "sqlite://"}, True, id="sqlite-in-memory"),
    ],
)
def test_otherwise_no_development_key_is_made(
    sqlite_file: Path, monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], random: bool
) -> None:
    """A set key is kept; any other database keeps a random key (and its warning)."""
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings = Settings.from_env()

    assert with_development_key(settings) == settings
    assert settings.jwt_secret_is_random is random
    assert list(sqlite_file.parent.iterdir()) == []


def test_a_token_from_another_terminal_works_after_a_restart(
    sqlite_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`server.py token ada` signs with the key a server started later still accepts."""
    assert main(["migrate"]) == 0
    assert main(["demo"]) == 0
    capsys.readouterr()

    assert main(["token", "ada"]) == 0
    token = capsys.readouterr().out.strip()

    async def ask() -> dict[str, object]:
        app = create_app(with_development_key(Settings.from_env()))  # a restarted server
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://server") as client:
            response = await client.post(
                "/graphql", json=VIEWER, headers={"Authorization": f"Bearer {token}"}
            )
        await app.state.database.dispose()
        return dict(response.json())

    assert asyncio.run(ask())["data"] == {"viewer": {"displayName": "Ada Lovelace"}}


def test_the_uvicorn_factory_on_the_sqlite_file_uses_the_development_key(
    sqlite_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`uvicorn --factory server:app_from_env` accepts what `server.py token` signs, as the
    configuration table says: both use the key beside the database file."""
    assert main(["migrate"]) == 0
    assert main(["demo"]) == 0
    assert main(["token", "ada"]) == 0
    token = capsys.readouterr().out.splitlines()[-1]

    async def ask() -> dict[str, object]:
        app = app_from_env()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://server") as client:
            response = await client.post(
                "/graphql", json=VIEWER, headers={"Authorization": f"Bearer {token}"}
            )
        await app.state.database.dispose()
        return dict(response.json())

    assert asyncio.run(ask())["data"] == {"viewer": {"displayName": "Ada Lovelace"}}


def test_a_taken_port_fails_before_anything_is_prepared_or_printed(
    sqlite_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On a taken port the server says so, and prints no address or token."""
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]

        assert main(["--port", str(port)]) == 1

    out, err = capsys.readouterr()
    assert f"Cannot listen on 127.0.0.1:{port}" in err and "--port" in err
    assert "Bearer" not in out and "GraphiQL" not in out
    assert not sqlite_file.exists()
