"""Who may do what. Every resolver and mutation asks these questions, and only here.

- Access to an agent: it must exist and, unless the viewer is a platform admin, be in
  the viewer's tenant (else NotFound: another tenant's agents are never revealed).
  Platform admins and the agent's creator MANAGE it; otherwise the highest level that
  a company-wide or viewer-specific permission row grants; otherwise Forbidden.
- Seeing all sessions of an agent: admin roles and the agent's creator, on top of access.
- One session: its owner, or a viewer who may see all sessions of the agent.
"""

from enum import Enum

from db.models import Agent, ChatSession, User
from errors import Forbidden, NotFound


class AgentAccess(Enum):
    MANAGE = "manage"
    USE = "use"


_RANK = {AgentAccess.USE: 1, AgentAccess.MANAGE: 2}
_SEE_ALL_ROLES = frozenset({"platform_admin", "org_admin", "agent_admin"})


def agent_access(viewer: User, agent: Agent | None, granted_levels: list[str]) -> AgentAccess:
    if agent is None or (viewer.role != "platform_admin" and agent.tenant_id != viewer.tenant_id):
        raise NotFound("Agent not found.")
    if viewer.role == "platform_admin" or agent.creator_id == viewer.id:
        return AgentAccess.MANAGE
    granted = [AgentAccess(level) for level in granted_levels if level in ("manage", "use")]
    if not granted:
        raise Forbidden("You have no access to this agent.")
    return max(granted, key=_RANK.__getitem__)


def may_see_all_sessions(viewer: User, agent: Agent) -> bool:
    """Only meaningful once `agent_access` has let the viewer in."""
    return viewer.role in _SEE_ALL_ROLES or agent.creator_id == viewer.id


def check_session_access(viewer: User, agent: Agent, session: ChatSession) -> None:
    """Raise Forbidden unless the viewer owns the session or sees all of `agent`'s."""
    if session.user_id != viewer.id and not may_see_all_sessions(viewer, agent):
        raise Forbidden("You may not access this session.")
