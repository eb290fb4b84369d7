"""createSession, renameSession and deleteSession over HTTP: who, which titles, all or nothing."""

import asyncio
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, select

from db.engine import Database
from db.models import Agent, ChatMessage, ChatSession, Tenant, User
from tests.api import Api, count_statements, error_codes
from tests.factories import Factory

SESSION_FIELDS = """
fragment SessionFields on Session {
  id agentId userId sourceChannel title createdAt lastMessageAt participantType
  peerAgentId peerAgentName isGroup groupName messageCount displayName
}
"""
NOT_FOUND = "fragment NotFound on NotFoundError { message }\n"
FORBIDDEN = "fragment Forbidden on ForbiddenError { message }\n"
INVALID = "fragment Invalid on ValidationError { message field }\n"

CREATE_SESSION = (
    """
mutation CreateSession($agentId: ID!, $title: String) {
  createSession(agentId: $agentId, title: $title) {
    __typename ...SessionFields ...NotFound ...Forbidden ...Invalid
  }
}
"""
    + SESSION_FIELDS
    + NOT_FOUND
    + FORBIDDEN
    + INVALID
)
CREATE_SESSION_WITHOUT_TITLE = (
    """
mutation CreateSession($agentId: ID!) {
  createSession(agentId: $agentId) {
    __typename ...SessionFields ...NotFound ...Forbidden ...Invalid
  }
}
"""
    + SESSION_FIELDS
    + NOT_FOUND
    + FORBIDDEN
    + INVALID
)
RENAME_SESSION = (
    """
mutation RenameSession($id: ID!, $title: String!) {
  renameSession(id: $id, title: $title) {
    __typename ...SessionFields ...NotFound ...Forbidden ...Invalid
  }
}
"""
    + SESSION_FIELDS
    + NOT_FOUND
    + FORBIDDEN
    + INVALID
)
DELETE_SESSION = (
    """
mutation DeleteSession($id: ID!) {
  deleteSession(id: $id) {
    __typename ...Deleted ...NotFound ...Forbidden
  }
}
fragment Deleted on DeletedSession { id }
"""
    + NOT_FOUND
    + FORBIDDEN
)
AGENT_SESSION = (
    """
query AgentSession($agentId: ID!, $id: ID!) {
  agent(id: $agentId) { session(id: $id) { __typename ...SessionFields } }
}
"""
    + SESSION_FIELDS
)
MY_SESSIONS = """
query MySessions($agentId: ID!) {
  agent(id: $agentId) {
    sessions(scope: MINE) { totalCount nodes { id title } }
  }
}
"""

SQL = "Robert'); DROP TABLE chat_sessions; --"
CONTROL = "bell\a back\b esc\x1b del\x7f zwsp\u200b tab\tnewline\ninside"
NON_ASCII = "Réunion 会议 — привет 🚀👩🏽‍💻"
EMOJI = "🚀"


@dataclass
class Scene:
    """An agent of a tenant, open to the whole company, and a member's session with it."""

    tenant: Tenant
    creator: User
    agent: Agent
    owner: User
    session: ChatSession


@pytest.fixture
async def scene(factory: Factory) -> Scene:
    tenant = await factory.tenant()
    creator = await factory.user(tenant)
    agent = await factory.agent(creator)
    await factory.grant(agent, "company")
    owner = await factory.user(tenant)
    session = await factory.session(agent, owner, messages=2, title="Before")
    return Scene(tenant, creator, agent, owner, session)


@dataclass(frozen=True)
class Snapshot:
    sessions: dict[uuid.UUID, tuple[str, uuid.UUID | None]]
    messages: dict[uuid.UUID, str]


async def snapshot(database: Database) -> Snapshot:
    """Every session (title, owner) and every message (conversation) in the database."""
    async with database.session() as db:
        sessions = (
            await db.execute(select(ChatSession.id, ChatSession.title, ChatSession.user_id))
        ).all()
        messages = (await db.execute(select(ChatMessage.id, ChatMessage.conversation_id))).all()
    return Snapshot(
        sessions={id: (title, user_id) for id, title, user_id in sessions},
        messages=dict(messages),
    )


