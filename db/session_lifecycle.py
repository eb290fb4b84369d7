"""The writes of a direct session's life, made as the platform makes them.

A user's direct sessions with an agent form one scope (tenant, agent, user). At most one
active session of a scope is primary: the first one created, and after the primary is
deleted the most recently active one left. Every change of a scope's primary runs under
the platform's own transaction-scoped lock on that scope (PostgreSQL), so this server and
the platform never make two primaries; the platform's partial unique index
uq_chat_sessions_primary_direct would refuse the second anyway. On SQLite every write
transaction holds the database's write lock from BEGIN on (db/engine.py), which
serializes the same writes.

Deleting is soft (deleted_at): the messages stay. The runs the session started
(foreground and orchestration) and the runs delegated from them, transitively, each get
one cancel command for the platform's workers, keyed so that it is never enqueued twice.

Every function takes the caller's AsyncSession and never commits: call them inside
`Database.transaction()`, so that a failure leaves every row as it was.
"""

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AgentRun, AgentRunCommand, ChatSession, Participant, User
from db.types import utcnow

DIRECT = "direct"
CANCELLED_RUN_KINDS = ("foreground", "orchestration")
DELEGATED = "delegated"
# The platform's list order, which also picks the primary to promote.
MOST_RECENTLY_ACTIVE = (
    ChatSession.last_message_at.desc().nulls_last(),
    ChatSession.created_at.desc(),
    ChatSession.id.desc(),
)


def _active_direct(
    tenant_id: uuid.UUID | None, agent_id: uuid.UUID, user_id: uuid.UUID | None
) -> tuple[ColumnElement[bool], ...]:
    """One scope's active direct sessions (a null owner compares as IS NULL, as on the
    platform)."""
    return (
        ChatSession.tenant_id == tenant_id,
        ChatSession.agent_id == agent_id,
        ChatSession.user_id == user_id,
        ChatSession.session_type == DIRECT,
        ChatSession.deleted_at.is_(None),
    )


def direct_scope_key(tenant_id: uuid.UUID, agent_id: uuid.UUID, user_id: uuid.UUID | None) -> str:
    """The platform's lock key: ids as lowercase hyphenated text."""
    return f"direct:{tenant_id}:{agent_id}:{user_id}"


async def lock_direct_scope(
    db: AsyncSession, tenant_id: uuid.UUID, agent_id: uuid.UUID, user_id: uuid.UUID | None
) -> None:
    """Take the platform's lock on the scope until the transaction ends (PostgreSQL only:
    on SQLite the transaction already holds the write lock)."""
    if db.get_bind().dialect.name != "postgresql":
        return
    key = func.hashtextextended(direct_scope_key(tenant_id, agent_id, user_id), 0)
    await db.execute(select(func.pg_advisory_xact_lock(key)))


async def active_direct_session(
    db: AsyncSession, session_id: uuid.UUID, tenant_id: uuid.UUID | None
) -> ChatSession | None:
    """The tenant's active direct session with this id; None for any other."""
    statement = select(ChatSession).where(
        ChatSession.id == session_id,
        ChatSession.tenant_id == tenant_id,
        ChatSession.session_type == DIRECT,
        ChatSession.deleted_at.is_(None),
    )
    return (await db.scalars(statement)).first()


async def _user_participant(db: AsyncSession, user_id: uuid.UUID) -> Participant | None:
    statement = select(Participant).where(Participant.type == "user", Participant.ref_id == user_id)
    return (await db.scalars(statement)).first()


async def user_participant(db: AsyncSession, user: User) -> Participant:
    """The user's participant, made from the user's name and avatar when missing.

    As on the platform: the insert runs in a savepoint, and when a concurrent
    transaction made the same participant first, only the savepoint is rolled back and
    that participant is read. A known participant takes the user's current name and
    avatar (when not empty).
    """
    participant = await _user_participant(db, user.id)
    if participant is None:
        made = Participant(
            id=uuid.uuid4(),
            type="user",
            ref_id=user.id,
            display_name=user.display_name,
            avatar_url=user.avatar_url,
            created_at=utcnow(),
        )
        try:
            async with db.begin_nested():
                db.add(made)
                await db.flush()
            return made
        except IntegrityError:
            participant = await _user_participant(db, user.id)
            if participant is None:
                raise
    changed = False
    if user.display_name and participant.display_name != user.display_name:
        participant.display_name = user.display_name
        changed = True
    if user.avatar_url and participant.avatar_url != user.avatar_url:
        participant.avatar_url = user.avatar_url
        changed = True
    if changed:
        await db.flush()
    return participant


