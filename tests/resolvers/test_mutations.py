"""The session mutations over HTTP, on the platform's rules: who, which sessions, which
titles, primaries, soft deletes with run cancels, read marks, and all or nothing."""

import asyncio
import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, select, text

from db.engine import Database
from db.models import (
    Agent,
    AgentRun,
    AgentRunCommand,
    ChatMessage,
    ChatSession,
    Participant,
    Tenant,
    User,
)
from tests.api import Api, count_statements, error_codes
from tests.factories import Factory

SESSION_FIELDS = """
fragment SessionFields on Session {
  id agentId userId sourceChannel title createdAt lastMessageAt participantType
  peerAgentId peerAgentName isGroup groupName messageCount displayName
  kind isPrimary unreadCount lastReadAt updatedAt
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
MARK_SESSION_READ = (
    """
mutation MarkSessionRead($id: ID!) {
  markSessionRead(id: $id) {
    __typename ...SessionFields ...NotFound ...Forbidden
  }
}
"""
    + SESSION_FIELDS
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
INVISIBLE_INSIDE = "zero\u200bwidth, joined 👩\u200d💻, marked \u200fright-to-left"
NON_ASCII = "Réunion 会议 — привет 🚀👩🏽‍💻"
EMOJI = "🚀"
SESSION_NOT_FOUND = "Session not found."


@dataclass
class Scene:
    """An agent of a tenant, open to the whole company, and a member's primary session."""

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
    session = await factory.session(agent, owner, messages=2, title="Before", is_primary=True)
    return Scene(tenant, creator, agent, owner, session)


TABLES = (ChatSession, ChatMessage, Participant, AgentRunCommand)


@dataclass(frozen=True)
class Snapshot:
    """Every row, every column, of the tables the mutations write, by table and id."""

    rows: dict[str, dict[uuid.UUID, tuple[Any, ...]]]

    def __getitem__(self, table: type[Any]) -> dict[uuid.UUID, tuple[Any, ...]]:
        return self.rows[table.__tablename__]


async def snapshot(database: Database) -> Snapshot:
    rows: dict[str, dict[uuid.UUID, tuple[Any, ...]]] = {}
    async with database.session() as db:
        for model in TABLES:
            columns = list(model.__table__.columns)
            result = await db.execute(select(*columns))
            rows[model.__tablename__] = {row.id: tuple(row) for row in result}
    return Snapshot(rows)


async def stored(database: Database, session_id: object) -> ChatSession:
    async with database.session() as db:
        row = await db.get(ChatSession, uuid.UUID(str(session_id)))
    assert row is not None
    return row


async def stored_title(database: Database, session_id: uuid.UUID) -> str | None:
    async with database.session() as db:
        return await db.scalar(select(ChatSession.title).where(ChatSession.id == session_id))


async def primaries(database: Database, agent: Agent, owner: User) -> list[uuid.UUID]:
    """The owner's active primary direct sessions with the agent."""
    async with database.session() as db:
        rows = await db.scalars(
            select(ChatSession.id).where(
                ChatSession.agent_id == agent.id,
                ChatSession.user_id == owner.id,
                ChatSession.session_type == "direct",
                ChatSession.is_primary.is_(True),
                ChatSession.deleted_at.is_(None),
            )
        )
        return list(rows)


async def commands(database: Database) -> list[AgentRunCommand]:
    async with database.session() as db:
        rows = await db.scalars(select(AgentRunCommand).order_by(AgentRunCommand.idempotency_key))
        return list(rows)


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


async def mark_read(api: Api, viewer: User, session_id: object) -> Any:
    return await mutate(api, MARK_SESSION_READ, {"id": str(session_id)}, viewer)


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
    return await factory.user(scene.tenant, role=kind.replace("-", "_"))


ALLOWED = [
    pytest.param("owner", id="owner"),
    pytest.param("platform-admin", id="platform-admin"),
    pytest.param("org-admin", id="org-admin"),
    pytest.param("agent-admin", id="agent-admin"),
    pytest.param("creator", id="agent-creator"),
]


# createSession: who may


@pytest.mark.parametrize(
    ("access_mode", "kind"),
    [
        pytest.param("company", "member", id="member-of-a-company-agent"),
        pytest.param("custom", "user-grant", id="member-with-a-grant-on-a-custom-agent"),
        pytest.param("custom", "org_admin", id="org-admin-of-a-custom-agent"),
        pytest.param("custom", "platform_admin", id="platform-admin-of-a-custom-agent"),
        pytest.param("private", "creator", id="creator-of-a-private-agent"),
    ],
)
async def test_create_needs_access_to_the_agent(
    api: Api, factory: Factory, database: Database, access_mode: str, kind: str
) -> None:
    """Any viewer with access to the agent starts a session that is their own."""
    tenant = await factory.tenant()
    creator = await factory.user(tenant)
    agent = await factory.agent(creator, access_mode=access_mode)
    if kind == "creator":
        viewer = creator
    elif kind == "user-grant":
        viewer = await factory.user(tenant)
        await factory.grant(agent, "user", user=viewer)
    else:
        viewer = await factory.user(tenant, role=kind)

    result = await create(api, viewer, agent.id, "Hello")

    assert result["__typename"] == "Session"
    assert (result["agentId"], result["userId"]) == (str(agent.id), str(viewer.id))
    assert await stored_title(database, uuid.UUID(result["id"])) == "Hello"


