import strawberry

from auth.access import AgentAccess as Access
from auth.access import may_see_all_sessions
from context import Info
from db import models
from db.sessions import SessionScope as Scope
from resolvers import sessions as session_resolvers
from schema.sessions import Session, SessionConnection, SessionScope

AgentAccess = strawberry.enum(Access, name="AgentAccess")


@strawberry.type
class Agent:
    id: strawberry.ID
    name: str
    avatar_url: str | None
    viewer_access: AgentAccess = strawberry.field(description="The viewer's access to this agent.")
    viewer_can_see_all_sessions: bool = strawberry.field(
        description="Whether the viewer may list every user's sessions of this agent (scope ALL)."
    )
    model: strawberry.Private[models.Agent]
    viewer: strawberry.Private[models.User]

    @classmethod
    def from_model(cls, agent: models.Agent, viewer: models.User, access: Access) -> "Agent":
        return cls(
            id=strawberry.ID(str(agent.id)),
            name=agent.name,
            avatar_url=agent.avatar_url,
            viewer_access=access,
            viewer_can_see_all_sessions=may_see_all_sessions(viewer, agent),
            model=agent,
            viewer=viewer,
        )

    @strawberry.field(
        description=(
            "Sessions of this agent, most recently active first (last message time descending, "
            "never-active last, then creation time descending, then id descending). Sessions "
            "without messages are never listed. FORBIDDEN error for scope ALL when the viewer "
            "may not see all sessions. first is 1..200; a bad cursor is a BAD_USER_INPUT error."
        )
    )
    async def sessions(
        self,
        info: Info,
        scope: SessionScope = Scope.MINE,
        first: int = 50,
        after: str | None = None,
    ) -> SessionConnection:
        return await session_resolvers.resolve_sessions(
            info, self.model, self.viewer, scope=scope, first=first, after=after
        )

    @strawberry.field(
        description=(
            "One session of this agent, or an agent-to-agent session where this agent is the "
            "peer. Null with NOT_FOUND when there is none; null with FORBIDDEN when the viewer "
            "is neither its owner nor allowed to see all sessions of this agent."
        )
    )
    async def session(self, info: Info, id: strawberry.ID) -> Session | None:
        return await session_resolvers.resolve_session(info, self.model, self.viewer, id)