async def stored_title(database: Database, session_id: uuid.UUID) -> str | None:
    async with database.session() as db:
        return await db.scalar(select(ChatSession.title).where(ChatSession.id == session_id))


async def mutate(api: Api, document: str, variables: dict[str, Any], viewer: User) -> Any:
    """The mutation's result, which must come back as data, never as an error."""
    body = await api.query(document, variables, user=viewer)
    assert set(body) == {"data"}, body
    (result,) = body["data"].values()
    return result


async def create(api: Api, viewer: User, agent_id: object, title: str | None) -> Any:
    return await mutate(api, CREATE_SESSION, {"agentId": str(agent_id), "title": title}, viewer)


async def rename(api: Api, viewer: User, session_id: object, title: str) -> Any:
    return await mutate(api, RENAME_SESSION, {"id": str(session_id), "title": title}, viewer)


async def delete(api: Api, viewer: User, session_id: object) -> Any:
    return await mutate(api, DELETE_SESSION, {"id": str(session_id)}, viewer)


def assert_error(result: dict[str, Any], typename: str) -> None:
    """A union error member: its type, a message a person can read, and no other field."""
    assert result["__typename"] == typename, result
    assert isinstance(result["message"], str) and result["message"].strip(), result
    if typename == "ValidationError":
        assert set(result) == {"__typename", "message", "field"}, result
        assert result["field"] == "title", result
    else:
        assert set(result) == {"__typename", "message"}, result


def with_ids(variables: dict[str, str], scene: Scene) -> dict[str, str]:
    """The variables, with the placeholders AGENT and SESSION replaced by the scene's ids."""
    ids = {"AGENT": str(scene.agent.id), "SESSION": str(scene.session.id)}
    return {name: ids.get(value, value) for name, value in variables.items()}


def default_titles(before: datetime, after: datetime) -> set[str]:
    return {moment.strftime("Session %m-%d %H:%M") for moment in (before, after)}


async def viewer_of(kind: str, scene: Scene, factory: Factory) -> User:
    """A viewer allowed to change the scene's session, described by `kind`."""
    if kind == "owner":
        return scene.owner
    if kind == "creator":
        return scene.creator
    if kind == "foreign-platform-admin":
        return await factory.user(await factory.tenant("Elsewhere"), role="platform_admin")
    return await factory.user(scene.tenant, role=kind.replace("-", "_"))


ALLOWED = [
    pytest.param("owner", id="owner"),
    pytest.param("platform-admin", id="platform-admin"),
    pytest.param("foreign-platform-admin", id="platform-admin-of-another-tenant"),
    pytest.param("org-admin", id="org-admin"),
    pytest.param("agent-admin", id="agent-admin"),
    pytest.param("creator", id="agent-creator"),
]


# createSession: who may


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param("company-grant", id="company-grant"),
        pytest.param("user-grant", id="user-grant"),
        pytest.param("creator", id="agent-creator"),
        pytest.param("platform-admin", id="platform-admin-of-another-tenant"),
    ],
)
async def test_create_needs_access_to_the_agent(
    api: Api, factory: Factory, database: Database, kind: str
) -> None:
    """Any viewer with access to the agent starts a session that is their own."""
    tenant = await factory.tenant()
    creator = await factory.user(tenant)
    agent = await factory.agent(creator)
    if kind == "company-grant":
        await factory.grant(agent, "company")
        viewer = await factory.user(tenant)
    elif kind == "user-grant":
        viewer = await factory.user(tenant)
        await factory.grant(agent, "user", user=viewer)
    elif kind == "creator":
        viewer = creator
    else:
        viewer = await factory.user(await factory.tenant("Elsewhere"), role="platform_admin")

    result = await create(api, viewer, agent.id, "Hello")

    assert result["__typename"] == "Session"
    assert (result["agentId"], result["userId"]) == (str(agent.id), str(viewer.id))
    assert await stored_title(database, uuid.UUID(result["id"])) == "Hello"