@pytest.mark.parametrize(
    ("access_mode", "role", "grant"),
    [
        pytest.param("custom", "member", None, id="member-of-a-custom-agent-without-grant"),
        pytest.param("custom", "agent_admin", None, id="agent-admin-of-a-custom-agent"),
        pytest.param("private", "member", "manage", id="member-with-a-grant-on-a-private-agent"),
        pytest.param("private", "org_admin", None, id="org-admin-of-a-private-agent"),
        pytest.param("private", "platform_admin", None, id="platform-admin-of-a-private-agent"),
    ],
)
async def test_create_without_access_is_forbidden(
    api: Api,
    factory: Factory,
    database: Database,
    access_mode: str,
    role: str,
    grant: str | None,
) -> None:
    """An agent of the viewer's tenant they have no access to: ForbiddenError, no session."""
    tenant = await factory.tenant()
    agent = await factory.agent(await factory.user(tenant), access_mode=access_mode)
    await factory.grant(agent, "company", level="manage")
    viewer = await factory.user(tenant, role=role)
    if grant:
        await factory.grant(agent, "user", user=viewer, level=grant)
    before = await snapshot(database)

    result = await create(api, viewer, agent.id, "Hello")

    assert_error(result, "ForbiddenError")
    assert await snapshot(database) == before


@pytest.mark.parametrize(
    "agent_id",
    [
        pytest.param("cross-tenant", id="agent-of-another-tenant"),
        pytest.param("cross-tenant-platform-admin", id="agent-of-another-tenant-platform-admin"),
        pytest.param("deleted", id="deleted-agent"),
        pytest.param(str(uuid.uuid4()), id="unknown-id"),
        pytest.param("not-a-uuid", id="malformed-id"),
        pytest.param("", id="empty-id"),
        pytest.param("1' OR '1'='1", id="sql-id"),
    ],
)
async def test_create_for_an_agent_the_viewer_cannot_see_is_not_found(
    api: Api, factory: Factory, database: Database, scene: Scene, agent_id: str
) -> None:
    """Another tenant's agent (for every role), a deleted agent, an unknown id and a
    malformed id all read as NotFoundError."""
    viewer = scene.owner
    target: object = agent_id
    if agent_id.startswith("cross-tenant"):
        role = "platform_admin" if agent_id.endswith("platform-admin") else "org_admin"
        viewer = await factory.user(await factory.tenant("Elsewhere"), role=role)
        target = scene.agent.id
    elif agent_id == "deleted":
        target = (await factory.agent(scene.creator, name="Gone", deleted_at=factory.tick())).id
    before = await snapshot(database)

    result = await create(api, viewer, target, "Hello")

    assert_error(result, "NotFoundError")
    assert await snapshot(database) == before


async def test_create_says_the_same_for_an_unknown_and_another_tenants_agent(
    api: Api, factory: Factory, scene: Scene
) -> None:
    """The NotFoundError of another tenant's agent does not tell that it exists."""
    stranger = await factory.user(await factory.tenant("Elsewhere"), role="platform_admin")

    foreign = await create(api, stranger, scene.agent.id, "Hello")
    unknown = await create(api, stranger, uuid.uuid4(), "Hello")

    assert foreign == unknown
    assert_error(foreign, "NotFoundError")


async def test_create_needs_a_viewer_in_a_tenant(
    api: Api, factory: Factory, database: Database, scene: Scene
) -> None:
    """A viewer of no tenant sees no agent, so cannot start a session with one."""
    viewer = await factory.user(None, role="platform_admin")
    before = await snapshot(database)

    result = await create(api, viewer, scene.agent.id, "Hello")

    assert_error(result, "NotFoundError")
    assert await snapshot(database) == before


# renameSession, deleteSession and markSessionRead: who may


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
    assert (await stored(database, scene.session.id)).deleted_at is not None


async def forbidden_viewer(kind: str, scene: Scene, factory: Factory) -> User:
    """A viewer who may see the agent but not change the scene's session (which may be replaced)."""
    if kind == "member":
        return await factory.user(scene.tenant)
    if kind == "ownerless":
        scene.session = await factory.session(scene.agent, None, messages=1, title="Before")
        return await factory.user(scene.tenant)
    mode = "custom" if kind.startswith("custom") else "private"
    closed = await factory.agent(scene.creator, name="Closed", access_mode=mode)
    scene.session = await factory.session(closed, scene.owner, messages=1, title="Before")
    if kind.endswith("owner-without-access"):
        return scene.owner
    return await factory.user(scene.tenant, role=kind.split("-")[0])


