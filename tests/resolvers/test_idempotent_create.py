"""createSession with an idempotencyKey: a retry, or two calls at once, make one session."""

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from db.engine import Database
from db.idempotency import IdempotencyKey
from db.models import Agent, ChatSession, Tenant, User
from db.types import utcnow
from tests.api import Api
from tests.factories import Factory

CREATE = """
mutation Create($agentId: ID!, $title: String, $key: String) {
  createSession(agentId: $agentId, title: $title, idempotencyKey: $key) {
    __typename
    ... on Session { id title isPrimary }
    ... on ValidationError { message field }
    ... on NotFoundError { message }
    ... on ForbiddenError { message }
  }
}
"""
DELETE = "mutation($id: ID!) { deleteSession(id: $id) { __typename } }"


async def create(
    api: Api, viewer: User, agent: Agent, key: str | None, title: str = "Trip"
) -> dict[str, Any]:
    variables = {"agentId": str(agent.id), "title": title, "key": key}
    body = await api.query(CREATE, variables, user=viewer)
    assert set(body) == {"data"}, body
    return body["data"]["createSession"]


async def sessions_of(database: Database, viewer: User) -> list[uuid.UUID]:
    async with database.session() as db:
        rows = await db.scalars(select(ChatSession.id).where(ChatSession.user_id == viewer.id))
        return list(rows)


class Scene:
    def __init__(self, tenant: Tenant, agent: Agent, viewer: User) -> None:
        self.tenant, self.agent, self.viewer = tenant, agent, viewer


@pytest.fixture
async def scene(factory: Factory) -> Scene:
    tenant = await factory.tenant()
    agent = await factory.agent(await factory.user(tenant))
    await factory.grant(agent, "company")
    return Scene(tenant, agent, await factory.user(tenant))


async def test_a_retry_with_the_same_key_returns_the_first_session(
    api: Api, database: Database, scene: Scene
) -> None:
    """The response was lost; the retry gets the session the first call made, and no other."""
    first = await create(api, scene.viewer, scene.agent, "key-1")
    retry = await create(api, scene.viewer, scene.agent, "key-1")

    assert first["__typename"] == "Session" and retry == first
    assert await sessions_of(database, scene.viewer) == [uuid.UUID(first["id"])]


async def test_another_key_or_no_key_makes_another_session(
    api: Api, database: Database, scene: Scene
) -> None:
    first = await create(api, scene.viewer, scene.agent, "key-1")
    other = await create(api, scene.viewer, scene.agent, "key-2")
    plain = await create(api, scene.viewer, scene.agent, None)

    assert len({first["id"], other["id"], plain["id"]}) == 3
    assert len(await sessions_of(database, scene.viewer)) == 3


async def test_a_key_is_the_users_own(
    api: Api, database: Database, factory: Factory, scene: Scene
) -> None:
    """Another user sending the same key gets a session of their own."""
    someone = await factory.user(scene.tenant)

    mine = await create(api, scene.viewer, scene.agent, "shared-key")
    theirs = await create(api, someone, scene.agent, "shared-key")

    assert mine["id"] != theirs["id"]
    assert await sessions_of(database, someone) == [uuid.UUID(theirs["id"])]


async def test_retries_at_once_make_one_session(api: Api, database: Database, scene: Scene) -> None:
    """Five calls with one key, all at once: one session, and every call answers it."""
    results = await asyncio.gather(
        *(create(api, scene.viewer, scene.agent, "at-once") for _ in range(5))
    )

    ids = {result["id"] for result in results}
    assert len(ids) == 1 and {result["__typename"] for result in results} == {"Session"}
    assert await sessions_of(database, scene.viewer) == [uuid.UUID(ids.pop())]


async def test_a_key_older_than_24_hours_makes_a_new_session(
    api: Api, database: Database, scene: Scene
) -> None:
    first = await create(api, scene.viewer, scene.agent, "old-key")
    async with database.transaction() as db:
        await db.execute(
            update(IdempotencyKey).values(created_at=utcnow() - timedelta(hours=24, seconds=1))
        )

    later = await create(api, scene.viewer, scene.agent, "old-key")
    again = await create(api, scene.viewer, scene.agent, "old-key")

    assert later["id"] != first["id"] and again == later
    assert len(await sessions_of(database, scene.viewer)) == 2
    async with database.session() as db:
        assert await db.scalar(select(func.count()).select_from(IdempotencyKey)) == 1


async def test_a_retry_after_the_session_was_deleted_is_not_found(
    api: Api, database: Database, scene: Scene
) -> None:
    first = await create(api, scene.viewer, scene.agent, "gone")
    deleted = await api.query(DELETE, {"id": first["id"]}, user=scene.viewer)
    assert deleted["data"]["deleteSession"]["__typename"] == "DeletedSession"

    retry = await create(api, scene.viewer, scene.agent, "gone")

    assert retry["__typename"] == "NotFoundError"
    assert len(await sessions_of(database, scene.viewer)) == 1


@pytest.mark.parametrize("key", [pytest.param("", id="empty"), pytest.param("k" * 201, id="201")])
async def test_a_malformed_key_is_a_validation_error(
    api: Api, database: Database, scene: Scene, key: str
) -> None:
    result = await create(api, scene.viewer, scene.agent, key)

    assert result["__typename"] == "ValidationError" and result["field"] == "idempotencyKey"
    assert await sessions_of(database, scene.viewer) == []


async def test_a_key_sent_for_another_agent_is_a_validation_error(
    api: Api, database: Database, factory: Factory, scene: Scene
) -> None:
    """A key names one call: reused with another agent it is the client's mistake."""
    other = await factory.agent(await factory.user(scene.tenant), name="Scribe")
    first = await create(api, scene.viewer, scene.agent, "one-call")

    result = await create(api, scene.viewer, other, "one-call")

    assert result["__typename"] == "ValidationError" and result["field"] == "idempotencyKey"
    assert await sessions_of(database, scene.viewer) == [uuid.UUID(first["id"])]