async def test_create_without_access_is_forbidden(
    api: Api, factory: Factory, database: Database
) -> None:
    """An agent of the viewer's tenant without a grant for them: ForbiddenError, no session."""
    tenant = await factory.tenant()
    agent = await factory.agent(await factory.user(tenant))
    await factory.grant(agent, "user", user=await factory.user(tenant))
    viewer = await factory.user(tenant, role="org_admin")
    before = await snapshot(database)

    result = await create(api, viewer, agent.id, "Hello")

    assert_error(result, "ForbiddenError")
    assert await snapshot(database) == before


@pytest.mark.parametrize(
    "agent_id",
    [
        pytest.param("cross-tenant", id="agent-of-another-tenant"),
        pytest.param(str(uuid.uuid4()), id="unknown-id"),
        pytest.param("not-a-uuid", id="malformed-id"),
        pytest.param("", id="empty-id"),
        pytest.param("1' OR '1'='1", id="sql-id"),
    ],
)
async def test_create_for_an_agent_the_viewer_cannot_see_is_not_found(
    api: Api, factory: Factory, database: Database, scene: Scene, agent_id: str
) -> None:
    """Another tenant's agent, an unknown id and a malformed id all read as NotFoundError."""
    stranger = await factory.user(await factory.tenant("Elsewhere"), role="org_admin")
    target = scene.agent.id if agent_id == "cross-tenant" else agent_id
    before = await snapshot(database)

    result = await create(api, stranger, target, "Hello")

    assert_error(result, "NotFoundError")
    assert await snapshot(database) == before


# renameSession and deleteSession: who may


@pytest.mark.parametrize("kind", ALLOWED)
async def test_rename_by_owner_or_a_viewer_who_sees_all(
    api: Api, factory: Factory, database: Database, scene: Scene, kind: str
) -> None:
    """The owner, the admin roles and the agent's creator may rename the session."""
    viewer = await viewer_of(kind, scene, factory)

    result = await rename(api, viewer, scene.session.id, "After")

    assert result["__typename"] == "Session"
    assert (result["id"], result["title"]) == (str(scene.session.id), "After")
    assert result["userId"] == str(scene.owner.id)
    assert result["messageCount"] == 2
    assert await stored_title(database, scene.session.id) == "After"


@pytest.mark.parametrize("kind", ALLOWED)
async def test_delete_by_owner_or_a_viewer_who_sees_all(
    api: Api, factory: Factory, database: Database, scene: Scene, kind: str
) -> None:
    """The owner, the admin roles and the agent's creator may delete the session."""
    viewer = await viewer_of(kind, scene, factory)

    result = await delete(api, viewer, scene.session.id)

    assert result == {"__typename": "DeletedSession", "id": str(scene.session.id)}
    assert await snapshot(database) == Snapshot(sessions={}, messages={})


async def forbidden_viewer(kind: str, scene: Scene, factory: Factory) -> User:
    """A viewer who may see the agent but not change the scene's session (which may be replaced)."""
    if kind == "member":
        return await factory.user(scene.tenant)
    if kind == "ownerless":
        scene.session = await factory.session(scene.agent, None, messages=1, title="Before")
        return await factory.user(scene.tenant)
    if kind == "peer-creator":
        viewer = await factory.user(scene.tenant)
        peer = await factory.agent(viewer, name="Peer")
        scene.session = await factory.session(
            scene.agent,
            None,
            messages=1,
            title="Before",
            source_channel="agent",
            peer_agent_id=peer.id,
        )
        return viewer
    private = await factory.agent(scene.creator, name="Private")
    scene.session = await factory.session(private, scene.owner, messages=1, title="Before")
    if kind == "owner-without-access":
        return scene.owner
    return await factory.user(scene.tenant, role=kind.removesuffix("-without-access"))


FORBIDDEN_CASES = [
    pytest.param("member", id="member-on-another-users-session"),
    pytest.param("ownerless", id="member-on-a-session-without-owner"),
    pytest.param("peer-creator", id="creator-of-the-peer-agent-only"),
    pytest.param("member-without-access", id="member-without-access-to-the-agent"),
    pytest.param("org_admin-without-access", id="org-admin-without-access-to-the-agent"),
    pytest.param("owner-without-access", id="owner-without-access-to-the-agent"),
]