FORBIDDEN_CASES = [
    pytest.param("member", id="member-on-another-users-session"),
    pytest.param("ownerless", id="member-on-a-session-without-owner"),
    pytest.param("member-without-access", id="member-without-access-to-the-agent"),
    pytest.param("org_admin-without-access", id="org-admin-on-a-private-agent"),
    pytest.param("platform_admin-without-access", id="platform-admin-on-a-private-agent"),
    pytest.param("owner-without-access", id="owner-without-access-to-a-private-agent"),
    pytest.param("custom-owner-without-access", id="owner-without-grant-on-a-custom-agent"),
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


async def not_found_case(kind: str, scene: Scene, factory: Factory) -> tuple[User, str]:
    """A viewer, and a session id that names no active direct session they may know of."""
    if kind.startswith("cross-tenant"):
        role = "platform_admin" if kind.endswith("platform-admin") else "org_admin"
        return await factory.user(await factory.tenant("Elsewhere"), role=role), str(
            scene.session.id
        )
    if kind == "deleted":
        gone = await factory.session(
            scene.agent, scene.owner, messages=1, deleted_at=factory.tick()
        )
        return scene.owner, str(gone.id)
    if kind == "deleted-agent":
        agent = await factory.agent(scene.creator, name="Gone", deleted_at=factory.tick())
        return scene.owner, str((await factory.session(agent, scene.owner, messages=1)).id)
    if kind == "a2a":
        peer = await factory.agent(scene.creator, name="Peer")
        session = await factory.session(
            scene.agent, None, messages=1, source_channel="agent", peer_agent_id=peer.id
        )
        return scene.creator, str(session.id)
    if kind == "a2a-peer":
        peer = await factory.agent(scene.creator, name="Peer")
        session = await factory.session(
            peer, None, messages=1, source_channel="agent", peer_agent_id=scene.agent.id
        )
        return scene.creator, str(session.id)
    if kind == "group":
        session = await factory.session(
            scene.agent, scene.owner, messages=1, source_channel="feishu", is_group=True
        )
        return scene.creator, str(session.id)
    if kind == "trigger":
        return scene.creator, str(
            (await factory.session(scene.agent, scene.owner, session_type="trigger", messages=1)).id
        )
    return scene.owner, kind


NOT_FOUND_CASES = [
    pytest.param("cross-tenant", id="session-of-another-tenant"),
    pytest.param("cross-tenant-platform-admin", id="session-of-another-tenant-platform-admin"),
    pytest.param("deleted", id="deleted-session"),
    pytest.param("deleted-agent", id="session-of-a-deleted-agent"),
    pytest.param("a2a", id="agent-to-agent-session"),
    pytest.param("a2a-peer", id="agent-to-agent-session-of-the-peer"),
    pytest.param("group", id="group-session"),
    pytest.param("trigger", id="trigger-session"),
    pytest.param(str(uuid.uuid4()), id="unknown-id"),
    pytest.param("not-a-uuid", id="malformed-id"),
    pytest.param("", id="empty-id"),
    pytest.param("1' OR '1'='1", id="sql-id"),
]


@pytest.mark.parametrize("kind", NOT_FOUND_CASES)
@pytest.mark.parametrize(
    "mutation",
    [
        pytest.param(lambda api, viewer, id: rename(api, viewer, id, "After"), id="rename"),
        pytest.param(delete, id="delete"),
        pytest.param(mark_read, id="mark-read"),
    ],
)
async def test_a_session_that_is_not_an_active_direct_one_of_the_tenant_is_not_found(
    api: Api,
    factory: Factory,
    database: Database,
    scene: Scene,
    kind: str,
    mutation: Callable[..., Any],
) -> None:
    """Another tenant's, a deleted one, one of a deleted agent, any other kind than
    direct, an unknown or a malformed id: the same NotFoundError, and nothing changes."""
    viewer, target = await not_found_case(kind, scene, factory)
    before = await snapshot(database)

    result = await mutation(api, viewer, target)

    assert result == {"__typename": "NotFoundError", "message": SESSION_NOT_FOUND}
    assert await snapshot(database) == before


@pytest.mark.parametrize(
    "mutation",
    [
        pytest.param(lambda api, viewer, id: rename(api, viewer, id, "After"), id="rename"),
        pytest.param(delete, id="delete"),
        pytest.param(mark_read, id="mark-read"),
    ],
)
async def test_not_found_says_the_same_for_an_unknown_and_another_tenants_session(
    api: Api, factory: Factory, scene: Scene, mutation: Callable[..., Any]
) -> None:
    """Nothing in the answer tells another tenant's session from an id that names none."""
    stranger = await factory.user(await factory.tenant("Elsewhere"), role="platform_admin")

    foreign = await mutation(api, stranger, scene.session.id)
    unknown = await mutation(api, stranger, uuid.uuid4())

    assert foreign == unknown == {"__typename": "NotFoundError", "message": SESSION_NOT_FOUND}


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
        pytest.param(MARK_SESSION_READ, {"id": "SESSION"}, id="mark-read"),
        pytest.param(MARK_SESSION_READ, {"id": "not-a-uuid"}, id="mark-read-bad-id"),
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
        pytest.param(INVISIBLE_INSIDE, INVISIBLE_INSIDE, id="invisible-among-visible"),
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


SPOOFING_TITLES = [
    pytest.param("bell\a", id="c0-bell"),
    pytest.param("esc\x1b[31mred", id="c0-escape"),
    pytest.param("new\nline", id="c0-newline-inside"),
    pytest.param("tab\tinside", id="c0-tab-inside"),
    pytest.param("del\x7f", id="del"),
    pytest.param("c1\x85next-line", id="c1-nel"),
    pytest.param("c1\x9bcsi", id="c1-csi"),
    *(
        pytest.param(f"invoice{chr(code)}fdp.exe", id=f"bidi-U+{code:04X}")
        for code in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
    ),
    pytest.param("\u200b", id="only-zero-width-space"),
    pytest.param("\u200b\u200d\u2060\ufeff", id="only-format-characters"),
    pytest.param("\u3164\u3164", id="only-hangul-fillers"),
    pytest.param("\u2800", id="only-braille-blank"),
    pytest.param("\u0301\u0301", id="only-combining-marks"),
]


@pytest.mark.parametrize("title", SPOOFING_TITLES)
@pytest.mark.parametrize("mutation", ["create", "rename"])
async def test_a_title_that_can_spoof_or_hide_text_is_a_validation_error(
    api: Api, database: Database, scene: Scene, mutation: str, title: str
) -> None:
    """Controls, bidi overrides and isolates, and titles with nothing visible are refused
    on 'title' by both mutations, and nothing is written."""
    before = await snapshot(database)

    if mutation == "create":
        result = await create(api, scene.owner, scene.agent.id, title)
    else:
        result = await rename(api, scene.owner, scene.session.id, title)

    assert_error(result, "ValidationError")
    assert result["field"] == "title"
    assert await snapshot(database) == before


async def test_a_stored_title_that_could_spoof_is_shown_as_it_is(
    api: Api, factory: Factory, scene: Scene
) -> None:
    """The rule guards writes: a title the platform stored is read back unchanged."""
    title = "esc\x1b[31m \u202eevil\u2066 \u200b"
    session = await factory.session(scene.agent, scene.owner, messages=1, title=title)

    body = await api.query(
        AGENT_SESSION, {"agentId": str(scene.agent.id), "id": str(session.id)}, user=scene.owner
    )

    assert body["data"]["agent"]["session"]["title"] == title


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
        pytest.param(INVISIBLE_INSIDE, INVISIBLE_INSIDE, id="invisible-among-visible"),
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


# What createSession makes


async def test_create_returns_a_new_empty_web_session_of_the_viewer(
    api: Api, database: Database, scene: Scene
) -> None:
    """The new session is the viewer's direct web session, not a group, with no messages."""
    before = datetime.now(UTC)

    result = await create(api, scene.owner, scene.agent.id, "Hello")

    after = datetime.now(UTC)
    read = await api.query(
        AGENT_SESSION, {"agentId": str(scene.agent.id), "id": result["id"]}, user=scene.owner
    )
    assert read["data"]["agent"]["session"] == result
    created_at = datetime.fromisoformat(result.pop("createdAt"))
    assert datetime.fromisoformat(result.pop("updatedAt")) == created_at
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
        "kind": "DIRECT",
        "isPrimary": False,
        "unreadCount": 0,
        "lastReadAt": None,
    }
    row = await stored(database, result["id"])
    assert (row.tenant_id, row.session_type, row.agent_id, row.user_id) == (
        scene.tenant.id,
        "direct",
        scene.agent.id,
        scene.owner.id,
    )
    assert (row.source_channel, row.is_group, row.is_primary, row.deleted_at) == (
        "web",
        False,
        False,
        None,
    )
    assert row.created_at == row.updated_at == created_at


