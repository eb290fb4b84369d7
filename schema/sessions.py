from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import Enum

import strawberry

from context import Info
from db import models
from db.sessions import SessionScope as Scope
from db.sessions import conversation_id
from loaders.ready import then
from resolvers import messages as message_resolvers
from resolvers.naming import agent_name, group_display_name, user_display_name
from schema.messages import MessageConnection
from schema.pagination import PageInfo
from schema.users import User

SessionScope = strawberry.enum(Scope, name="SessionScope")


@strawberry.enum
class ParticipantType(Enum):
    USER = "user"
    AGENT = "agent"
    GROUP = "group"


@strawberry.type
class Session:
    id: strawberry.ID
    agent_id: strawberry.ID
    user_id: strawberry.ID | None = strawberry.field(
        description="The owning user; null for sessions without one."
    )
    source_channel: str = strawberry.field(
        description="web, feishu, discord, slack, agent, trigger, or another channel name."
    )
    title: str
    created_at: datetime
    last_message_at: datetime | None
    participant_type: ParticipantType = strawberry.field(
        description="AGENT for agent-to-agent sessions, GROUP for group sessions, else USER."
    )
    peer_agent_id: strawberry.ID | None = strawberry.field(
        description="For agent-to-agent sessions the stored peer agent; null for any other session."
    )
    is_group: bool
    group_name: str | None
    model: strawberry.Private[models.ChatSession]

    @classmethod
    def from_model(cls, session: models.ChatSession) -> "Session":
        agent_to_agent = is_agent_to_agent(session)
        if session.is_group:
            participant_type = ParticipantType.GROUP
        elif agent_to_agent:
            participant_type = ParticipantType.AGENT
        else:
            participant_type = ParticipantType.USER
        return cls(
            id=strawberry.ID(str(session.id)),
            agent_id=strawberry.ID(str(session.agent_id)),
            user_id=strawberry.ID(str(session.user_id)) if session.user_id else None,
            source_channel=session.source_channel,
            title=session.title,
            created_at=session.created_at,
            last_message_at=session.last_message_at,
            participant_type=participant_type,
            peer_agent_id=strawberry.ID(str(session.peer_agent_id)) if agent_to_agent else None,
            is_group=session.is_group,
            group_name=session.group_name,
            model=session,
        )

    # The fields below return their value at once when a list resolver has loaded it
    # (see resolvers/sessions.py), and an awaitable otherwise.
    @strawberry.field(graphql_type=User | None)
    def user(self, info: Info) -> User | Awaitable[User | None] | None:
        if self.model.user_id is None:
            return None
        return then(_user, info.context.loaders.user_by_id.load(self.model.user_id))

    @strawberry.field(
        graphql_type=str,
        description=(
            "How a session list labels the other side: for agent-to-agent sessions "
            "'Agent <agent name> - <peer agent name>' (a missing agent reads 'Agent'); for "
            "group sessions the group name, else the title, else 'Group Chat'; otherwise the "
            "owning user's display name (else identity username, else 'Unknown')."
        ),
    )
    def display_name(self, info: Info) -> str | Awaitable[str]:
        loaders = info.context.loaders
        if self.peer_agent_id is not None:
            return then(
                _agent_to_agent_name,
                loaders.agent_by_id.load(self.model.agent_id),
                loaders.agent_by_id.load(self.model.peer_agent_id),
            )
        if self.is_group:
            return group_display_name(self.group_name, self.title)
        if self.model.user_id is None:
            return user_display_name(None)
        return then(user_display_name, loaders.user_by_id.load(self.model.user_id))

    @strawberry.field(graphql_type=int, description="Number of messages stored for this session.")
    def message_count(self, info: Info) -> int | Awaitable[int]:
        loader = info.context.loaders.message_count_by_conversation
        return then(int, loader.load(conversation_id(self.model.id)))

    @strawberry.field(
        graphql_type=str | None,
        description=(
            "For agent-to-agent sessions the peer agent's name ('Agent' when missing); else null."
        ),
    )
    def peer_agent_name(self, info: Info) -> str | Awaitable[str] | None:
        if self.model.peer_agent_id is None or self.peer_agent_id is None:
            return None
        return then(agent_name, info.context.loaders.agent_by_id.load(self.model.peer_agent_id))

    @strawberry.field(
        description=(
            "Messages in chronological order (created time, then id). Give first (with after) "
            "to page forward from the oldest, or last (with before) to page back from the "
            "newest; with neither, the newest 100. first and last are 1..500; giving both, or "
            "a bad cursor, is a BAD_USER_INPUT error."
        )
    )
    async def messages(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> MessageConnection:
        return await message_resolvers.resolve_messages(
            info, self.model, first=first, after=after, last=last, before=before
        )


def _user(user: models.User | None) -> User | None:
    return User.from_model(user) if user else None


def _agent_to_agent_name(agent: models.Agent | None, peer: models.Agent | None) -> str:
    return f"Agent {agent_name(agent)} - {agent_name(peer)}"


def is_agent_to_agent(session: models.ChatSession) -> bool:
    return session.source_channel == "agent" and session.peer_agent_id is not None


@strawberry.type
class SessionEdge:
    cursor: str
    node: Session


@strawberry.type
class SessionConnection:
    edges: list[SessionEdge]
    page_info: PageInfo
    count_all: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field
    def nodes(self) -> list[Session]:
        return [edge.node for edge in self.edges]

    @strawberry.field(description="Number of sessions the list holds across all pages.")
    async def total_count(self) -> int:
        return await self.count_all()


@strawberry.type
class DeletedSession:
    id: strawberry.ID
