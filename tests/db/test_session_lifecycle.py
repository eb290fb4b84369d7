"""The lifecycle writes themselves: the platform's lock key, and cancel commands that are
never enqueued twice."""

import uuid

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import AgentRun, AgentRunCommand, ChatSession, User
from db.session_lifecycle import (
    direct_scope_key,
    enqueue_session_deletion_cancels,
    runs_cancelled_by_session_deletion,
)
from tests.factories import Factory


async def _commands(database: Database) -> list[tuple[object, ...]]:
    async with database.session() as db:
        rows = await db.execute(
            select(
                AgentRunCommand.id,
                AgentRunCommand.run_id,
                AgentRunCommand.idempotency_key,
                AgentRunCommand.actor_user_id,
                AgentRunCommand.payload,
            ).order_by(AgentRunCommand.idempotency_key)
        )
        return [tuple(row) for row in rows]


async def _enqueue(database: Database, session: ChatSession, actor: User) -> None:
    async with database.transaction() as db:
        await enqueue_session_deletion_cancels(
            db, tenant_id=session.tenant_id, session_id=session.id, actor_user_id=actor.id
        )


@pytest.fixture
async def session_with_runs(factory: Factory) -> tuple[ChatSession, User, list[AgentRun]]:
    tenant = await factory.tenant()
    owner = await factory.user(tenant)
    agent = await factory.agent(owner)
    session = await factory.session(agent, owner, messages=1)
    foreground = await factory.run(session, "foreground")
    child = await factory.run(session, "delegated", parent=foreground)
    await factory.run(session, "background")
    return session, owner, [foreground, child]


def test_the_lock_key_is_the_platforms() -> None:
    """'direct:<tenant>:<agent>:<user>', each id lowercase and hyphenated."""
    tenant, agent, user = (uuid.UUID(int=n) for n in (1, 2, 0xABCDEF))

    assert direct_scope_key(tenant, agent, user) == (
        "direct:00000000-0000-0000-0000-000000000001"
        ":00000000-0000-0000-0000-000000000002"
        ":00000000-0000-0000-0000-000000abcdef"
    )


async def test_enqueueing_twice_makes_no_second_command(
    database: Database, session_with_runs: tuple[ChatSession, User, list[AgentRun]]
) -> None:
    """A second enqueue for the same deletion leaves the first commands as they are."""
    session, owner, cancelled = session_with_runs
    await _enqueue(database, session, owner)
    first = await _commands(database)

    await _enqueue(database, session, owner)

    assert await _commands(database) == first
    assert sorted(run_id for _, run_id, *_ in first) == sorted(run.id for run in cancelled)


async def test_a_command_the_platform_already_enqueued_is_kept(
    database: Database,
    factory: Factory,
    session_with_runs: tuple[ChatSession, User, list[AgentRun]],
) -> None:
    """A run that already has this deletion's command (say, from the platform) keeps it;
    the other runs get theirs."""
    session, owner, (foreground, child) = session_with_runs
    key = f"session-delete:{session.id}:run:{foreground.id}"
    existing = AgentRunCommand(
        id=uuid.uuid4(),
        tenant_id=session.tenant_id,
        run_id=foreground.id,
        command_type="cancel",
        payload={"reason": "session_deleted"},
        actor_user_id=owner.id,
        idempotency_key=key,
        status="applied",
        attempt_count=1,
    )
    await factory.add(existing)

    await _enqueue(database, session, owner)

    async with database.session() as db:
        rows = list(await db.scalars(select(AgentRunCommand)))
    by_run = {row.run_id: row for row in rows}
    assert set(by_run) == {foreground.id, child.id} and len(rows) == 2
    assert (by_run[foreground.id].id, by_run[foreground.id].status) == (existing.id, "applied")
    assert (by_run[child.id].status, by_run[child.id].attempt_count) == ("pending", 0)


async def test_the_cancel_tree_follows_delegations_only(
    database: Database, factory: Factory
) -> None:
    """Runs delegated from a cancelled run are cancelled, at any depth; a background run and
    what it delegated are not, nor another tenant's runs."""
    tenant = await factory.tenant()
    owner = await factory.user(tenant)
    agent = await factory.agent(owner)
    session = await factory.session(agent, owner)
    root = await factory.run(session, "foreground")
    depth = [root]
    for _ in range(4):
        depth.append(await factory.run(session, "delegated", parent=depth[-1]))
    background = await factory.run(session, "background")
    await factory.run(session, "delegated", parent=background)
    await factory.run(session, "background", parent=root)

    async with database.session() as db:
        found = await runs_cancelled_by_session_deletion(db, session.tenant_id, session.id)
        elsewhere = await runs_cancelled_by_session_deletion(db, uuid.uuid4(), session.id)

    assert list(found) == [run.id for run in depth]
    assert list(elsewhere) == []