async def test_create_stores_the_viewers_participant_as_the_sessions_creator(
    api: Api, factory: Factory, database: Database, scene: Scene
) -> None:
    """A viewer without a participant gets one (type user, their name and avatar), once."""
    viewer = await factory.user(scene.tenant, display_name="Cleo Park")
    async with database.transaction() as db:
        user = await db.get(User, viewer.id)
        assert user is not None
        user.avatar_url = "https://example.com/cleo.png"

    first = await create(api, viewer, scene.agent.id, "One")
    second = await create(api, viewer, scene.agent.id, "Two")

    async with database.session() as db:
        participants = list(
            await db.scalars(select(Participant).where(Participant.ref_id == viewer.id))
        )
    (participant,) = participants
    assert (participant.type, participant.display_name, participant.avatar_url) == (
        "user",
        "Cleo Park",
        "https://example.com/cleo.png",
    )
    for result in (first, second):
        assert (await stored(database, result["id"])).created_by_participant_id == participant.id


async def test_create_reuses_the_viewers_participant_and_refreshes_its_name(
    api: Api, factory: Factory, database: Database, scene: Scene
) -> None:
    """An existing participant of the viewer is the creator, with the viewer's current name."""
    existing = await factory.participant("user", scene.owner.id, "Old name")
    await factory.participant("agent", scene.owner.id, "Not this one")

    result = await create(api, scene.owner, scene.agent.id, "Hello")

    assert (await stored(database, result["id"])).created_by_participant_id == existing.id
    async with database.session() as db:
        participant = await db.get(Participant, existing.id)
    assert participant is not None
    assert participant.display_name == scene.owner.display_name


async def test_a_created_session_is_listed_once_it_holds_a_message(
    api: Api, factory: Factory, database: Database, scene: Scene
) -> None:
    """sessions(scope: MINE) hides the new session until a message, from either side."""
    result = await create(api, scene.owner, scene.agent.id, "Hello")
    row = await stored(database, result["id"])
    listed_before = await api.query(MY_SESSIONS, {"agentId": str(scene.agent.id)}, user=scene.owner)

    await factory.message(row, "assistant", "How can I help?")

    listed = await api.query(MY_SESSIONS, {"agentId": str(scene.agent.id)}, user=scene.owner)
    own = {"id": str(scene.session.id), "title": "Before"}
    assert listed_before["data"]["agent"]["sessions"] == {"totalCount": 1, "nodes": [own]}
    assert listed["data"]["agent"]["sessions"] == {
        "totalCount": 2,
        "nodes": [{"id": result["id"], "title": "Hello"}, own],
    }


