"""The rows that say whether running subscriptions may still watch what they watch: one
statement for all the subscriptions of a process (`live/rechecks.py`).

Four lookups in one UNION ALL, each a plain IN (`= ANY` on PostgreSQL) on a primary key
or an index: the viewers' users, the watched sessions, the agents (watched, and the
sessions' own and peer agents), and the viewers' own permission rows on those agents.
Rows share one shape (a kind, then ids, a text, a flag and a time); each question pairs
them in Python, so no pair of viewer and session is spelled out in SQL.
"""

import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    CompoundSelect,
    Select,
    String,
    cast,
    literal_column,
    null,
    select,
    type_coerce,
    union,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from db.agents import AnyAgent
from db.id_lists import among
from db.models import Agent, AgentPermission, ChatSession, User
from db.types import GUID, UTCDateTime
from db.users import AnyUser


@dataclass(frozen=True)
class Watched:
    """What one subscription watches, for its viewer: one session (read as Agent.session
    reads it: messageAdded, runEvents), or one agent's session list (`all_sessions`:
    its ALL scope)."""

    viewer_id: uuid.UUID
    session_id: uuid.UUID | None = None
    agent_id: uuid.UUID | None = None
    all_sessions: bool = False

    @classmethod
    def session(cls, viewer_id: uuid.UUID, session_id: uuid.UUID) -> "Watched":
        return cls(viewer_id, session_id=session_id)

    @classmethod
    def session_list(
        cls, viewer_id: uuid.UUID, agent_id: uuid.UUID, *, all_sessions: bool
    ) -> "Watched":
        return cls(viewer_id, agent_id=agent_id, all_sessions=all_sessions)


@dataclass
class AccessRows:
    """What the questions read, as found now: users, sessions, agents, and the levels of
    each viewer's own permission rows on each agent. A missing key: no such row."""

    users: dict[uuid.UUID, AnyUser]
    sessions: dict[uuid.UUID, ChatSession]
    agents: dict[uuid.UUID, AnyAgent]
    grants: dict[tuple[uuid.UUID, uuid.UUID], list[str]]

    def agents_with_grants(
        self, viewer_id: uuid.UUID, agent_ids: Iterable[uuid.UUID | None]
    ) -> Mapping[uuid.UUID, tuple[AnyAgent, list[str]]]:
        """Those of `agent_ids` that were read, each with the viewer's own grants on it."""
        return {
            id: (self.agents[id], self.grants.get((viewer_id, id), []))
            for id in agent_ids
            if id is not None and id in self.agents
        }


def _row(
    kind: str,
    ids: tuple[ColumnElement[Any], ...],
    text: ColumnElement[Any] | None = None,
    flag: ColumnElement[bool] | None = None,
    at: ColumnElement[Any] | None = None,
) -> Select[Any]:
    """One lookup, in the shared shape: kind, five ids, a text, a flag, a time."""
    padded = (
        *(type_coerce(value, GUID()) for value in ids),
        *[cast(null(), GUID())] * (5 - len(ids)),
    )
    return select(
        literal_column(f"'{kind}'", String()),
        *padded,
        cast(text if text is not None else null(), String()),
        flag if flag is not None else cast(null(), Boolean()),
        at if at is not None else cast(null(), UTCDateTime()),
    )


@cache
def _access_statement(dialect: str) -> CompoundSelect:
    """`access_rows`' statement, built once per dialect (every re-check): the `viewers`,
    `sessions` and `agents` are parameters."""
    candidates = union(
        select(Agent.id).where(among(Agent.id, "agents", dialect)),
        select(ChatSession.agent_id).where(among(ChatSession.id, "sessions", dialect)),
        select(ChatSession.peer_agent_id).where(among(ChatSession.id, "sessions", dialect)),
    )
    return union_all(
        _row("user", (User.id, User.tenant_id), text=User.role, flag=User.is_active).where(
            among(User.id, "viewers", dialect)
        ),
        _row(
            "session",
            (
                ChatSession.id,
                ChatSession.tenant_id,
                ChatSession.agent_id,
                ChatSession.peer_agent_id,
                ChatSession.user_id,
            ),
            at=ChatSession.deleted_at,
        ).where(among(ChatSession.id, "sessions", dialect)),
        _row(
            "agent",
            (Agent.id, Agent.tenant_id, Agent.creator_id),
            text=Agent.access_mode,
            at=Agent.deleted_at,
        ).where(Agent.id.in_(candidates)),
        _row(
            "grant",
            (AgentPermission.agent_id, AgentPermission.scope_id),
            text=AgentPermission.access_level,
        ).where(
            AgentPermission.scope_type == "user",
            among(AgentPermission.scope_id, "viewers", dialect),
            AgentPermission.agent_id.in_(candidates),
        ),
    )


async def access_rows(connection: AsyncConnection, watched: Collection[Watched]) -> AccessRows:
    """The rows every `auth.watching.refusal` question of `watched` needs, in one statement."""
    parameters = {
        "viewers": list({w.viewer_id for w in watched}),
        "sessions": list({w.session_id for w in watched if w.session_id is not None}),
        "agents": list({w.agent_id for w in watched if w.agent_id is not None}),
    }
    statement = _access_statement(connection.dialect.name)
    found = AccessRows({}, {}, {}, {})
    for kind, a, b, c, d, e, text, flag, at in await connection.execute(statement, parameters):
        if kind == "user":
            found.users[a] = User(id=a, tenant_id=b, role=text, is_active=flag)
        elif kind == "session":
            found.sessions[a] = ChatSession(
                id=a, tenant_id=b, agent_id=c, peer_agent_id=d, user_id=e, deleted_at=at
            )
        elif kind == "agent":
            found.agents[a] = Agent(
                id=a, tenant_id=b, creator_id=c, access_mode=text, deleted_at=at
            )
        else:
            found.grants.setdefault((b, a), []).append(text)
    return found
