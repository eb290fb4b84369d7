"""Query.node, Query.nodes and Query.session: objects refetched by their id alone.

Ids are the platform's UUIDs, not global ids, so the table of each id is found by looking
in all of them (`db/nodes.py`), in a fixed number of statements for up to MAX_IDS ids: the
viewer; then users, messages and runs side by side; then sessions (asked for, and the messages')
and agents (asked for, and the sessions') side by side.

Each object is read by the rules of the field it is otherwise read through (`auth.access`):
an agent as Query.agent, a session as Agent.session through its own agent or else its
peer, a message or a run as its session's messages, a user if the viewer may see them. An unknown
id and an object the viewer may not know of get the same NOT_FOUND, whatever its kind.

The functions return rows (`*Read`); `schema/query.py` makes them types.
"""

import asyncio
import uuid
from collections.abc import Collection
from dataclasses import dataclass

from auth.access import AgentAccess, agent_access, check_user_visible, session_read_through
from context import Info
from db import models
from db.agents import AnyAgent
from db.nodes import agents_with_grants_by_ids, messages_by_ids, sessions_by_ids
from db.runs import RunRow, runs_by_ids
from db.sessions import conversation_id
from db.users import AnyUser
from errors import ApiError, BadUserInput, Forbidden, NotFound
from resolvers.ids import parse_id

MAX_IDS = 100
NODE_NOT_FOUND = "Node not found."


@dataclass(frozen=True)
class AgentRead:
    agent: AnyAgent
    viewer: AnyUser
    access: AgentAccess


@dataclass(frozen=True)
class SessionRead:
    session: models.ChatSession
    through: uuid.UUID


@dataclass(frozen=True)
class MessageRead:
    message: models.ChatMessage
    session: models.ChatSession


@dataclass(frozen=True)
class UserRead:
    user: AnyUser


@dataclass(frozen=True)
class RunRead:
    run: RunRow
    session: models.ChatSession
    viewer_id: uuid.UUID


NodeRead = AgentRead | SessionRead | MessageRead | UserRead | RunRead
Agents = dict[uuid.UUID, tuple[AnyAgent, list[str]]]


@dataclass(frozen=True)
class _Found:
    agents: Agents
    sessions: dict[uuid.UUID, models.ChatSession]
    messages: dict[uuid.UUID, models.ChatMessage]
    users: dict[uuid.UUID, AnyUser | None]
    runs: dict[uuid.UUID, RunRow]


async def resolve_node(info: Info, id: str) -> NodeRead:
    (read,) = await resolve_nodes(info, [id])
    if isinstance(read, ApiError):
        raise read
    return read


async def resolve_nodes(info: Info, ids: list[str]) -> list[NodeRead | ApiError]:
    """One entry per id, in order: the object, or the error for that slot."""
    if len(ids) > MAX_IDS:
        raise BadUserInput(f"Give at most {MAX_IDS} ids (got {len(ids)}).")
    parsed: list[uuid.UUID | ApiError] = []
    for id in ids:
        try:
            parsed.append(parse_id(id))
        except BadUserInput as error:
            parsed.append(error)
    viewer = await info.context.viewer()
    wanted = {id for id in parsed if isinstance(id, uuid.UUID)}
    found = await _find(info, viewer, wanted) if wanted else _Found({}, {}, {}, {}, {})
    return [id if not isinstance(id, uuid.UUID) else _read(viewer, found, id) for id in parsed]


async def resolve_session(info: Info, id: str) -> SessionRead:
    session_id = parse_id(id, "session id")
    viewer = await info.context.viewer()
    sessions, agents = await _sessions_and_agents(info, viewer, {session_id}, set())
    if session_id not in sessions:
        raise NotFound("Session not found.")
    session = sessions[session_id]
    return SessionRead(session, session_read_through(viewer, session, agents).id)


def _read(viewer: AnyUser, found: _Found, id: uuid.UUID) -> NodeRead | ApiError:
    try:
        return _readable(viewer, found, id)
    except Forbidden as forbidden:
        return forbidden
    except NotFound:
        return NotFound(NODE_NOT_FOUND)


def _readable(viewer: AnyUser, found: _Found, id: uuid.UUID) -> NodeRead | ApiError:
    if id in found.agents:
        agent, grants = found.agents[id]
        return AgentRead(agent, viewer, agent_access(viewer, agent, grants))
    if id in found.sessions:
        session = found.sessions[id]
        return SessionRead(session, session_read_through(viewer, session, found.agents).id)
    if id in found.messages:
        message = found.messages[id]
        session_id = _session_id(message)
        session = found.sessions.get(session_id) if session_id else None
        if session is None:
            return NotFound(NODE_NOT_FOUND)
        session_read_through(viewer, session, found.agents)
        return MessageRead(message, session)
    if id in found.runs:  # read as its session's messages are
        run = found.runs[id]
        session = found.sessions.get(run.session_id) if run.session_id else None
        if session is None:
            return NotFound(NODE_NOT_FOUND)
        session_read_through(viewer, session, found.agents)
        return RunRead(run, session, viewer.id)
    user = found.users.get(id)
    check_user_visible(viewer, user)
    assert user is not None
    return UserRead(user)


async def _find(info: Info, viewer: AnyUser, wanted: set[uuid.UUID]) -> _Found:
    ids = sorted(wanted)

    async def messages() -> list[models.ChatMessage]:
        async with info.context.database.session() as db:
            return list(await messages_by_ids(db, ids))

    async def runs() -> list[RunRow]:
        async with info.context.database.connection() as db:
            return await runs_by_ids(db, ids, viewer.tenant_id)

    users, message_rows, run_rows = await asyncio.gather(
        info.context.loaders.user_by_id.load_many(ids), messages(), runs()
    )
    of_messages = {_session_id(row) for row in message_rows}
    of_runs = {row.session_id for row in run_rows}
    session_ids = wanted | {id for id in of_messages | of_runs if id is not None}
    sessions, agents = await _sessions_and_agents(info, viewer, session_ids, wanted)
    return _Found(
        agents=agents,
        sessions=sessions,
        messages={row.id: row for row in message_rows},
        users=dict(zip(ids, users, strict=True)),
        runs={row.id: row for row in run_rows},
    )


async def _sessions_and_agents(
    info: Info,
    viewer: AnyUser,
    session_ids: Collection[uuid.UUID],
    agent_ids: Collection[uuid.UUID],
) -> tuple[dict[uuid.UUID, models.ChatSession], Agents]:
    """The sessions, and the agents asked for with those of the sessions, side by side."""
    database = info.context.database

    async def sessions() -> dict[uuid.UUID, models.ChatSession]:
        async with database.session() as db:
            return {row.id: row for row in await sessions_by_ids(db, session_ids)}

    async def agents() -> Agents:
        async with database.connection() as db:
            return await agents_with_grants_by_ids(db, agent_ids, session_ids, viewer.id)

    session_rows, agent_rows = await asyncio.gather(sessions(), agents())
    # A session's labels read its agents through the loader: they are loaded already.
    for agent, _ in agent_rows.values():
        info.context.loaders.agent_by_id.prime(agent.id, agent)
    return session_rows, agent_rows


def _session_id(message: models.ChatMessage) -> uuid.UUID | None:
    """The session a message belongs to: its conversation id is the session's id as text."""
    try:
        session_id = uuid.UUID(message.conversation_id)
    except ValueError:
        return None
    return session_id if conversation_id(session_id) == message.conversation_id else None
