"""Installable and reproducible: the lock pins what the suite runs on, `make lock`
upgrades it, and the wheel, installed in a virtualenv of its own outside the repository,
migrates, serves and answers (on graphql-core's executor when graphql-core is not one the
compiled executor supports)."""

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import AsyncIterator
from importlib.metadata import version
from pathlib import Path

import httpx
import pytest
from packaging.requirements import Requirement
from packaging.version import Version
from sqlalchemy.engine import make_url

from execution import SUPPORTED_GRAPHQL_CORE
from tests.clients.tools import REPO
from tests.commands import run, serving
from tests.databases import BACKENDS, scratch_url

KEY = "wheel-" + "k" * 58
VIEWER = {"query": "{ viewer { displayName } }"}
_PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;]+)(?:\s*;\s*(.+))?$")


def _pins(lock: Path) -> dict[str, tuple[str, str | None]]:
    """name -> (version, marker) for each pin of a uv / pip-tools lock file."""
    pins = {}
    for line in lock.read_text().splitlines():
        if match := _PIN.match(line.strip()):
            name, pinned, marker = match.groups()
            pins[re.sub(r"[-_.]+", "-", name).lower()] = (pinned, marker)
    return pins


def _requirements() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    listed = project["dependencies"] + project["optional-dependencies"]["test"]
    return [Requirement(text) for text in listed]


def _unpinned(lock: Path) -> list[str]:
    """pyproject.toml's requirements the lock does not pin within their range."""
    pins = _pins(lock)
    return [
        str(requirement)
        for requirement in _requirements()
        if (pinned := pins.get(re.sub(r"[-_.]+", "-", requirement.name).lower())) is None
        or Version(pinned[0]) not in requirement.specifier
    ]


def test_the_lock_pins_every_requirement_within_its_range() -> None:
    assert _unpinned(REPO / "requirements.lock") == []


def test_the_suite_runs_on_the_locked_versions() -> None:
    """`make` installed requirements.lock: every pin that applies here is what runs."""
    differ = {
        name: (pinned, version(name))
        for name, (pinned, marker) in _pins(REPO / "requirements.lock").items()
        if marker is None or Requirement(f"x; {marker}").marker.evaluate()  # type: ignore[union-attr]
        if version(name) != pinned
    }
    assert differ == {}


def test_make_lock_upgrades_the_pins(tmp_path: Path) -> None:
    """The documented upgrade: `make lock` resolves the newest allowed releases anew."""
    lock = tmp_path / "requirements.lock"

    done = subprocess.run(
        ["make", "-s", "lock", f"LOCK={lock}"], cwd=REPO, capture_output=True, text=True
    )

    assert done.returncode == 0, done.stderr
    assert "uv pip compile pyproject.toml" in lock.read_text()
    assert _unpinned(lock) == []


def test_the_supported_graphql_core_is_the_locked_one() -> None:
    """The lock pins a graphql-core the compiled executor supports."""
    assert Version(_pins(REPO / "requirements.lock")["graphql-core"][0]) in SUPPORTED_GRAPHQL_CORE


def _checkout(target: Path) -> Path:
    """The repository's files as a clone has them (tracked or not ignored), at `target`."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        if (REPO / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, target / name)
    return target


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("wheel")
    source = _checkout(root / "source")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", root / "dist", source],
        check=True,
        capture_output=True,
    )
    [built] = (root / "dist").glob("*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv outside the repository, with the wheel and the locked versions."""
    root = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", root], check=True)
    subprocess.run(
        [
            root / "bin/python",
            "-m",
            "pip",
            "install",
            "-q",
            "-c",
            REPO / "requirements.lock",
            wheel,
        ],
        check=True,
        capture_output=True,
    )
    return root


def test_the_wheel_holds_every_module_of_the_server(wheel: Path) -> None:
    """Every package of the checkout (tests and benchmarks aside), the top-level modules,
    the migrations and their template, and the `chat-api` command."""
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    packages = {
        path.name
        for path in REPO.iterdir()
        if (path / "__init__.py").exists() and path.name not in ("tests", "bench")
    }
    expected = {
        name
        for name in tracked
        if (name.split("/")[0] in packages and name.endswith((".py", ".mako")))
        or ("/" not in name and name.endswith(".py"))
    }
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        [entry_points] = [name for name in names if name.endswith("entry_points.txt")]
        scripts = archive.read(entry_points).decode()

    assert {"execution", "migrations", "db", "web"} <= packages
    assert "migrations/script.py.mako" in expected
    assert expected - names == set()
    assert "chat-api = server:main" in scripts


@pytest.fixture(params=BACKENDS)
async def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with scratch_url(request.param, tmp_path) as url:
        yield make_url(url).set(drivername=request.param).render_as_string(hide_password=False)


async def _first_query(venv: Path, url: str, directory: Path) -> tuple[str, str]:
    """migrate, demo, token and serve with the installed `chat-api`, from `directory`;
    the first query's display name, and the server's log."""
    chat_api = str(venv / "bin/chat-api")
    env = {"DATABASE_URL": url, "JWT_SECRET_KEY": KEY, "PYTHONPATH": ""}
    for command in ("migrate", "demo"):
        done = await run([chat_api, command], env, cwd=directory)
        assert done.code == 0, done.err
    token = await run([chat_api, "token", "ada"], env, cwd=directory)
    assert token.code == 0, token.err
    log = directory / "server.log"
    async with (
        serving([chat_api], env, cwd=directory, log=log) as server,
        httpx.AsyncClient(base_url=server) as client,
    ):
        headers = {"Authorization": f"Bearer {token.out.strip()}"}
        answer = (await client.post("/graphql", json=VIEWER, headers=headers)).json()
    return answer["data"]["viewer"]["displayName"], log.read_text()


async def test_the_installed_server_migrates_serves_and_answers(
    venv: Path, empty_url: str, tmp_path: Path
) -> None:
    """From outside the repository: the code that runs is the installed one."""
    where = await run(
        [str(venv / "bin/python"), "-c", "import server, execution; print(server.__file__)"],
        {"PYTHONPATH": ""},
        cwd=tmp_path,
    )
    assert where.out.startswith(str(venv)), where

    name, log = await _first_query(venv, empty_url, tmp_path)

    assert name == "Ada Lovelace"
    assert "outside the range" not in log


async def test_another_graphql_core_runs_on_its_own_executor(venv: Path, tmp_path: Path) -> None:
    """graphql-core 3.3.1 (which Strawberry accepts, the compiled executor was not tested
    on): a warning in the log, and queries answered by graphql-core's executor."""
    pip = [str(venv / "bin/python"), "-m", "pip", "install", "-q", "--no-deps"]
    installed = await run([*pip, "graphql-core==3.3.1"], {}, cwd=tmp_path)
    assert installed.code == 0, installed.err
    try:
        name, log = await _first_query(venv, f"sqlite:///{tmp_path / 'chat.db'}", tmp_path)
    finally:
        locked = _pins(REPO / "requirements.lock")["graphql-core"][0]
        await run([*pip, f"graphql-core=={locked}"], {}, cwd=tmp_path)

    assert name == "Ada Lovelace"
    assert "graphql-core 3.3.1 is outside the range the compiled executor supports" in log
    assert "queries run on graphql-core's own executor instead" in log
