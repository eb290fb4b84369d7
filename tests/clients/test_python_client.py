"""The generated Python client (clients/python/chat_client) against the real server over HTTP."""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from chat_client import (
    ChatClient,
    ChatMessagePartsTextPart,
    GraphQLClientGraphQLMultiError,
    SessionListItem,
    SessionScope,
)

from auth.tokens import issue_token
from db.engine import Database
from db.models import Agent, ChatSession, User
from settings import Settings
from tests.clients.tools import REPO, differences, mirror, run
from tests.factories import Factory

CODEGEN = REPO / ".venv" / "codegen" / "bin" / "ariadne-codegen"


async def test_the_committed_client_is_what_the_generator_makes(tmp_path: Path) -> None:
    """Regenerating from schema.graphql and clients/operations/ changes no committed file."""
    if not CODEGEN.is_file():
        pytest.skip(f"{CODEGEN.relative_to(REPO)} is missing: `make test` installs ariadne-codegen")
    tree = mirror(tmp_path, "schema.graphql", "clients/operations", "clients/python/pyproject.toml")

    generated = await run(CODEGEN, cwd=tree / "clients" / "python")

    assert generated.returncode == 0, generated
    stale = differences(REPO / "clients/python/chat_client", tree / "clients/python/chat_client")
    assert stale == [], f"clients/python/chat_client is stale ({stale}): run `make codegen`"


@dataclass
class World:
    """Cleo uses agent Atlas; Ada created it; Dan has a session of his own there."""

    atlas: Agent
    vault: Agent
    ada: User
    cleo: User
    dan_session: ChatSession


@pytest.fixture
async def world(factory: Factory) -> World:
    acme = await factory.tenant()
    ada = await factory.user(acme, display_name="Ada")
    cleo = await factory.user(acme, display_name="Cleo")
    dan = await factory.user(acme, display_name="Dan")
    atlas = await factory.agent(ada, name="Atlas")
    vault = await factory.agent(ada, name="Vault", access_mode="private")
    dan_session = await factory.session(atlas, dan, messages=1, title="Dan's")
    return World(atlas, vault, ada, cleo, dan_session)


@pytest.fixture
def client_for(server_url: str, settings: Settings) -> Callable[[User], ChatClient]:
    """A client signed in as a user, talking to the live server."""

    def client(user: User) -> ChatClient:
        token = issue_token(user.id, settings)
        return ChatClient(f"{server_url}/graphql", headers={"Authorization": f"Bearer {token}"})

    return client


async def all_sessions(
    client: ChatClient, agent_id: str, scope: SessionScope, page_size: int
) -> list[SessionListItem]:
    """Every page of a session list, following endCursor."""
    sessions: list[SessionListItem] = []
    after = None
    while True:
        page = await client.session_list(agent_id, scope, page_size, after)
        assert page.agent is not None
        sessions.extend(page.agent.sessions.nodes)
        if not page.agent.sessions.page_info.has_next_page:
            return sessions
        after = page.agent.sessions.page_info.end_cursor


async def all_message_texts(
    client: ChatClient, agent_id: str, session_id: str, page_size: int
) -> list[str]:
    """A chat view paged back from the newest messages with last/before, oldest first."""
    texts: list[str] = []
    before = None
    while True:
        page = await client.chat_view(agent_id, session_id, page_size, before)
        assert page.agent is not None and page.agent.session is not None
        messages = page.agent.session.messages
        page_texts = [
            part.text
            for node in messages.nodes
            for part in node.parts
            if isinstance(part, ChatMessagePartsTextPart)
        ]
        texts[:0] = page_texts
        if not messages.page_info.has_previous_page:
            return texts
        before = messages.page_info.start_cursor