# createSession: the primary session


async def test_the_first_direct_session_with_an_agent_is_primary(
    api: Api, factory: Factory, database: Database, scene: Scene
) -> None:
    """Deleted sessions, other kinds, other agents' and other users' sessions do not count."""
    viewer = await factory.user(scene.tenant)
    await factory.session(scene.agent, viewer, messages=1, deleted_at=factory.tick())
    await factory.session(scene.agent, viewer, messages=1, session_type="trigger")
    await factory.session(scene.agent, viewer, messages=1, source_channel="feishu", is_group=True)
    other_agent = await factory.agent(scene.creator, name="Other")
    await factory.session(other_agent, viewer, messages=1, is_primary=True)

    result = await create(api, viewer, scene.agent.id, "First")

    assert result["isPrimary"] is True
    assert await primaries(database, scene.agent, viewer) == [uuid.UUID(result["id"])]
    assert await primaries(database, scene.agent, scene.owner) == [scene.session.id]


async def test_a_new_session_next_to_a_primary_is_not_primary(
    api: Api, database: Database, scene: Scene
) -> None:
    """The owner's primary stays primary."""
    before = await stored(database, scene.session.id)

    result = await create(api, scene.owner, scene.agent.id, "Second")

    assert result["isPrimary"] is False
    assert await primaries(database, scene.agent, scene.owner) == [scene.session.id]
    assert (await stored(database, scene.session.id)).updated_at == before.updated_at


async def test_without_a_primary_the_most_recently_active_session_is_promoted(
    api: Api, factory: Factory, database: Database, scene: Scene
) -> None:
    """Active sessions but none primary: the list's first one becomes primary, the new one not."""
    viewer = await factory.user(scene.tenant)
    older = await factory.session(scene.agent, viewer, messages=1)
    newest = await factory.session(scene.agent, viewer, messages=1)
    await factory.message(older, "assistant", "Still here", created_at=factory.tick())
    never_active = await factory.session(scene.agent, viewer)
    await factory.session(scene.agent, viewer, messages=1, deleted_at=factory.tick())
    assert older.last_message_at is not None and newest.last_message_at is not None
    assert older.last_message_at > newest.last_message_at
    before = datetime.now(UTC)

    result = await create(api, viewer, scene.agent.id, "Another")

    assert result["isPrimary"] is False
    assert await primaries(database, scene.agent, viewer) == [older.id]
    promoted = await stored(database, older.id)
    assert promoted.updated_at >= before
    assert (await stored(database, never_active.id)).is_primary is False


async def test_without_activity_the_newest_session_is_promoted(
    api: Api, factory: Factory, database: Database, scene: Scene
) -> None:
    """Among sessions that never had a message, the most recently created one is promoted."""
    viewer = await factory.user(scene.tenant)
    await factory.session(scene.agent, viewer)
    newer = await factory.session(scene.agent, viewer)

    await create(api, viewer, scene.agent.id, "Another")

    assert await primaries(database, scene.agent, viewer) == [newer.id]


@pytest.mark.parametrize("calls", [2, 5])
async def test_concurrent_creates_make_exactly_one_primary(
    api: Api, factory: Factory, database: Database, scene: Scene, calls: int
) -> None:
    """Creates racing for a user with no session: every one succeeds, one is primary."""
    viewer = await factory.user(scene.tenant)

    results = await asyncio.gather(
        *(create(api, viewer, scene.agent.id, f"Race {n}") for n in range(calls))
    )

    assert [result["__typename"] for result in results] == ["Session"] * calls
    flagged = [uuid.UUID(result["id"]) for result in results if result["isPrimary"]]
    assert len(flagged) == 1
    assert await primaries(database, scene.agent, viewer) == flagged
    async with database.session() as db:
        participants = await db.scalars(
            select(Participant.id).where(Participant.ref_id == viewer.id)
        )
        assert len(list(participants)) == 1


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
    assert set(after[ChatSession]) == set(before[ChatSession]) | ids
    for id in ids:
        row = await stored(database, id)
        assert (row.title, row.user_id, row.is_primary) == ("Same", scene.owner.id, False)


def direct_lock_key(scene: Scene) -> str:
    return f"direct:{scene.tenant.id}:{scene.agent.id}:{scene.owner.id}"


async def wait_under_the_platforms_lock(database: Database, key: str, call: Any) -> Any:
    """Run `call` while another connection holds the platform's lock on `key`: it must
    wait for the lock, and finish once it is released."""
    lock = text("SELECT pg_advisory_lock(hashtextextended(:key, 0))")
    unlock = text("SELECT pg_advisory_unlock(hashtextextended(:key, 0))")
    async with database.engine.connect() as holder:
        await holder.execute(lock, {"key": key})
        task = asyncio.ensure_future(call)
        await asyncio.sleep(0.5)
        waited = not task.done()
        await holder.execute(unlock, {"key": key})
        await holder.commit()
    result = await asyncio.wait_for(task, 10)
    assert waited, "the mutation did not wait for the platform's lock"
    return result


