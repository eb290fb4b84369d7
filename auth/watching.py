"""Who may keep watching: the access a running subscription still needs, asked again.

A subscription registers what it watches as a `Watched` (a session, or an agent's list
with its scope) when it starts; the process re-reads the rows these questions need for
all its subscriptions at once (`live/rechecks.py`) and asks `refusal` for each. The
answer is the one `auth.access` gives a query: the same functions decide.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from auth.access import agent_access, check_active, check_may_list, session_read_through
from db.agents import AnyAgent
from db.models import ChatSession
from db.users import AnyUser
from errors import ApiError, NotFound


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


class AccessLost(ApiError):
    """A running subscription's viewer lost the right to what it watches: it ends with
    the refusal a query would get, and its code."""

    def __init__(self, refusal: ApiError) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal

    @property
    def extensions(self) -> dict[str, str]:
        return self.refusal.extensions


@dataclass
class AccessRows:
    """What the questions read, as found now: users, sessions, agents, and the levels of
    each viewer's own permission rows on each agent. A missing key: no such row."""

    users: dict[uuid.UUID, AnyUser]
    sessions: dict[uuid.UUID, ChatSession]
    agents: dict[uuid.UUID, AnyAgent]
    grants: dict[tuple[uuid.UUID, uuid.UUID], list[str]]

    def agents_with_grants(
        self, viewer_id: uuid.UUID
    ) -> Mapping[uuid.UUID, tuple[AnyAgent, list[str]]]:
        return {
            id: (agent, self.grants.get((viewer_id, id), [])) for id, agent in self.agents.items()
        }


def refusal(watched: Watched, rows: AccessRows) -> ApiError | None:
    """Why the viewer may no longer watch it (Unauthenticated, Forbidden, NotFound); None
    while they still may."""
    try:
        viewer = check_active(rows.users.get(watched.viewer_id))
        if watched.session_id is not None:
            session = rows.sessions.get(watched.session_id)
            if session is None:
                raise NotFound("Session not found.")
            session_read_through(viewer, session, rows.agents_with_grants(viewer.id))
        if watched.agent_id is not None:
            agent = rows.agents.get(watched.agent_id)
            agent_access(viewer, agent, rows.grants.get((viewer.id, watched.agent_id), []))
            assert agent is not None
            check_may_list(viewer, agent, all_sessions=watched.all_sessions)
    except ApiError as error:
        return error
    return None
