"""createSession, renameSession and deleteSession.

Failures a user can cause come back as union members: a malformed or unknown id, or a
session whose agent the viewer may not see, is NotFoundError; a session the viewer may
see but not change is ForbiddenError; a bad title is ValidationError. The viewer is
authenticated before any argument is looked at, so a caller without a valid token always
gets an UNAUTHENTICATED error, never a union member.
"""

import uuid
from datetime import UTC, datetime

from auth.access import check_session_access
from context import Info
from db import models
from db.sessions import (
    conversation_id,
    create_session,
    delete_session,
    rename_session,
    session_by_id,
)
from errors import BadUserInput, Forbidden, NotFound
from resolvers.agents import viewer_agent
from resolvers.ids import parse_id
from schema.errors import ForbiddenError, NotFoundError, ValidationError, error_member
from schema.sessions import DeletedSession, Session

MAX_TITLE = 200


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
    if "\x00" in title:  # valid JSON, but PostgreSQL text cannot hold it
        return ValidationError(message="The title may not contain NUL characters.", field="title")
    return None


async def _session_to_change(info: Info, id: str) -> models.ChatSession:
    """The session, once the viewer has been shown to be allowed to change it."""
    viewer = await info.context.viewer()
    session_id = _existing_id(id, "session id")
    async with info.context.database.session() as db:
        session = await session_by_id(db, session_id)
    if session is None:
        raise NotFound("Session not found.")
    _, agent, _ = await viewer_agent(info, session.agent_id)
    check_session_access(viewer, agent, session)
    return session


async def resolve_create_session(
    info: Info, agent_id: str, title: str | None
) -> Session | NotFoundError | ForbiddenError | ValidationError:
    await info.context.viewer()
    try:
        viewer, agent, _ = await viewer_agent(info, _existing_id(agent_id, "agent id"))
    except (NotFound, Forbidden) as error:
        return error_member(error)
    title = (title or "").strip() or datetime.now(UTC).strftime("Session %m-%d %H:%M")
    if invalid := _title_error(title):
        return invalid
    async with info.context.database.transaction() as db:
        session = await create_session(db, agent.id, viewer.id, title)
    # A new session has no messages: no need to count them.
    info.context.loaders.message_count_by_conversation.prime(conversation_id(session.id), 0)
    return Session.from_model(session)


async def resolve_rename_session(
    info: Info, id: str, title: str
) -> Session | NotFoundError | ForbiddenError | ValidationError:
    try:
        session = await _session_to_change(info, id)
    except (NotFound, Forbidden) as error:
        return error_member(error)
    title = title.strip()
    if not title:
        return ValidationError(message="The title may not be empty.", field="title")
    if invalid := _title_error(title):
        return invalid
    async with info.context.database.transaction() as db:
        renamed = await rename_session(db, session.id, title)
    if renamed is None:
        return NotFoundError(message="Session not found.")
    return Session.from_model(renamed)


async def resolve_delete_session(
    info: Info, id: str
) -> DeletedSession | NotFoundError | ForbiddenError:
    try:
        session = await _session_to_change(info, id)
        async with info.context.database.transaction() as db:
            if not await delete_session(db, session.id):
                raise NotFound("Session not found.")
    except (NotFound, Forbidden) as error:
        return error_member(error)
    return DeletedSession(id=str(session.id))