@pytest.mark.parametrize("mutation", ["create", "delete"])
async def test_create_and_delete_wait_for_the_platforms_lock_on_the_scope(
    api: Api, database: Database, scene: Scene, mutation: str
) -> None:
    """On PostgreSQL both take pg_advisory_xact_lock(hashtextextended('direct:<tenant>:
    <agent>:<user>', 0)), the lock the platform takes for the same changes."""
    if database.dialect != "postgresql":
        pytest.skip("SQLite has no advisory locks: BEGIN IMMEDIATE serializes writes")
    if mutation == "create":
        call = create(api, scene.owner, scene.agent.id, "Waited")
    else:
        call = delete(api, scene.owner, scene.session.id)

    result = await wait_under_the_platforms_lock(database, direct_lock_key(scene), call)

    assert result["__typename"] in {"Session", "DeletedSession"}


# What renameSession returns


async def test_rename_returns_the_session_as_the_read_api_shows_it(
    api: Api, database: Database, scene: Scene
) -> None:
    """The renamed Session reads exactly like Agent.session does afterwards."""
    before = datetime.now(UTC)

    result = await rename(api, scene.creator, scene.session.id, "After")

    read = await api.query(
        AGENT_SESSION,
        {"agentId": str(scene.agent.id), "id": str(scene.session.id)},
        user=scene.creator,
    )
    assert result == read["data"]["agent"]["session"]
    assert result["title"] == "After"
    assert datetime.fromisoformat(result["updatedAt"]) >= before
    row = await stored(database, scene.session.id)
    assert row.updated_at >= before
    assert (row.is_primary, row.deleted_at, row.last_read_at_by_user) == (True, None, None)


# deleteSession: a soft delete


async def test_delete_hides_the_session_and_keeps_every_message(
    api: Api, factory: Factory, database: Database, scene: Scene
) -> None:
    """deleted_at = updated_at = now; the messages, and every other row, stay as they were."""
    await factory.message(scene.session, "assistant", "Hi")
    await factory.message(scene.session, "tool_call", {"name": "search"})
    someone_else = await factory.user(scene.tenant)
    await factory.session(scene.agent, someone_else, messages=2, is_primary=True)
    before = await snapshot(database)
    started = datetime.now(UTC)

    result = await delete(api, scene.owner, scene.session.id)

    assert result == {"__typename": "DeletedSession", "id": str(scene.session.id)}
    after = await snapshot(database)
    assert after[ChatMessage] == before[ChatMessage]
    assert len(after[ChatMessage]) == 6
    row = await stored(database, scene.session.id)
    assert row.deleted_at is not None and row.deleted_at >= started
    assert row.updated_at == row.deleted_at
    assert (row.title, row.user_id, row.is_primary) == ("Before", scene.owner.id, True)
    del after[ChatSession][scene.session.id], before[ChatSession][scene.session.id]
    assert after == before
    read = await api.query(
        AGENT_SESSION,
        {"agentId": str(scene.agent.id), "id": str(scene.session.id)},
        user=scene.owner,
    )
    assert error_codes(read) == ["NOT_FOUND"]


async def test_deleting_the_primary_promotes_the_most_recently_active_session(
    api: Api, factory: Factory, database: Database, scene: Scene
) -> None:
    """The owner's most recently active remaining direct session becomes primary."""
    never_active = await factory.session(scene.agent, scene.owner)
    older = await factory.session(scene.agent, scene.owner, messages=1)
    newest = await factory.session(scene.agent, scene.owner, messages=1)
    await factory.session(scene.agent, scene.owner, messages=3, deleted_at=factory.tick())
    await factory.session(scene.agent, scene.owner, messages=3, session_type="trigger")
    someone_else = await factory.user(scene.tenant)
    theirs = await factory.session(scene.agent, someone_else, messages=4)
    before = await snapshot(database)

    await delete(api, scene.owner, scene.session.id)

    assert await primaries(database, scene.agent, scene.owner) == [newest.id]
    promoted = await stored(database, newest.id)
    deleted = await stored(database, scene.session.id)
    assert promoted.updated_at == deleted.deleted_at
    after = await snapshot(database)
    for untouched in (never_active.id, older.id, theirs.id):
        assert after[ChatSession][untouched] == before[ChatSession][untouched]


async def test_deleting_the_last_session_promotes_nothing(
    api: Api, database: Database, scene: Scene
) -> None:
    """With no direct session left, the owner has no primary until the next create."""
    await delete(api, scene.owner, scene.session.id)

    assert await primaries(database, scene.agent, scene.owner) == []
    result = await create(api, scene.owner, scene.agent.id, "Fresh start")
    assert result["isPrimary"] is True


async def test_deleting_another_session_leaves_the_primary(
    api: Api, factory: Factory, database: Database, scene: Scene
) -> None:
    """Only a deleted primary is replaced."""
    other = await factory.session(scene.agent, scene.owner, messages=1)
    before = await snapshot(database)

    await delete(api, scene.owner, other.id)

    after = await snapshot(database)
    assert after[ChatSession][scene.session.id] == before[ChatSession][scene.session.id]
    assert await primaries(database, scene.agent, scene.owner) == [scene.session.id]


@dataclass
class Runs:
    """A session's runs: those a deletion cancels and those it leaves alone."""

    cancelled: list[AgentRun]
    kept: list[AgentRun]


