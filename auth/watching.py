"""Who may keep watching: the access a running subscription still needs, asked again.

A subscription registers what it watches as a `Watched` (a session, or an agent's list
with its scope) when it starts; the process re-reads the rows these questions need for
all its subscriptions at once (`live/rechecks.py`) and asks `refusal` for each. The
answer is the one `auth.access` gives a query: the same functions decide.
"""

from auth.access import agent_access, check_active, check_may_list, session_read_through
from db.watched_access import AccessRows, Watched
from errors import ApiError, NotFound


class AccessLost(ApiError):
    """A running subscription's viewer lost the right to what it watches: it ends with
    the refusal a query would get, and its code."""

    def __init__(self, refusal: ApiError) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal

    @property
    def extensions(self) -> dict[str, str]:
        return self.refusal.extensions


def refusal(watched: Watched, rows: AccessRows) -> ApiError | None:
    """Why the viewer may no longer watch it (Unauthenticated, Forbidden, NotFound); None
    while they still may."""
    try:
        viewer = check_active(rows.users.get(watched.viewer_id))
        if watched.session_id is not None:
            session = rows.sessions.get(watched.session_id)
            if session is None:
                raise NotFound("Session not found.")
            agents = rows.agents_with_grants(viewer.id, (session.agent_id, session.peer_agent_id))
            session_read_through(viewer, session, agents)
        if watched.agent_id is not None:
            agent = rows.agents.get(watched.agent_id)
            agent_access(viewer, agent, rows.grants.get((viewer.id, watched.agent_id), []))
            assert agent is not None
            check_may_list(viewer, agent, all_sessions=watched.all_sessions)
    except ApiError as error:
        return error
    return None
