"""Who may do what. Every resolver and mutation asks these questions, and only here.

- Access to an agent: it must exist, not be deleted, and be in the viewer's tenant, for
  every role (else NotFound: another tenant's agents are never revealed; a viewer without
  a tenant sees none). Then, by the agent's access mode (none reads as company):
  the creator MANAGEs it; a platform or org admin MANAGEs it unless it is private;
  custom: the viewer's own permission row grants its level; company: everyone in the
  tenant USEs it; private: the creator only. Anything else is Forbidden.
- The viewer: an existing, active user (else Unauthenticated).
- Seeing all sessions of an agent: admin roles and the agent's creator, on top of access.
- One session: its owner, or a viewer who may see all sessions of the agent.
- A session named by its id alone (Query.node, Query.session): active, in the viewer's
  tenant, and readable as above through its own agent or else its peer agent.
- A user: the viewer themself, and the users of the viewer's tenant.
- A session's runs and their events: whoever may read its messages. Its active run, and
  cancelling it: the owner of an active direct web session only (the platform's rule).
"""

import uuid
from collections.abc import Mapping
from enum import Enum
from typing import Any, TypeVar

from db.agents import AnyAgent
from db.models import ChatSession
from db.users import AnyUser
from errors import Forbidden, NotFound, Unauthenticated

AnyUserT = TypeVar("AnyUserT", bound=AnyUser)


class AgentAccess(Enum):
    MANAGE = "manage"
    USE = "use"


_RANK = {AgentAccess.USE: 1, AgentAccess.MANAGE: 2}
_ADMIN_ROLES = frozenset({"platform_admin", "org_admin"})
_SEE_ALL_ROLES = frozenset({"platform_admin", "org_admin", "agent_admin"})


def check_active(user: AnyUserT | None) -> AnyUserT:
    """The user, if they exist and are active; Unauthenticated otherwise."""
    if user is None or not user.is_active:
        raise Unauthenticated("The token's user does not exist or is inactive.")
    return user


def is_visible(viewer: AnyUser, agent: AnyAgent | None) -> bool:
    """Whether the agent exists for the viewer at all: active and in the viewer's tenant."""
    return (
        agent is not None
        and agent.deleted_at is None
        and viewer.tenant_id is not None
        and agent.tenant_id == viewer.tenant_id
    )


def agent_access(viewer: AnyUser, agent: AnyAgent | None, user_grants: list[str]) -> AgentAccess:
    """The viewer's access; `user_grants` are the levels of the viewer's own permission rows."""
    if agent is None or not is_visible(viewer, agent):
        raise NotFound("Agent not found.")
    mode = agent.access_mode or "company"
    if agent.creator_id == viewer.id:
        return AgentAccess.MANAGE
    if viewer.role in _ADMIN_ROLES and mode != "private":
        return AgentAccess.MANAGE
    if mode == "custom":
        granted = [AgentAccess(level) for level in user_grants if level in ("manage", "use")]
        if granted:
            return max(granted, key=_RANK.__getitem__)
    elif mode == "company":
        return AgentAccess.USE
    raise Forbidden("You have no access to this agent.")


def may_see_all_sessions(viewer: AnyUser, agent: AnyAgent) -> bool:
    """Only meaningful once `agent_access` has let the viewer in."""
    return viewer.role in _SEE_ALL_ROLES or agent.creator_id == viewer.id


def check_may_list(viewer: AnyUser, agent: AnyAgent, *, all_sessions: bool) -> None:
    """Raise Forbidden for the list of all sessions unless the viewer may see them (the
    viewer's own list needs only access to the agent)."""
    if all_sessions and not may_see_all_sessions(viewer, agent):
        raise Forbidden("You may not see all sessions of this agent.")


def check_session_access(viewer: AnyUser, agent: AnyAgent, session: ChatSession) -> None:
    """Raise Forbidden unless the viewer owns the session or sees all of `agent`'s."""
    if session.user_id != viewer.id and not may_see_all_sessions(viewer, agent):
        raise Forbidden("You may not access this session.")


def check_may_mark_read(viewer: AnyUser, session: ChatSession) -> None:
    """Raise Forbidden unless the viewer owns the session: only the owner's reads count."""
    if session.user_id != viewer.id:
        raise Forbidden("Only the session's owner may mark it read.")


def session_read_through(
    viewer: AnyUser, session: ChatSession, agents: Mapping[uuid.UUID, tuple[AnyAgent, list[str]]]
) -> AnyAgent:
    """The agent a session named by its id alone is read through, as Agent.session reads it:
    its own agent, else its peer. `agents` holds both, with the viewer's grants.

    NotFound for a deleted session, another tenant's, or one whose agents the viewer cannot
    see; Forbidden when an agent is visible but neither lets the viewer in.
    """
    if session.deleted_at is not None or session.tenant_id != viewer.tenant_id:
        raise NotFound("Session not found.")
    refusal: NotFound | Forbidden = NotFound("Session not found.")
    for agent_id in (session.agent_id, session.peer_agent_id):
        agent, grants = agents.get(agent_id, (None, [])) if agent_id else (None, [])
        try:
            agent_access(viewer, agent, grants)
            assert agent is not None
            check_session_access(viewer, agent, session)
            return agent
        except Forbidden as forbidden:
            refusal = forbidden
        except NotFound:
            pass
    raise refusal


def check_user_visible(viewer: AnyUser, user: AnyUser | None) -> None:
    """Raise NotFound unless the user is the viewer or in the viewer's tenant."""
    if user is None or not (
        user.id == viewer.id
        or (viewer.tenant_id is not None and user.tenant_id == viewer.tenant_id)
    ):
        raise NotFound("User not found.")


def is_own_direct_web(viewer_id: uuid.UUID | None, session: Any) -> bool:
    """Whether the session is the viewer's active direct web chat: the only sessions the
    platform shows an active run of, and lets its owner stop."""
    return (
        viewer_id is not None
        and session.user_id == viewer_id
        and session.session_type == "direct"
        and session.group_id is None
        and session.source_channel == "web"
        and session.deleted_at is None
    )


def check_may_cancel(viewer: AnyUser, session: Any, run_matches: bool) -> None:
    """Raise Forbidden unless the viewer owns the session's web chat and the run is its chat
    run (the platform's `_cancel_runtime_run`); only for a viewer who may read the session."""
    if not is_own_direct_web(viewer.id, session) or not run_matches:
        raise Forbidden("Only the owner of the session's web chat may stop its chat run.")
