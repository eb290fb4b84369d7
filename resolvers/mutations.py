"""createSession, renameSession, deleteSession and markSessionRead.

Failures a user can cause come back as union members: a malformed or unknown id, another
tenant's session, a deleted one, one that is not a direct session, or one whose agent the
viewer may not see, is NotFoundError, always with the same message; a session the viewer
may see but not change is ForbiddenError; a bad title is ValidationError. The viewer is
authenticated before any argument is looked at, so a caller without a valid token always
gets an UNAUTHENTICATED error, never a union member.

The writes themselves, and their rules on primaries, locks and run cancels, are in
`db/session_lifecycle.py`.
"""

import uuid
from datetime import UTC, datetime

from auth.access import check_may_mark_read, check_session_access
from context import Info
from db import models
from db.agents import AnyAgent
from db.idempotency import MAX_KEY_LENGTH, IdempotencyKey, claim_key
from db.session_lifecycle import (
    active_direct_session,
    create_direct_session,
    delete_direct_session,
    mark_direct_session_read,
    rename_direct_session,
)
from db.sessions import conversation_id
from db.types import utcnow
from db.users import AnyUser
from errors import BadUserInput, Forbidden, NotFound
from resolvers.agents import viewer_agent
from resolvers.ids import parse_id
from resolvers.titles import title_problem
from schema.errors import ForbiddenError, NotFoundError, ValidationError, error_member
from schema.sessions import DeletedSession, Session

MAX_TITLE = 200
SESSION_NOT_FOUND = "Session not found."


def _existing_id(value: str, what: str) -> uuid.UUID:
    try:
        return parse_id(value, what)
    except BadUserInput as error:
        raise NotFound(error.message) from None


def _title_error(title: str) -> ValidationError | None:
    if len(title) > MAX_TITLE:
        return ValidationError(
            message=f"The title may have at most {MAX_TITLE} characters; it has {len(title)}.",
            field="title",
        )
    if problem := title_problem(title):  # NUL among the controls: PostgreSQL cannot hold it
        return ValidationError(message=problem, field="title")
    return None


async def _direct_session(info: Info, id: str) -> tuple[AnyUser, AnyAgent, models.ChatSession]:
    """The viewer, and the active direct session of their tenant with its agent, once the
    viewer has been shown to have access to that agent."""
    viewer = await info.context.viewer()
    try:
        session_id = parse_id(id, "session id")
    except BadUserInput:
        raise NotFound(SESSION_NOT_FOUND) from None
    async with info.context.database.session() as db:
        session = await active_direct_session(db, session_id, viewer.tenant_id)
    if session is None:
        raise NotFound(SESSION_NOT_FOUND)
    try:
        _, agent, _ = await viewer_agent(info, session.agent_id)
    except NotFound:
        raise NotFound(SESSION_NOT_FOUND) from None  # e.g. a deleted agent
    return viewer, agent, session


async def _session_to_change(info: Info, id: str) -> tuple[AnyUser, models.ChatSession]:
    """The viewer and the session, once the viewer may rename or delete it."""
    viewer, agent, session = await _direct_session(info, id)
    check_session_access(viewer, agent, session)
    return viewer, session


async def resolve_create_session(
    info: Info, agent_id: str, title: str | None, idempotency_key: str | None = None
) -> Session | NotFoundError | ForbiddenError | ValidationError:
    await info.context.viewer()
    try:
        # Access implies an active viewer in the agent's tenant (auth/access.py).
        viewer, agent, _ = await viewer_agent(info, _existing_id(agent_id, "agent id"))
    except (NotFound, Forbidden) as error:
        return error_member(error)
    assert agent.tenant_id is not None
    title = (title or "").strip() or datetime.now(UTC).strftime("Session %m-%d %H:%M")
    if invalid := _title_error(title):
        return invalid
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= MAX_KEY_LENGTH:
        return ValidationError(
            message=f"The idempotency key has 1 to {MAX_KEY_LENGTH} characters.",
            field="idempotencyKey",
        )
    earlier = None
    async with info.context.database.transaction() as db:
        session_id = uuid.uuid4()
        if idempotency_key is not None:
            earlier = await claim_key(
                db,
                user_id=viewer.id,
                key=idempotency_key,
                agent_id=agent.id,
                session_id=session_id,
                now=utcnow(),
            )
        if earlier is None:
            session = await create_direct_session(
                db,
                tenant_id=agent.tenant_id,
                agent_id=agent.id,
                owner=viewer,
                title=title,
                session_id=session_id,
            )
    if earlier is not None:
        return await _created_earlier(info, earlier, agent.id, viewer.tenant_id)
    # A new session has no messages: no need to count them.
    info.context.loaders.message_count_by_conversation.prime(conversation_id(session.id), 0)
    info.context.loaders.unread_count_by_session.prime(session.id, 0)
    return Session.from_model(session)


async def _created_earlier(
    info: Info, earlier: IdempotencyKey, agent_id: uuid.UUID, tenant_id: uuid.UUID | None
) -> Session | NotFoundError | ValidationError:
    """A retry's answer: the session the key's first call made, as it is now."""
    if earlier.agent_id != agent_id:
        return ValidationError(
            message="This idempotency key was used for a session with another agent.",
            field="idempotencyKey",
        )
    async with info.context.database.session() as db:
        session = await active_direct_session(db, earlier.session_id, tenant_id)
    if session is None:  # deleted since
        return NotFoundError(message=SESSION_NOT_FOUND)
    return Session.from_model(session)


async def resolve_rename_session(
    info: Info, id: str, title: str
) -> Session | NotFoundError | ForbiddenError | ValidationError:
    try:
        viewer, session = await _session_to_change(info, id)
    except (NotFound, Forbidden) as error:
        return error_member(error)
    title = title.strip()
    if not title:
        return ValidationError(message="The title may not be empty.", field="title")
    if invalid := _title_error(title):
        return invalid
    async with info.context.database.transaction() as db:
        renamed = await rename_direct_session(db, session.id, viewer.tenant_id, title)
    if renamed is None:  # deleted meanwhile
        return NotFoundError(message=SESSION_NOT_FOUND)
    return Session.from_model(renamed)


async def resolve_delete_session(
    info: Info, id: str
) -> DeletedSession | NotFoundError | ForbiddenError:
    try:
        viewer, session = await _session_to_change(info, id)
        async with info.context.database.transaction() as db:
            if not await delete_direct_session(db, session, actor_user_id=viewer.id):
                raise NotFound(SESSION_NOT_FOUND)  # deleted meanwhile
    except (NotFound, Forbidden) as error:
        return error_member(error)
    return DeletedSession(id=str(session.id))


async def resolve_mark_session_read(
    info: Info, id: str
) -> Session | NotFoundError | ForbiddenError:
    try:
        viewer, _, session = await _direct_session(info, id)
        check_may_mark_read(viewer, session)
    except (NotFound, Forbidden) as error:
        return error_member(error)
    async with info.context.database.transaction() as db:
        read = await mark_direct_session_read(db, session.id, viewer.tenant_id, viewer.id)
    if read is None:  # deleted meanwhile
        return NotFoundError(message=SESSION_NOT_FOUND)
    # Read as of now: nothing is unread (a message written since counts on the next read).
    info.context.loaders.unread_count_by_session.prime(read.id, 0)
    return Session.from_model(read)
