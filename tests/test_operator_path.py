"""The README's operator path, run as commands on a database of the platform's shape:
`check`, `migrate`, `token <username | email | user id> [--hours N]`, serve, a first query.

On PostgreSQL the database is the platform's own (`vendor/platform/schema.sql` at its
head); on SQLite a file that `migrate` makes. Users are written as the platform writes them.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import jwt
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from db.check import server_indexes
from db.engine import Database
from db.migrate import alembic_config
from db.models import Identity, User
from settings import async_database_url
from tests.commands import SERVER, run, serving
from tests.databases import BACKENDS, PLATFORM_HEAD, load_platform_schema, scratch_url
from tests.factories import Factory

NEWEST = ScriptDirectory.from_config(alembic_config()).get_current_head()

KEY = "operator-" + "k" * 55
VIEWER = {"query": "{ viewer { displayName } }"}


@pytest.fixture(params=BACKENDS)
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database URL as an operator has it (`postgresql://…`, `sqlite:///…`)."""
    async with scratch_url(request.param, tmp_path) as scratch:
        if request.param == "postgresql":
            await load_platform_schema(scratch)
        plain = make_url(scratch).set(drivername=request.param)
        yield plain.render_as_string(hide_password=False)


def _env(url: str) -> dict[str, str]:
    return {"DATABASE_URL": url, "JWT_SECRET_KEY": KEY}


async def _shape(url: str) -> tuple[set[str], set[str]]:
    """The tables, and the names of everything in the catalog (indexes included)."""
    database = Database.from_url(async_database_url(url))
    try:
        async with database.engine.connect() as connection:
            tables = set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
            names = (
                "SELECT name FROM sqlite_master"
                if database.dialect == "sqlite"
                else "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace"
            )
            return tables, set((await connection.execute(text(names))).scalars())
    finally:
        await database.dispose()


async def test_check_reports_before_migrate_without_writing(url: str) -> None:
    """Before `migrate`: the platform's head, the missing indexes, nothing written."""
    sqlite = url.startswith("sqlite")
    before = None if sqlite else await _shape(url)

    done = await run([*SERVER, "check"], _env(url))

    assert done.code == 1
    if sqlite:  # the file is not made either
        assert "Database unreachable" in done.out and "does not exist" in done.out
        assert not await asyncio.to_thread(Path(make_url(url).database or "").exists)
        return
    lines = done.out.splitlines()
    assert lines[0].startswith("ok    Database reachable: postgresql ")
    assert lines[1:] == [
        f"ok    Platform head: {PLATFORM_HEAD}",
        f"FAIL  Server migrations: at none, the newest is {NEWEST}: run migrate",
        *(f"FAIL  Index {name}: missing: run migrate" for name in sorted(server_indexes())),
        "ok    Users: 0 (0 active)",
        "ok    Agents: 0 (0 deleted)",
    ]
    assert await _shape(url) == before


async def test_check_finds_an_unreachable_database() -> None:
    done = await run([*SERVER, "check"], _env("postgresql://nobody@127.0.0.1:1/none"))

    assert done.code == 1
    assert done.out.startswith("FAIL  Database unreachable: ")


async def _people(url: str) -> dict[str, User]:
    """Hopper (one user); Grace, whose identity has a user in two tenants; an agent."""
    database = Database.from_url(async_database_url(url))
    factory = Factory(database)
    try:
        acme, globex = await factory.tenant("Acme"), await factory.tenant("Globex")
        people: dict[str, User] = {}
        for name, tenants in (("hopper", [acme]), ("grace", [acme, globex])):
            identity = Identity(id=uuid.uuid4(), username=name, email=f"{name}@example.com")
            await factory.add(identity)
            for tenant in tenants:
                user = User(
                    id=uuid.uuid4(),
                    identity_id=identity.id,
                    tenant_id=tenant.id,
                    display_name=f"{name.title()} of {tenant.name}",
                    role="member",
                    is_active=True,
                )
                await factory.add(user)
                people[f"{name}@{tenant.name}"] = user
        await factory.agent(people["hopper@Acme"])
        return people
    finally:
        await database.dispose()