@pytest.mark.parametrize("kind", FORBIDDEN_CASES)
async def test_rename_of_a_visible_session_the_viewer_may_not_change_is_forbidden(
    api: Api, factory: Factory, database: Database, scene: Scene, kind: str
) -> None:
    """A session of an agent in the viewer's tenant they may not change: ForbiddenError."""
    viewer = await forbidden_viewer(kind, scene, factory)
    before = await snapshot(database)

    result = await rename(api, viewer, scene.session.id, "After")

    assert_error(result, "ForbiddenError")
    assert await snapshot(database) == before


@pytest.mark.parametrize("kind", FORBIDDEN_CASES)
async def test_delete_of_a_visible_session_the_viewer_may_not_change_is_forbidden(
    api: Api, factory: Factory, database: Database, scene: Scene, kind: str
) -> None:
    """A session of an agent in the viewer's tenant they may not change: ForbiddenError."""
    viewer = await forbidden_viewer(kind, scene, factory)
    before = await snapshot(database)

    result = await delete(api, viewer, scene.session.id)

    assert_error(result, "ForbiddenError")
    assert await snapshot(database) == before


NOT_FOUND_IDS = [
    pytest.param("cross-tenant", id="session-of-another-tenant"),
    pytest.param(str(uuid.uuid4()), id="unknown-id"),
    pytest.param("not-a-uuid", id="malformed-id"),
    pytest.param("", id="empty-id"),
    pytest.param("1' OR '1'='1", id="sql-id"),
]


@pytest.mark.parametrize("session_id", NOT_FOUND_IDS)
async def test_rename_of_a_session_the_viewer_cannot_see_is_not_found(
    api: Api, factory: Factory, database: Database, scene: Scene, session_id: str
) -> None:
    """Another tenant's session, an unknown id and a malformed id all read as NotFoundError."""
    stranger = await factory.user(await factory.tenant("Elsewhere"), role="org_admin")
    target = scene.session.id if session_id == "cross-tenant" else session_id
    before = await snapshot(database)

    result = await rename(api, stranger, target, "After")

    assert_error(result, "NotFoundError")
    assert await snapshot(database) == before


@pytest.mark.parametrize("session_id", NOT_FOUND_IDS)
async def test_delete_of_a_session_the_viewer_cannot_see_is_not_found(
    api: Api, factory: Factory, database: Database, scene: Scene, session_id: str
) -> None:
    """Another tenant's session, an unknown id and a malformed id all read as NotFoundError."""
    stranger = await factory.user(await factory.tenant("Elsewhere"), role="org_admin")
    target = scene.session.id if session_id == "cross-tenant" else session_id
    before = await snapshot(database)

    result = await delete(api, stranger, target)

    assert_error(result, "NotFoundError")
    assert await snapshot(database) == before


# Unauthenticated calls


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-token"),
        pytest.param({"Authorization": "Bearer not.a.jwt"}, id="bad-token"),
    ],
)
@pytest.mark.parametrize(
    ("document", "variables"),
    [
        pytest.param(CREATE_SESSION, {"agentId": "AGENT", "title": "x"}, id="create"),
        pytest.param(CREATE_SESSION, {"agentId": "not-a-uuid", "title": "x"}, id="create-bad-id"),
        pytest.param(RENAME_SESSION, {"id": "SESSION", "title": "After"}, id="rename"),
        pytest.param(RENAME_SESSION, {"id": "not-a-uuid", "title": "After"}, id="rename-bad-id"),
        pytest.param(RENAME_SESSION, {"id": "SESSION", "title": "x" * 201}, id="rename-long"),
        pytest.param(DELETE_SESSION, {"id": "SESSION"}, id="delete"),
        pytest.param(DELETE_SESSION, {"id": "not-a-uuid"}, id="delete-bad-id"),
    ],
)
async def test_unauthenticated_calls_are_errors_and_change_nothing(
    api: Api,
    database: Database,
    scene: Scene,
    document: str,
    variables: dict[str, str],
    headers: dict[str, str],
) -> None:
    """Without a valid token every mutation is an UNAUTHENTICATED error, whatever its input."""
    variables = with_ids(variables, scene)
    before = await snapshot(database)

    response = await api.post(document, variables, headers=headers)

    body = response.json()
    assert response.status_code == 200, body
    assert body["data"] is None
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert await snapshot(database) == before


