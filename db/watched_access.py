"""The rows that say whether running subscriptions may still watch what they watch: one
statement for all the subscriptions of a process (`live/rechecks.py`).

Two branches, one row shape: (viewer, session, agent, level) for watched sessions, each
with its own agent and its peer; (viewer, -, agent, level) for watched agent lists. Each
row is a viewer's user row, outer-joined to what they watch, so a row with no session or
agent says it is gone, and a viewer with no row is gone too. Every join is by primary key
or the permission rows' agent index; the pairs narrow a plain IN, so no pair reads more
than its own rows.
"""

import uuid
from collections.abc import Collection

from sqlalchemy import Select, literal, or_, select, tuple_, union_all
from sqlalchemy.ext.asyncio import AsyncConnection

from auth.watching import AccessRows, Watched
from db.agents import AGENT_COLUMNS, AgentRow, grants_of
from db.models import Agent, AgentPermission, ChatSession, User
from db.types import GUID, UTCDateTime
from db.users import USER_COLUMNS, UserRow

SESSION_COLUMNS = (
    ChatSession.id,
    ChatSession.tenant_id,
    ChatSession.agent_id,
    ChatSession.peer_agent_id,
    ChatSession.user_id,
    ChatSession.deleted_at,
)
"""What `auth.access.session_read_through` reads of a session."""
_NO_SESSION = (
    literal(None, GUID()),
    literal(None, GUID()),
    literal(None, GUID()),
    literal(None, GUID()),
    literal(None, GUID()),
    literal(None, UTCDateTime()),
)


def _watched_sessions(pairs: Collection[tuple[uuid.UUID, uuid.UUID]]) -> Select:
    sessions = {session for _, session in pairs}
    return (
        select(*USER_COLUMNS, *SESSION_COLUMNS, *AGENT_COLUMNS, AgentPermission.access_level)
        .select_from(User)
        .outerjoin(
            ChatSession,
            ChatSession.id.in_(sessions) & tuple_(User.id, ChatSession.id).in_(list(pairs)),
        )
        .outerjoin(
            Agent, or_(Agent.id == ChatSession.agent_id, Agent.id == ChatSession.peer_agent_id)
        )
        .outerjoin(AgentPermission, grants_of(User.id))
        .where(User.id.in_({viewer for viewer, _ in pairs}))
    )


def _watched_agents(pairs: Collection[tuple[uuid.UUID, uuid.UUID]]) -> Select:
    agents = {agent for _, agent in pairs}
    return (
        select(*USER_COLUMNS, *_NO_SESSION, *AGENT_COLUMNS, AgentPermission.access_level)
        .select_from(User)
        .outerjoin(Agent, Agent.id.in_(agents) & tuple_(User.id, Agent.id).in_(list(pairs)))
        .outerjoin(AgentPermission, grants_of(User.id))
        .where(User.id.in_({viewer for viewer, _ in pairs}))
    )


async def access_rows(connection: AsyncConnection, watched: Collection[Watched]) -> AccessRows:
    """The rows every `auth.watching.refusal` question of `watched` needs, in one statement."""
    sessions = {(w.viewer_id, w.session_id) for w in watched if w.session_id is not None}
    agents = {(w.viewer_id, w.agent_id) for w in watched if w.agent_id is not None}
    branches = [
        branch(pairs)
        for branch, pairs in ((_watched_sessions, sessions), (_watched_agents, agents))
        if pairs
    ]
    found = AccessRows({}, {}, {}, {})
    if not branches:
        return found
    statement = branches[0] if len(branches) == 1 else union_all(*branches)
    user_end = len(USER_COLUMNS)
    agent_at = user_end + len(SESSION_COLUMNS)
    level_at = agent_at + len(AGENT_COLUMNS)
    for row in await connection.execute(statement):
        user = UserRow._make(row[:user_end])
        found.users[user.id] = user
        if row[user_end] is not None:
            keys = (column.key for column in SESSION_COLUMNS)
            values = dict(zip(keys, row[user_end:agent_at], strict=True))
            found.sessions[values["id"]] = ChatSession(**values)
        if row[agent_at] is not None:
            agent = AgentRow._make(row[agent_at:level_at])
            found.agents[agent.id] = agent
            levels = found.grants.setdefault((user.id, agent.id), [])
            if row[level_at] is not None and row[level_at] not in levels:
                levels.append(row[level_at])
    return found