async def test_a_session_is_created_listed_read_renamed_and_deleted(
    world: World, client_for: Callable[[User], ChatClient], factory: Factory, database: Database
) -> None:
    """Cleo's new session is listed once it has messages, is read and marked read, renamed and
    deleted."""
    atlas = str(world.atlas.id)
    async with client_for(world.cleo) as cleo, client_for(world.ada) as ada:
        # given a new session of Cleo's (her first: primary), with five messages, two of them
        # replies she has not read
        created = (await cleo.create_session(atlas, "Trip plan")).create_session
        assert created.typename__ == "Session"
        unlisted = await all_sessions(cleo, atlas, SessionScope.MINE, 1)
        async with database.session() as db:
            stored = await db.get(ChatSession, uuid.UUID(created.id))
        assert stored is not None
        texts = [f"message {n}" for n in range(1, 6)]
        for n, text in enumerate(texts):
            await factory.message(stored, "assistant" if n >= 3 else "user", text)

        # when it is listed, read, renamed and deleted
        mine = await all_sessions(cleo, atlas, SessionScope.MINE, 1)
        everyone = await all_sessions(ada, atlas, SessionScope.ALL, 1)
        read = await all_message_texts(cleo, atlas, created.id, 2)
        marked = (await cleo.mark_session_read(created.id)).mark_session_read
        mine_after_read = await all_sessions(cleo, atlas, SessionScope.MINE, 1)
        renamed = (await cleo.rename_session(created.id, "Trip plan (final)")).rename_session
        deleted = (await cleo.delete_session(created.id)).delete_session
        after_delete = await all_sessions(cleo, atlas, SessionScope.MINE, 1)

    # then each step shows it as a frontend would
    assert created.title == "Trip plan" and created.message_count == 0
    assert unlisted == []
    assert [(s.id, s.title, s.message_count, s.unread_count, s.is_primary) for s in mine] == [
        (created.id, "Trip plan", 5, 2, True)
    ]
    assert [s.id for s in everyone] == [created.id, str(world.dan_session.id)]
    assert read == texts
    assert marked.typename__ == "Session" and marked.unread_count == 0
    assert [s.unread_count for s in mine_after_read] == [0]
    assert renamed.typename__ == "Session" and renamed.title == "Trip plan (final)"
    assert deleted.typename__ == "DeletedSession" and deleted.id == created.id
    assert after_delete == []


ErrorCase = Callable[[ChatClient, World], Awaitable[Any]]

ERROR_CASES = [
    pytest.param(
        lambda client, world: client.create_session(str(uuid.uuid4())),
        "NotFoundError",
        id="create-in-unknown-agent",
    ),
    pytest.param(
        lambda client, world: client.create_session(str(world.vault.id)),
        "ForbiddenError",
        id="create-in-agent-without-access",
    ),
    pytest.param(
        lambda client, world: client.create_session(str(world.atlas.id), "x" * 201),
        "ValidationError",
        id="create-with-long-title",
    ),
    pytest.param(
        lambda client, world: client.rename_session(str(uuid.uuid4()), "New"),
        "NotFoundError",
        id="rename-unknown-session",
    ),
    pytest.param(
        lambda client, world: client.rename_session(str(world.dan_session.id), "Mine now"),
        "ForbiddenError",
        id="rename-someone-elses-session",
    ),
    pytest.param(
        lambda client, world: client.rename_session(str(world.dan_session.id), " "),
        "ForbiddenError",
        id="rename-someone-elses-session-badly",
    ),
    pytest.param(
        lambda client, world: client.delete_session("not-an-id"),
        "NotFoundError",
        id="delete-malformed-id",
    ),
    pytest.param(
        lambda client, world: client.delete_session(str(world.dan_session.id)),
        "ForbiddenError",
        id="delete-someone-elses-session",
    ),
]


@pytest.mark.parametrize(("mutate", "typename"), ERROR_CASES)
async def test_a_refused_mutation_returns_its_error_member(
    world: World,
    client_for: Callable[[User], ChatClient],
    database: Database,
    mutate: ErrorCase,
    typename: str,
) -> None:
    """Each refusal is a typed union member with a message, and leaves Dan's session alone."""
    async with client_for(world.cleo) as cleo:
        result = await mutate(cleo, world)

    (member,) = result.model_dump(by_alias=True).values()
    assert member["__typename"] == typename
    assert member["message"]
    assert member.get("field") == ("title" if typename == "ValidationError" else None)
    async with database.session() as db:
        stored = await db.get(ChatSession, world.dan_session.id)
    assert stored is not None and stored.title == "Dan's"


async def test_a_renamed_session_rejects_an_empty_title(
    world: World, client_for: Callable[[User], ChatClient]
) -> None:
    """An owner's blank title is a ValidationError naming the title field."""
    async with client_for(world.cleo) as cleo:
        created = (await cleo.create_session(str(world.atlas.id), "Kept")).create_session
        assert created.typename__ == "Session"

        renamed = (await cleo.rename_session(created.id, "   ")).rename_session

    assert renamed.typename__ == "ValidationError"
    assert renamed.field == "title" and renamed.message


async def test_a_list_the_viewer_may_not_see_raises_a_graphql_error(
    world: World, client_for: Callable[[User], ChatClient]
) -> None:
    """Scope ALL is not a union: the client raises the FORBIDDEN error the server sends."""
    async with client_for(world.cleo) as cleo:
        with pytest.raises(GraphQLClientGraphQLMultiError) as raised:
            await cleo.session_list(str(world.atlas.id), SessionScope.ALL, 10)

    codes = [(error.extensions or {}).get("code") for error in raised.value.errors]
    assert codes == ["FORBIDDEN"]