# createSession: titles


@pytest.mark.parametrize(
    "title",
    [
        pytest.param(None, id="null"),
        pytest.param("", id="empty"),
        pytest.param("   ", id="spaces"),
        pytest.param(" \t\n\u3000 ", id="unicode-whitespace"),
    ],
)
async def test_create_without_a_title_names_the_session_after_the_time(
    api: Api, database: Database, scene: Scene, title: str | None
) -> None:
    """A null or blank title becomes 'Session MM-DD HH:MM' in UTC at the time of the request."""
    before = datetime.now(UTC)

    result = await create(api, scene.owner, scene.agent.id, title)

    after = datetime.now(UTC)
    assert result["title"] in default_titles(before, after)
    assert await stored_title(database, uuid.UUID(result["id"])) == result["title"]


async def test_create_with_the_title_omitted_names_the_session_after_the_time(
    api: Api, scene: Scene
) -> None:
    """Leaving the title argument out is the same as sending null."""
    before = datetime.now(UTC)

    body = await api.query(
        CREATE_SESSION_WITHOUT_TITLE, {"agentId": str(scene.agent.id)}, user=scene.owner
    )

    after = datetime.now(UTC)
    assert body["data"]["createSession"]["title"] in default_titles(before, after)


@pytest.mark.parametrize(
    ("title", "stored"),
    [
        pytest.param("  Trip plans \n", "Trip plans", id="trimmed"),
        pytest.param("x" * 200, "x" * 200, id="200-characters"),
        pytest.param("  " + "x" * 200 + "\t", "x" * 200, id="200-characters-after-trimming"),
        pytest.param(NON_ASCII, NON_ASCII, id="non-ascii"),
        pytest.param(EMOJI * 200, EMOJI * 200, id="200-emoji"),
        pytest.param(SQL, SQL, id="sql"),
        pytest.param(CONTROL, CONTROL, id="control-characters"),
    ],
)
async def test_create_stores_the_trimmed_title(
    api: Api, database: Database, scene: Scene, title: str, stored: str
) -> None:
    """A title is trimmed and otherwise stored verbatim, up to 200 characters."""
    result = await create(api, scene.owner, scene.agent.id, title)

    assert result["title"] == stored
    assert await stored_title(database, uuid.UUID(result["id"])) == stored


@pytest.mark.parametrize(
    "title",
    [
        pytest.param("x" * 201, id="201-characters"),
        pytest.param(EMOJI * 201, id="201-emoji"),
        pytest.param("x" * 10_000, id="10000-characters"),
        pytest.param("nul\x00inside", id="nul-character"),
    ],
)
async def test_create_with_a_bad_title_is_a_validation_error(
    api: Api, database: Database, scene: Scene, title: str
) -> None:
    """A title that cannot be stored is a ValidationError on 'title', and no session is made."""
    before = await snapshot(database)

    result = await create(api, scene.owner, scene.agent.id, title)

    assert_error(result, "ValidationError")
    assert await snapshot(database) == before


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        pytest.param(CREATE_SESSION, {"agentId": "AGENT", "title": "half \ud83d"}, id="create"),
        pytest.param(RENAME_SESSION, {"id": "SESSION", "title": "half \udc00"}, id="rename"),
    ],
)
async def test_a_title_with_an_unpaired_surrogate_is_refused(
    api: Api, database: Database, scene: Scene, document: str, variables: dict[str, str]
) -> None:
    """JSON can escape half of a surrogate pair; no database can store it, so it is bad input."""
    variables = with_ids(variables, scene)
    before = await snapshot(database)

    response = await api.client.post(
        "/graphql",
        content=json.dumps({"query": document, "variables": variables}, ensure_ascii=True),
        headers={**api.headers(scene.owner), "Content-Type": "application/json"},
    )

    assert response.status_code == 400, response.text
    assert error_codes(response.json()) == ["BAD_USER_INPUT"]
    assert await snapshot(database) == before