async def runs_of(scene: Scene, factory: Factory) -> Runs:
    foreground = await factory.run(scene.session, "foreground")
    child = await factory.run(scene.session, "delegated", parent=foreground)
    grandchild = await factory.run(scene.session, "delegated", parent=child)
    second = await factory.run(scene.session, "foreground")
    background = await factory.run(scene.session, "background")
    delegated_by_background = await factory.run(scene.session, "delegated", parent=background)
    background_child = await factory.run(scene.session, "background", parent=foreground)
    other = await factory.session(scene.agent, scene.owner, messages=1)
    elsewhere = await factory.run(other, "foreground")
    return Runs(
        cancelled=[foreground, child, grandchild, second],
        kept=[background, delegated_by_background, background_child, elsewhere],
    )


def expected_command(run: AgentRun, scene: Scene, actor: User) -> dict[str, Any]:
    return {
        "tenant_id": scene.tenant.id,
        "run_id": run.id,
        "command_type": "cancel",
        "payload": {"reason": "session_deleted"},
        "actor_user_id": actor.id,
        "idempotency_key": f"session-delete:{scene.session.id}:run:{run.id}",
        "status": "pending",
        "attempt_count": 0,
    }


def command_values(command: AgentRunCommand) -> dict[str, Any]:
    return {
        "tenant_id": command.tenant_id,
        "run_id": command.run_id,
        "command_type": command.command_type,
        "payload": command.payload,
        "actor_user_id": command.actor_user_id,
        "idempotency_key": command.idempotency_key,
        "status": command.status,
        "attempt_count": command.attempt_count,
    }


async def test_delete_enqueues_the_platforms_cancel_commands_once(
    api: Api, factory: Factory, database: Database, scene: Scene
) -> None:
    """Foreground runs and the runs delegated from them, transitively, get one pending
    cancel command each, keyed as the platform keys them; background runs get none, and a
    second delete finds no session and enqueues nothing."""
    runs = await runs_of(scene, factory)
    admin = await factory.user(scene.tenant, role="org_admin")

    result = await delete(api, admin, scene.session.id)

    assert result["__typename"] == "DeletedSession"
    enqueued = await commands(database)
    expected = [expected_command(run, scene, admin) for run in runs.cancelled]
    assert sorted(map(command_values, enqueued), key=lambda c: c["idempotency_key"]) == sorted(
        expected, key=lambda c: c["idempotency_key"]
    )
    assert len({command.id for command in enqueued}) == len(runs.cancelled)
    before = await snapshot(database)

    again = await delete(api, admin, scene.session.id)

    assert again == {"__typename": "NotFoundError", "message": SESSION_NOT_FOUND}
    assert await snapshot(database) == before


@contextmanager
def failing(database: Database, matches: Callable[[str], bool]) -> Iterator[None]:
    """Make the engine fail every statement `matches` picks, as a broken server would."""

    def fail(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if matches(" ".join(statement.split())):
            raise RuntimeError("disk on fire: secret detail")

    event.listen(database.engine.sync_engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", fail)


@pytest.mark.parametrize(
    "matches",
    [
        pytest.param(
            lambda sql: sql.startswith("INSERT INTO agent_run_commands"), id="enqueue-fails"
        ),
        pytest.param(lambda sql: sql.startswith("WITH RECURSIVE"), id="finding-runs-fails"),
        pytest.param(lambda sql: "SET is_primary" in sql, id="promotion-fails"),
        pytest.param(lambda sql: "SET deleted_at" in sql, id="soft-delete-fails"),
    ],
)
async def test_a_failure_inside_delete_changes_nothing(
    api: Api,
    factory: Factory,
    database: Database,
    scene: Scene,
    caplog: pytest.LogCaptureFixture,
    matches: Callable[[str], bool],
) -> None:
    """Wherever the delete fails, the soft delete, the promotion and the cancels are all
    rolled back, and the client learns nothing of the cause."""
    await factory.session(scene.agent, scene.owner, messages=1)
    await runs_of(scene, factory)
    before = await snapshot(database)

    with failing(database, matches):
        response = await api.post(DELETE_SESSION, {"id": str(scene.session.id)}, user=scene.owner)

    body = response.json()
    assert response.status_code == 200, body
    assert body["data"] is None
    assert [(e["message"], e["extensions"]) for e in body["errors"]] == [
        ("Internal server error.", {"code": "INTERNAL_SERVER_ERROR"})
    ]
    assert "secret" not in response.text and "chat_" not in response.text
    assert any("secret detail" in str(record.exc_info) for record in caplog.records)
    assert await snapshot(database) == before
    assert await delete(api, scene.owner, scene.session.id) == {
        "__typename": "DeletedSession",
        "id": str(scene.session.id),
    }
    assert len(await commands(database)) == 4


# markSessionRead


async def test_the_owner_marks_their_session_read(
    api: Api, factory: Factory, database: Database, scene: Scene
) -> None:
    """last_read_at_by_user = updated_at = now, and the session comes back with no unread."""
    await factory.message(scene.session, "assistant", "News")
    before = datetime.now(UTC)

    result = await mark_read(api, scene.owner, scene.session.id)

    after = datetime.now(UTC)
    assert result["__typename"] == "Session"
    assert (result["id"], result["unreadCount"], result["title"]) == (
        str(scene.session.id),
        0,
        "Before",
    )
    read_at = datetime.fromisoformat(result["lastReadAt"])
    assert before <= read_at <= after
    assert result["updatedAt"] == result["lastReadAt"]
    row = await stored(database, scene.session.id)
    assert row.last_read_at_by_user == row.updated_at == read_at
    assert (row.title, row.is_primary, row.deleted_at) == ("Before", True, None)


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param("creator", id="agent-creator"),
        pytest.param("org-admin", id="org-admin"),
        pytest.param("platform-admin", id="platform-admin"),
        pytest.param("member", id="member"),
    ],
)
async def test_only_the_owner_may_mark_a_session_read(
    api: Api, factory: Factory, database: Database, scene: Scene, kind: str
) -> None:
    """Anyone else, even a viewer who sees all sessions, gets ForbiddenError; nothing changes."""
    viewer = await viewer_of(kind, scene, factory)
    before = await snapshot(database)

    result = await mark_read(api, viewer, scene.session.id)

    assert_error(result, "ForbiddenError")
    assert await snapshot(database) == before