async def create_direct_session(
    db: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    agent_id: uuid.UUID,
    owner: User,
    title: str,
    session_id: uuid.UUID | None = None,
) -> ChatSession:
    """A new web session of the owner with the agent; primary when it is the scope's first.

    When the scope has active sessions but no primary, the most recently active one
    becomes primary and the new one does not.
    """
    participant = await user_participant(db, owner)
    await lock_direct_scope(db, tenant_id, agent_id, owner.id)
    # The primary when there is one, else the one to promote.
    statement = (
        select(ChatSession.id, ChatSession.is_primary)
        .where(*_active_direct(tenant_id, agent_id, owner.id))
        .order_by(ChatSession.is_primary.desc(), *MOST_RECENTLY_ACTIVE)
        .limit(1)
    )
    first = (await db.execute(statement)).first()
    now = utcnow()
    if first is not None and not first.is_primary:
        await db.execute(
            update(ChatSession)
            .where(ChatSession.id == first.id)
            .values(is_primary=True, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    session = ChatSession(
        id=session_id or uuid.uuid4(),
        tenant_id=tenant_id,
        session_type=DIRECT,
        agent_id=agent_id,
        user_id=owner.id,
        created_by_participant_id=participant.id,
        title=title,
        source_channel="web",
        external_conv_id=None,
        is_group=False,
        group_name=None,
        participant_id=None,
        peer_agent_id=None,
        is_primary=first is None,
        last_read_at_by_user=None,
        deleted_at=None,
        created_at=now,
        updated_at=now,
        last_message_at=None,
    )
    db.add(session)
    await db.flush()
    return session


async def rename_direct_session(
    db: AsyncSession, session_id: uuid.UUID, tenant_id: uuid.UUID | None, title: str
) -> ChatSession | None:
    """The renamed session; None when it is no longer an active direct session."""
    statement = (
        update(ChatSession)
        .where(
            ChatSession.id == session_id,
            ChatSession.tenant_id == tenant_id,
            ChatSession.session_type == DIRECT,
            ChatSession.deleted_at.is_(None),
        )
        .values(title=title, updated_at=utcnow())
        .returning(ChatSession)
    )
    return (await db.scalars(statement)).first()


async def mark_direct_session_read(
    db: AsyncSession, session_id: uuid.UUID, tenant_id: uuid.UUID | None, owner_id: uuid.UUID
) -> ChatSession | None:
    """The owner's session, read as of now; None when it is no longer theirs and active."""
    now = utcnow()
    statement = (
        update(ChatSession)
        .where(
            ChatSession.id == session_id,
            ChatSession.tenant_id == tenant_id,
            ChatSession.user_id == owner_id,
            ChatSession.session_type == DIRECT,
            ChatSession.deleted_at.is_(None),
        )
        .values(last_read_at_by_user=now, updated_at=now)
        .returning(ChatSession)
    )
    return (await db.scalars(statement)).first()


async def delete_direct_session(
    db: AsyncSession, session: ChatSession, actor_user_id: uuid.UUID
) -> bool:
    """Soft-delete the session, pass its primary on, and cancel its runs.

    False, with nothing changed, when it is no longer an active direct session.
    """
    tenant_id, agent_id, user_id = session.tenant_id, session.agent_id, session.user_id
    await lock_direct_scope(db, tenant_id, agent_id, user_id)
    now = utcnow()
    deleted = await db.execute(
        update(ChatSession)
        .where(ChatSession.id == session.id, *_active_direct(tenant_id, agent_id, user_id))
        .values(deleted_at=now, updated_at=now)
        .returning(ChatSession.is_primary)
        .execution_options(synchronize_session=False)
    )
    was_primary = deleted.scalar_one_or_none()
    if was_primary is None:
        return False
    if was_primary:
        successor = (
            select(ChatSession.id)
            .where(*_active_direct(tenant_id, agent_id, user_id))
            .order_by(*MOST_RECENTLY_ACTIVE)
            .limit(1)
            .scalar_subquery()
        )
        await db.execute(
            update(ChatSession)
            .where(ChatSession.id == successor)
            .values(is_primary=True, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    await enqueue_session_deletion_cancels(
        db, tenant_id=tenant_id, session_id=session.id, actor_user_id=actor_user_id, now=now
    )
    return True


async def runs_cancelled_by_session_deletion(
    db: AsyncSession, tenant_id: uuid.UUID, session_id: uuid.UUID
) -> Sequence[uuid.UUID]:
    """The session's foreground and orchestration runs and, transitively, the runs
    delegated from them, oldest first."""
    tree = (
        select(AgentRun.id.label("run_id"))
        .where(
            AgentRun.tenant_id == tenant_id,
            AgentRun.session_id == session_id,
            AgentRun.run_kind.in_(CANCELLED_RUN_KINDS),
        )
        .cte("session_cancel_tree", recursive=True)
    )
    delegated = (
        select(AgentRun.id.label("run_id"))
        .join(tree, AgentRun.parent_run_id == tree.c.run_id)
        .where(AgentRun.tenant_id == tenant_id, AgentRun.run_kind == DELEGATED)
    )
    tree = tree.union_all(delegated)
    statement = (
        select(AgentRun.id)
        .join(tree, AgentRun.id == tree.c.run_id)
        .where(AgentRun.tenant_id == tenant_id)
        .order_by(AgentRun.created_at, AgentRun.id)
    )
    return (await db.scalars(statement)).all()


async def enqueue_session_deletion_cancels(
    db: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    session_id: uuid.UUID,
    actor_user_id: uuid.UUID,
    now: datetime | None = None,
) -> None:
    """One pending cancel command per run to cancel, the platform's way; a run that
    already has this deletion's command keeps it and gets no second one."""
    run_ids = await runs_cancelled_by_session_deletion(db, tenant_id, session_id)
    if not run_ids:
        return
    created_at = now or utcnow()
    rows = [
        {
            "id": uuid.uuid4(),
            "tenant_id": tenant_id,
            "run_id": run_id,
            "command_type": "cancel",
            "payload": {"reason": "session_deleted"},
            "actor_user_id": actor_user_id,
            "idempotency_key": f"session-delete:{session_id}:run:{run_id}",
            "status": "pending",
            "attempt_count": 0,
            "created_at": created_at,
        }
        for run_id in run_ids
    ]
    insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(AgentRunCommand)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["run_id", "idempotency_key"])
    )
    await db.execute(statement)


__all__ = [
    "active_direct_session",
    "create_direct_session",
    "delete_direct_session",
    "direct_scope_key",
    "enqueue_session_deletion_cancels",
    "lock_direct_scope",
    "mark_direct_session_read",
    "rename_direct_session",
    "runs_cancelled_by_session_deletion",
    "user_participant",
]