# renameSession: titles


@pytest.mark.parametrize(
    ("title", "stored"),
    [
        pytest.param("  After \n", "After", id="trimmed"),
        pytest.param("x" * 200, "x" * 200, id="200-characters"),
        pytest.param(" " + "x" * 200 + " ", "x" * 200, id="200-characters-after-trimming"),
        pytest.param(NON_ASCII, NON_ASCII, id="non-ascii"),
        pytest.param(EMOJI * 200, EMOJI * 200, id="200-emoji"),
        pytest.param(SQL, SQL, id="sql"),
        pytest.param(CONTROL, CONTROL, id="control-characters"),
        pytest.param("Before", "Before", id="unchanged"),
    ],
)
async def test_rename_stores_the_trimmed_title(
    api: Api, database: Database, scene: Scene, title: str, stored: str
) -> None:
    """A new title is trimmed and otherwise stored verbatim, up to 200 characters."""
    result = await rename(api, scene.owner, scene.session.id, title)

    assert result["title"] == stored
    assert await stored_title(database, scene.session.id) == stored


@pytest.mark.parametrize(
    "title",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="spaces"),
        pytest.param(" \t\n\u3000 ", id="unicode-whitespace"),
        pytest.param("x" * 201, id="201-characters"),
        pytest.param(EMOJI * 201, id="201-emoji"),
        pytest.param("nul\x00inside", id="nul-character"),
    ],
)
async def test_rename_with_a_bad_title_is_a_validation_error(
    api: Api, database: Database, scene: Scene, title: str
) -> None:
    """A blank, too long or unstorable title is a ValidationError on 'title'; nothing changes."""
    before = await snapshot(database)

    result = await rename(api, scene.owner, scene.session.id, title)

    assert_error(result, "ValidationError")
    assert await snapshot(database) == before


async def test_rename_checks_permission_before_the_title(
    api: Api, factory: Factory, database: Database, scene: Scene
) -> None:
    """A viewer who may not change the session learns nothing from the title check."""
    viewer = await factory.user(scene.tenant)

    result = await rename(api, viewer, scene.session.id, "")

    assert_error(result, "ForbiddenError")


# What createSession returns


async def test_create_returns_a_new_empty_web_session_of_the_viewer(
    api: Api, database: Database, scene: Scene
) -> None:
    """The new session is the viewer's web session, not a group, with no messages yet."""
    before = datetime.now(UTC)

    result = await create(api, scene.owner, scene.agent.id, "Hello")

    after = datetime.now(UTC)
    read = await api.query(
        AGENT_SESSION, {"agentId": str(scene.agent.id), "id": result["id"]}, user=scene.owner
    )
    assert read["data"]["agent"]["session"] == result
    created_at = datetime.fromisoformat(result.pop("createdAt"))
    assert before <= created_at <= after
    assert result == {
        "__typename": "Session",
        "id": result["id"],
        "agentId": str(scene.agent.id),
        "userId": str(scene.owner.id),
        "sourceChannel": "web",
        "title": "Hello",
        "lastMessageAt": None,
        "participantType": "USER",
        "peerAgentId": None,
        "peerAgentName": None,
        "isGroup": False,
        "groupName": None,
        "messageCount": 0,
        "displayName": scene.owner.display_name,
    }
    async with database.session() as db:
        row = await db.get(ChatSession, uuid.UUID(result["id"]))
    assert row is not None
    assert (row.agent_id, row.user_id, row.source_channel, row.is_group) == (
        scene.agent.id,
        scene.owner.id,
        "web",
        False,
    )
    assert row.created_at == created_at