def _lifetime(token: str) -> int:
    claims = jwt.decode(token, KEY, algorithms=["HS256"])
    return int(claims["exp"]) - int(claims["iat"])


async def test_the_operator_path(url: str) -> None:
    """migrate, check, a token by username, email or id, serve, a first query."""
    env = _env(url)
    migrated = await run([*SERVER, "migrate"], env)
    assert migrated.code == 0, migrated.err
    people = await _people(url)

    checked = await run([*SERVER, "check"], env)
    assert checked.code == 0, checked.out
    assert "ok    Users: 3 (3 active)" in checked.out
    assert "ok    Agents: 1 (0 deleted)" in checked.out
    assert "FAIL" not in checked.out

    by_username = await run([*SERVER, "token", "hopper"], env)
    by_email = await run([*SERVER, "token", "HOPPER@example.com", "--hours", "2"], env)
    grace_id = str(people["grace@Globex"].id)
    by_id = await run([*SERVER, "token", grace_id, "--hours", "0.5"], env)
    assert (by_username.code, by_email.code, by_id.code) == (0, 0, 0)
    assert _lifetime(by_username.out.strip()) == 12 * 3600  # the documented default
    assert _lifetime(by_email.out.strip()) == 2 * 3600
    assert _lifetime(by_id.out.strip()) == 1800

    async with serving(SERVER, env) as server, httpx.AsyncClient(base_url=server) as client:
        answers = [
            (
                await client.post(
                    "/graphql", json=VIEWER, headers={"Authorization": f"Bearer {done.out.strip()}"}
                )
            ).json()
            for done in (by_username, by_email, by_id)
        ]
    assert [answer["data"]["viewer"]["displayName"] for answer in answers] == [
        "Hopper of Acme",
        "Hopper of Acme",
        "Grace of Globex",
    ]


async def test_a_token_names_one_user_or_says_why_not(url: str) -> None:
    """A name with a user in two tenants lists them (give an id); an unknown one is refused;
    a lifetime that is no positive number of hours is refused before anything is read."""
    env = _env(url)
    assert (await run([*SERVER, "migrate"], env)).code == 0
    people = await _people(url)

    several = await run([*SERVER, "token", "grace"], env)
    unknown = await run([*SERVER, "token", "nobody@example.com"], env)
    negative = await run([*SERVER, "token", "hopper", "--hours", "-1"], env)

    assert several.code == 1 and several.out == ""
    assert "'grace' names 2 users (one per tenant); give an id:" in several.err
    assert str(people["grace@Acme"].id) in several.err
    assert str(people["grace@Globex"].id) in several.err
    assert (unknown.code, unknown.out) == (1, "")
    assert "No user with username, email or id 'nobody@example.com'." in unknown.err
    assert negative.code == 2 and negative.out == "" and "--hours" in negative.err


async def test_check_finds_an_index_left_invalid(url: str) -> None:
    """An interrupted CREATE INDEX CONCURRENTLY leaves an invalid index: check says so."""
    if url.startswith("sqlite"):
        pytest.skip("only PostgreSQL builds indexes concurrently, and can leave one invalid")
    env = _env(url)
    assert (await run([*SERVER, "migrate"], env)).code == 0
    database = Database.from_url(async_database_url(url))
    try:
        async with database.engine.begin() as connection:
            await connection.execute(
                text(
                    "UPDATE pg_index SET indisvalid = false"
                    " WHERE indexrelid = 'ix_chat_api_sessions_peer_list'::regclass"
                )
            )
    finally:
        await database.dispose()

    done = await run([*SERVER, "check"], env)

    assert done.code == 1
    assert [line for line in done.out.splitlines() if line.startswith("FAIL")] == [
        "FAIL  Index ix_chat_api_sessions_peer_list: invalid: drop it, then run migrate"
    ]