async def test_an_owner_without_access_to_the_agent_may_not_mark_read(
    api: Api, factory: Factory, database: Database, scene: Scene
) -> None:
    """Access to the agent comes first, as for every session of it."""
    private = await factory.agent(scene.creator, name="Private", access_mode="private")
    session = await factory.session(private, scene.owner, messages=1)
    before = await snapshot(database)

    result = await mark_read(api, scene.owner, session.id)

    assert_error(result, "ForbiddenError")
    assert await snapshot(database) == before


# Concurrency


@pytest.mark.parametrize(
    "rename_first",
    [pytest.param(True, id="rename-sent-first"), pytest.param(False, id="delete-sent-first")],
)
async def test_rename_and_delete_racing_end_consistent(
    api: Api, database: Database, scene: Scene, rename_first: bool
) -> None:
    """Whichever wins, the session ends deleted with its messages, and rename never
    half-succeeds."""
    calls = [
        rename(api, scene.owner, scene.session.id, "After"),
        delete(api, scene.owner, scene.session.id),
    ]

    results = await asyncio.gather(*(calls if rename_first else calls[::-1]))

    renamed, deleted = results if rename_first else results[::-1]
    assert deleted == {"__typename": "DeletedSession", "id": str(scene.session.id)}
    row = await stored(database, scene.session.id)
    assert row.deleted_at is not None
    if renamed["__typename"] == "Session":
        assert (renamed["id"], renamed["title"]) == (str(scene.session.id), "After")
        assert row.title == "After"
    else:
        assert renamed == {"__typename": "NotFoundError", "message": SESSION_NOT_FOUND}
        assert row.title == "Before"
    assert len((await snapshot(database))[ChatMessage]) == 2


async def test_two_deletes_racing_delete_once(
    api: Api, factory: Factory, database: Database, scene: Scene
) -> None:
    """One delete wins; the other finds nothing, no error escapes, and each run gets one
    cancel command."""
    run = await factory.run(scene.session, "foreground")

    results = await asyncio.gather(
        delete(api, scene.owner, scene.session.id), delete(api, scene.owner, scene.session.id)
    )

    assert sorted(result["__typename"] for result in results) == ["DeletedSession", "NotFoundError"]
    assert [command.run_id for command in await commands(database)] == [run.id]


async def test_deleting_the_primary_while_creating_leaves_one_primary(
    api: Api, factory: Factory, database: Database, scene: Scene
) -> None:
    """A create racing the primary's deletion: whichever runs first, one primary remains."""
    await factory.session(scene.agent, scene.owner, messages=1)

    await asyncio.gather(
        delete(api, scene.owner, scene.session.id),
        create(api, scene.owner, scene.agent.id, "Racing"),
    )

    assert len(await primaries(database, scene.agent, scene.owner)) == 1


# Cost


# Statements per mutation: viewer, session or agent lookups, then the transaction's. SQLite
# also counts its BEGIN IMMEDIATE; PostgreSQL counts the advisory lock instead.
STATEMENTS = {
    "create": {"sqlite": 6, "postgresql": 6},
    "create-first": {"sqlite": 9, "postgresql": 9},
    "rename": {"sqlite": 7, "postgresql": 6},
    "delete": {"sqlite": 6, "postgresql": 6},
    "delete-primary-with-runs": {"sqlite": 8, "postgresql": 8},
    "mark-read": {"sqlite": 6, "postgresql": 5},
}


@pytest.mark.parametrize("mutation", list(STATEMENTS))
async def test_each_mutation_runs_a_fixed_number_of_statements(
    api: Api, factory: Factory, database: Database, scene: Scene, mutation: str
) -> None:
    """However many sessions and runs there are, each mutation costs the same statements."""
    sibling = await factory.session(scene.agent, scene.owner, messages=1)
    if mutation == "delete-primary-with-runs":
        await runs_of(scene, factory)
    await factory.participant("user", scene.owner.id, scene.owner.display_name)
    newcomer = await factory.user(scene.tenant)

    with count_statements(database) as log:
        if mutation == "create":
            result = await create(api, scene.owner, scene.agent.id, "Hello")
        elif mutation == "create-first":
            result = await create(api, newcomer, scene.agent.id, "Hello")
        elif mutation == "rename":
            result = await rename(api, scene.owner, scene.session.id, "After")
        elif mutation == "delete":
            result = await delete(api, scene.owner, sibling.id)
        elif mutation == "delete-primary-with-runs":
            result = await delete(api, scene.owner, scene.session.id)
        else:
            result = await mark_read(api, scene.owner, scene.session.id)

    assert result["__typename"] in {"Session", "DeletedSession"}, result
    assert len(log) == STATEMENTS[mutation][database.dialect], str(log)