async def test_a_created_session_is_listed_once_it_has_a_user_message(
    api: Api, factory: Factory, database: Database, scene: Scene
) -> None:
    """sessions(scope: MINE) hides the new session until the user has said something."""
    result = await create(api, scene.owner, scene.agent.id, "Hello")
    created = uuid.UUID(result["id"])
    async with database.session() as db:
        row = await db.get(ChatSession, created)
    assert row is not None
    listed_before = await api.query(MY_SESSIONS, {"agentId": str(scene.agent.id)}, user=scene.owner)
    await factory.message(row, "assistant", "How can I help?")
    listed_after_assistant = await api.query(
        MY_SESSIONS, {"agentId": str(scene.agent.id)}, user=scene.owner
    )

    await factory.message(row, "user", "Hi")

    listed = await api.query(MY_SESSIONS, {"agentId": str(scene.agent.id)}, user=scene.owner)
    own = {"id": str(scene.session.id), "title": "Before"}
    assert listed_before["data"]["agent"]["sessions"] == {"totalCount": 1, "nodes": [own]}
    assert listed_after_assistant["data"]["agent"]["sessions"]["nodes"] == [own]
    assert listed["data"]["agent"]["sessions"] == {
        "totalCount": 2,
        "nodes": [{"id": str(created), "title": "Hello"}, own],
    }


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param("user", id="user-session"),
        pytest.param("agent-to-agent", id="agent-to-agent-session"),
        pytest.param("group", id="group-session"),
    ],
)
async def test_rename_returns_the_session_as_the_read_api_shows_it(
    api: Api, factory: Factory, scene: Scene, kind: str
) -> None:
    """The renamed Session reads exactly like Agent.session does afterwards."""
    if kind == "agent-to-agent":
        peer = await factory.agent(scene.creator, name="Peer")
        scene.session = await factory.session(
            scene.agent, None, messages=1, source_channel="agent", peer_agent_id=peer.id
        )
    elif kind == "group":
        scene.session = await factory.session(
            scene.agent, None, messages=1, source_channel="feishu", is_group=True, group_name="Ops"
        )

    result = await rename(api, scene.creator, scene.session.id, "After")

    read = await api.query(
        AGENT_SESSION,
        {"agentId": str(scene.agent.id), "id": str(scene.session.id)},
        user=scene.creator,
    )
    assert result == read["data"]["agent"]["session"]
    assert result["title"] == "After"


# deleteSession: what goes


async def test_delete_removes_the_session_and_only_its_messages(
    api: Api, factory: Factory, database: Database, scene: Scene
) -> None:
    """The session and all its messages go; other sessions and their messages stay."""
    await factory.message(scene.session, "assistant", "Hi")
    await factory.message(scene.session, "tool_call", {"name": "search"})
    sibling = await factory.session(scene.agent, scene.owner, messages=2)
    other_agent = await factory.agent(scene.creator, name="Other")
    elsewhere = await factory.session(other_agent, scene.owner, messages=1)
    before = await snapshot(database)

    result = await delete(api, scene.owner, scene.session.id)

    assert result == {"__typename": "DeletedSession", "id": str(scene.session.id)}
    after = await snapshot(database)
    assert set(after.sessions) == {sibling.id, elsewhere.id}
    assert after.messages == {
        id: conversation
        for id, conversation in before.messages.items()
        if conversation != str(scene.session.id)
    }
    assert len(after.messages) == 3


async def test_delete_of_a_deleted_session_is_not_found(
    api: Api, database: Database, scene: Scene
) -> None:
    """Deleting twice: the second call finds nothing."""
    await delete(api, scene.owner, scene.session.id)

    result = await delete(api, scene.owner, scene.session.id)

    assert_error(result, "NotFoundError")


