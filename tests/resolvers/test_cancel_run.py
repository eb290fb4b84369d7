"""cancelRun writes exactly the row the platform's web chat abort writes, once, for the
owner's chat run only; everyone else gets NotFoundError or ForbiddenError and no row."""

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from db.models import AgentRunCommand, User
from tests.api import Api
from tests.factories import Factory
from tests.resolvers.web_chats import Chat, web_chat

CANCEL = """
mutation Cancel($runId: ID!) {
  cancelRun(runId: $runId) {
    __typename
    ... on Run { id status canCancel }
    ... on NotFoundError { message }
    ... on ForbiddenError { message }
    ... on ValidationError { message field }
  }
}
"""


@pytest.fixture
async def chat(factory: Factory) -> Chat:
    return await web_chat(factory)


async def _cancel(api: Api, run_id: Any, user: User) -> dict[str, Any]:
    body = await api.query(CANCEL, {"runId": str(run_id)}, user=user)
    assert "errors" not in body, body
    return body["data"]["cancelRun"]


async def _commands(factory: Factory) -> list[dict[str, Any]]:
    async with factory.database.session() as db:
        rows = (await db.scalars(select(AgentRunCommand))).all()
    return [
        {
            "tenant_id": row.tenant_id,
            "run_id": row.run_id,
            "command_type": row.command_type,
            "status": row.status,
            "attempt_count": row.attempt_count,
            "payload": row.payload,
            "idempotency_key": row.idempotency_key,
            "actor_user_id": row.actor_user_id,
        }
        for row in rows
    ]


async def test_cancel_enqueues_the_platforms_command_once(api: Api, chat: Chat) -> None:
    run = await chat.factory.chat_run(chat.session)

    first = await _cancel(api, run.id, chat.owner)
    second = await _cancel(api, run.id, chat.owner)

    assert (
        first
        == second
        == {
            "__typename": "Run",
            "id": str(run.id),
            "status": "RUNNING",
            "canCancel": False,
        }
    )
    assert await _commands(chat.factory) == [
        {
            "tenant_id": chat.tenant.id,
            "run_id": run.id,
            "command_type": "cancel",
            "status": "pending",
            "attempt_count": 0,
            "payload": {"reason": "cancelled_by_user"},
            "idempotency_key": f"cancel:web:{run.id}",
            "actor_user_id": chat.owner.id,
        }
    ]


async def test_a_run_asked_to_stop_that_left_its_lane_answers_as_before(
    api: Api, chat: Chat
) -> None:
    """Idempotent even after the run let go of its lane (the platform's retry rule)."""
    run = await chat.factory.chat_run(chat.session, lane_held=False)
    await chat.factory.command(
        run, "cancel", idempotency_key=f"cancel:web:{run.id}", actor=chat.owner
    )

    result = await _cancel(api, run.id, chat.owner)

    assert result["__typename"] == "Run"
    assert len(await _commands(chat.factory)) == 1


async def test_a_run_that_no_longer_holds_its_lane_is_a_validation_error(
    api: Api, chat: Chat
) -> None:
    run = await chat.factory.chat_run(chat.session, lane_held=False)

    result = await _cancel(api, run.id, chat.owner)

    assert result["__typename"] == "ValidationError"
    assert result["field"] == "runId"
    assert await _commands(chat.factory) == []


async def test_another_users_run_is_forbidden_when_they_may_read_the_session(
    api: Api, chat: Chat
) -> None:
    run = await chat.factory.chat_run(chat.session)
    admin = await chat.factory.user(chat.tenant, role="org_admin")

    result = await _cancel(api, run.id, admin)

    assert result["__typename"] == "ForbiddenError"
    assert await _commands(chat.factory) == []


async def test_another_users_run_is_not_found_when_they_may_not_read_it(
    api: Api, chat: Chat
) -> None:
    run = await chat.factory.chat_run(chat.session)
    member = await chat.factory.user(chat.tenant)

    result = await _cancel(api, run.id, member)
    unknown = await _cancel(api, uuid.uuid4(), member)

    assert result == unknown == {"__typename": "NotFoundError", "message": "Run not found."}
    assert await _commands(chat.factory) == []


async def test_another_tenants_run_is_not_found_as_an_unknown_id(api: Api, chat: Chat) -> None:
    run = await chat.factory.chat_run(chat.session)
    other = await chat.factory.tenant("Other")
    stranger = await chat.factory.user(other, role="platform_admin")

    result = await _cancel(api, run.id, stranger)
    unknown = await _cancel(api, uuid.uuid4(), stranger)
    malformed = await _cancel(api, "not-an-id", stranger)

    assert result == unknown == malformed
    assert result == {"__typename": "NotFoundError", "message": "Run not found."}
    assert await _commands(chat.factory) == []


async def test_a_run_of_another_session_is_forbidden(api: Api, chat: Chat) -> None:
    """A run stored under the owner's session but working another session's thread and
    lane is not this chat's run: the platform refuses it (chat_cancel_scope_mismatch)."""
    other = await chat.factory.session(chat.agent, chat.owner, messages=1)
    run = await chat.factory.chat_run(
        chat.session,
        runtime_thread_id=str(other.id),
        scheduling_lane_key=f"direct_chat_thread:{chat.tenant.id}:{other.id}",
    )

    result = await _cancel(api, run.id, chat.owner)

    assert result["__typename"] == "ForbiddenError"
    assert await _commands(chat.factory) == []


async def test_a_background_run_of_the_session_is_forbidden(api: Api, chat: Chat) -> None:
    run = await chat.factory.run(chat.session, "background")

    result = await _cancel(api, run.id, chat.owner)

    assert result["__typename"] == "ForbiddenError"
    assert await _commands(chat.factory) == []


async def test_without_a_token_cancel_is_unauthenticated(api: Api, chat: Chat) -> None:
    run = await chat.factory.chat_run(chat.session)

    body = await api.query(CANCEL, {"runId": str(run.id)})

    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await _commands(chat.factory) == []
