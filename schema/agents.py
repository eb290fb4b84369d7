from enum import Enum
from typing import Annotated

import strawberry

from auth.access import AgentAccess as Access
from auth.access import may_see_all_sessions
from context import Info
from db.agents import AnyAgent
from db.sessions import SessionScope as Scope
from db.users import AnyUser
from resolvers import sessions as session_resolvers
from schema.nodes import Node
from schema.sessions import Session, SessionConnection, SessionScope


@strawberry.enum(description="What a viewer may do with an agent.")
class AgentAccess(Enum):
    MANAGE = strawberry.enum_value(
        Access.MANAGE.value,
        description=(
            "Chat with the agent and manage it: its creator, an admin (unless the agent is "
            "private), or a viewer granted 'manage'."
        ),
    )
    USE = strawberry.enum_value(Access.USE.value, description="Chat with the agent, not manage it.")


@strawberry.type(
    description=(
        "An AI agent of the viewer's tenant, that people (and other agents) chat with in sessions."
    )
)
class Agent(Node):
    id: strawberry.ID = strawberry.field(description="The agent's id (a UUID).")
    name: str = strawberry.field(description="The agent's name.")
    avatar_url: str | None = strawberry.field(
        description="Address of the agent's picture; null when none is set."
    )
    viewer_access: AgentAccess = strawberry.field(description="The viewer's access to this agent.")
    viewer_can_see_all_sessions: bool = strawberry.field(
        description="Whether the viewer may list every user's sessions of this agent (scope ALL)."
    )
    model: strawberry.Private[AnyAgent]
    viewer: strawberry.Private[AnyUser]

    @classmethod
    def from_model(cls, agent: AnyAgent, viewer: AnyUser, access: Access) -> "Agent":
        return cls(
            id=strawberry.ID(str(agent.id)),
            name=agent.name,
            avatar_url=agent.avatar_url,
            viewer_access=AgentAccess(access.value),
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
        scope: Annotated[
            SessionScope, strawberry.argument(description="Whose sessions: MINE (default) or ALL.")
        ] = SessionScope.MINE,
        first: Annotated[
            int, strawberry.argument(description="How many sessions to return: 1..200.")
        ] = 50,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="Start after this cursor (a SessionEdge's, or pageInfo.endCursor)."
            ),
        ] = None,
    ) -> SessionConnection:
        return await session_resolvers.resolve_sessions(
            info, self.model, self.viewer, scope=Scope(scope.value), first=first, after=after
        )

    @strawberry.field(
        description=(
            "One session of this agent, or an agent-to-agent session where this agent is the "
            "peer. Null with NOT_FOUND when there is none; null with FORBIDDEN when the viewer "
            "is neither its owner nor allowed to see all sessions of this agent."
        )
    )
    async def session(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The session's id.")],
    ) -> Session | None:
        return await session_resolvers.resolve_session(info, self.model, self.viewer, id)

    @strawberry.field(
        description=(
            "The viewer's unread messages over their own active direct sessions of this agent "
            "(the sum of those sessions' unreadCount), for a sidebar badge; at most 100, which "
            'reads as "100 or more".'
        )
    )
    async def unread_count(self, info: Info) -> int:
        return await session_resolvers.resolve_agent_unread_count(info, self.model, self.viewer)