@contextmanager
def failing(database: Database, prefix: str) -> Iterator[None]:
    """Make the engine fail every statement that starts with `prefix`, as a broken server would."""

    def fail(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith(prefix):
            raise RuntimeError("disk on fire: secret detail")

    event.listen(database.engine.sync_engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", fail)


@pytest.mark.parametrize(
    ("statement", "attempted"),
    [
        pytest.param(
            "DELETE FROM CHAT_SESSIONS",
            ["DELETE FROM chat_messages", "DELETE FROM chat_sessions"],
            id="session-delete-fails-after-the-messages-went",
        ),
        pytest.param(
            "DELETE FROM CHAT_MESSAGES", ["DELETE FROM chat_messages"], id="message-delete-fails"
        ),
    ],
)
async def test_a_failure_inside_delete_leaves_the_session_and_its_messages(
    api: Api,
    database: Database,
    scene: Scene,
    caplog: pytest.LogCaptureFixture,
    statement: str,
    attempted: list[str],
) -> None:
    """Whichever delete fails, the other one is rolled back and the client learns nothing."""
    before = await snapshot(database)

    with count_statements(database) as log, failing(database, statement):
        response = await api.post(DELETE_SESSION, {"id": str(scene.session.id)}, user=scene.owner)

    body = response.json()
    assert response.status_code == 200, body
    assert body["data"] is None
    assert [(e["message"], e["extensions"]) for e in body["errors"]] == [
        ("Internal server error.", {"code": "INTERNAL_SERVER_ERROR"})
    ]
    assert "secret" not in response.text and "chat_" not in response.text
    assert any("secret detail" in str(record.exc_info) for record in caplog.records)
    deletes = [sql.split(" WHERE")[0] for sql in log.statements if sql.startswith("DELETE")]
    assert deletes == attempted
    assert await snapshot(database) == before
    assert len(before.messages) == 2
    assert await delete(api, scene.owner, scene.session.id) == {
        "__typename": "DeletedSession",
        "id": str(scene.session.id),
    }


# Concurrency


@pytest.mark.parametrize(
    "rename_first",
    [pytest.param(True, id="rename-sent-first"), pytest.param(False, id="delete-sent-first")],
)
async def test_rename_and_delete_racing_end_consistent(
    api: Api, database: Database, scene: Scene, rename_first: bool
) -> None:
    """Whichever wins, the session and its messages are gone and rename never half-succeeds."""
    calls = [
        rename(api, scene.owner, scene.session.id, "After"),
        delete(api, scene.owner, scene.session.id),
    ]

    results = await asyncio.gather(*(calls if rename_first else calls[::-1]))

    renamed, deleted = results if rename_first else results[::-1]
    assert deleted == {"__typename": "DeletedSession", "id": str(scene.session.id)}
    if renamed["__typename"] == "Session":
        assert (renamed["id"], renamed["title"]) == (str(scene.session.id), "After")
    else:
        assert_error(renamed, "NotFoundError")
    assert await snapshot(database) == Snapshot(sessions={}, messages={})


async def test_two_deletes_racing_delete_once(api: Api, database: Database, scene: Scene) -> None:
    """One delete wins; the other finds nothing, and no error escapes."""
    results = await asyncio.gather(
        delete(api, scene.owner, scene.session.id), delete(api, scene.owner, scene.session.id)
    )

    assert sorted(result["__typename"] for result in results) == ["DeletedSession", "NotFoundError"]
    assert await snapshot(database) == Snapshot(sessions={}, messages={})


async def test_two_concurrent_creates_make_two_sessions(
    api: Api, database: Database, scene: Scene
) -> None:
    """Concurrent creates with the same title neither collide nor merge."""
    before = await snapshot(database)

    results = await asyncio.gather(
        create(api, scene.owner, scene.agent.id, "Same"),
        create(api, scene.owner, scene.agent.id, "Same"),
    )

    ids = {uuid.UUID(result["id"]) for result in results}
    assert len(ids) == 2
    after = await snapshot(database)
    assert set(after.sessions) == set(before.sessions) | ids
    assert all(after.sessions[id] == ("Same", scene.owner.id) for id in ids)


# Cost


@pytest.mark.parametrize(
    ("mutation", "statements"),
    [
        pytest.param("create", 3, id="create"),
        pytest.param("rename", 5, id="rename"),
        pytest.param("delete", 5, id="delete"),
    ],
)
async def test_each_mutation_runs_a_fixed_number_of_statements(
    api: Api, database: Database, scene: Scene, mutation: str, statements: int
) -> None:
    """Viewer, session, agent with its grants, the writes, and rename's message count."""
    with count_statements(database) as log:
        if mutation == "create":
            await create(api, scene.owner, scene.agent.id, "Hello")
        elif mutation == "rename":
            await rename(api, scene.owner, scene.session.id, "After")
        else:
            await delete(api, scene.owner, scene.session.id)

    assert len(log) == statements, str(log)
