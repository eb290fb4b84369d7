import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from context import Info
from db import models
from db.agents import AnyAgent
from db.sessions import SessionScope as Scope
from db.sessions import conversation_id, is_own_direct
from db.users import AnyUser
from loaders import Loaders
from loaders.ready import then
from resolvers import messages as message_resolvers
from resolvers import runs as run_resolvers
from resolvers.naming import agent_name, group_display_name, user_display_name
from resolvers.pages import check_count_limit
from schema.counts import Count
from schema.messages import MessageConnection
from schema.nodes import Node
from schema.pagination import PageInfo
from schema.runs import Run, RunConnection
from schema.users import User


@strawberry.enum(description="Which of an agent's sessions a list holds.")
class SessionScope(Enum):
    MINE = strawberry.enum_value(
        Scope.MINE.value,
        description=(
            "The viewer's own direct sessions with this agent (kind DIRECT, not deleted) that "
            "hold at least one message, from whichever side."
        ),
    )
    ALL = strawberry.enum_value(
        Scope.ALL.value,
        description=(
            "Every session of this agent in the viewer's tenant that holds a message and is not "
            "deleted, plus agent-to-agent sessions in which this agent is the peer."
        ),
    )


@strawberry.enum(description="What kind of conversation a session is.")
class SessionKind(Enum):
    """The values are the platform's session_type."""

    DIRECT = strawberry.enum_value("direct", description="A user's one-to-one chat with the agent.")
    GROUP = strawberry.enum_value("group", description="A group chat the agent takes part in.")
    AGENT_TO_AGENT = strawberry.enum_value("a2a", description="A conversation between two agents.")
    TRIGGER = strawberry.enum_value("trigger", description="A session started by a trigger.")


@strawberry.enum(description="Who the agent talks with in a session.")
class ParticipantType(Enum):
    USER = strawberry.enum_value("user", description="A person, one to one.")
    AGENT = strawberry.enum_value("agent", description="Another agent (an agent-to-agent session).")
    GROUP = strawberry.enum_value("group", description="A group chat.")


_PARTICIPANT_TYPES = {"a2a": ParticipantType.AGENT, "group": ParticipantType.GROUP}


@strawberry.type(
    description=(
        "A conversation with an agent: a user's chat, a group chat, an agent-to-agent "
        "conversation or a triggered run. Deleted sessions are never returned."
    )
)
class Session(Node):
    id: strawberry.ID = strawberry.field(description="The session's id (a UUID).")
    agent_id: strawberry.ID = strawberry.field(
        description=(
            "The id of the session's own agent (an agent-to-agent session has a second one: "
            "see peerAgentId)."
        )
    )
    user_id: strawberry.ID | None = strawberry.field(
        description="The owning user; null for sessions without one."
    )
    source_channel: str = strawberry.field(
        description="web, feishu, discord, slack, agent, trigger, or another channel name."
    )
    title: str = strawberry.field(description="The session's title, 1 to 200 characters.")
    created_at: datetime = strawberry.field(description="When the session was created.")
    last_message_at: datetime | None = strawberry.field(
        description="When its newest message was written; null before the first one."
    )
    participant_type: ParticipantType = strawberry.field(
        description="AGENT for agent-to-agent sessions, GROUP for group sessions, else USER."
    )
    peer_agent_id: strawberry.ID | None = strawberry.field(
        description=(
            "For agent-to-agent sessions the other agent of the conversation, seen from the "
            "agent the session is read through (the stored peer, or the session's own agent "
            "when that agent is the stored peer); null for any other session."
        )
    )
    is_group: bool = strawberry.field(description="Whether this is a group session (kind GROUP).")
    group_name: str | None = strawberry.field(
        description="The group's name, for group sessions that have one; else null."
    )
    kind: SessionKind = strawberry.field(
        description="What kind of conversation this is, from the platform's session type."
    )
    is_primary: bool = strawberry.field(
        description=(
            "Whether this is the owner's primary direct session with the agent (the one a new "
            "chat opens); at most one per owner and agent."
        )
    )
    last_read_at: datetime | None = strawberry.field(
        description="When the owner last marked the session read; null when never."
    )
    updated_at: datetime = strawberry.field(
        description="When the session last changed: renamed, marked read, made primary, deleted."
    )
    model: strawberry.Private[models.ChatSession]
    peer_agent_uuid: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_model(
        cls, session: models.ChatSession, read_through: uuid.UUID | None = None
    ) -> "Session":
        """The session as read through the agent `read_through` (by default its own agent)."""
        kind = SessionKind(session.session_type)
        peer = None
        if kind is SessionKind.AGENT_TO_AGENT:
            through = session.agent_id if read_through is None else read_through
            peer = session.agent_id if through == session.peer_agent_id else session.peer_agent_id
        return cls(
            id=strawberry.ID(str(session.id)),
            agent_id=strawberry.ID(str(session.agent_id)),
            user_id=strawberry.ID(str(session.user_id)) if session.user_id else None,
            source_channel=session.source_channel,
            title=session.title,
            created_at=session.created_at,
            last_message_at=session.last_message_at,
            participant_type=_PARTICIPANT_TYPES.get(session.session_type, ParticipantType.USER),
            peer_agent_id=strawberry.ID(str(peer)) if peer else None,
            is_group=kind is SessionKind.GROUP,
            group_name=session.group_name,
            kind=kind,
            is_primary=session.is_primary,
            last_read_at=session.last_read_at_by_user,
            updated_at=session.updated_at,
            model=session,
            peer_agent_uuid=peer,
        )

    # The fields below return their value at once when a list resolver has loaded it
    # (see resolvers/sessions.py), and an awaitable otherwise.
    @strawberry.field(
        graphql_type=User | None, description="The owning user (see userId); null without one."
    )
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
            "owning user's display name (when it is null, the identity's username; when that "
            "is empty or missing, 'Unknown')."
        ),
    )
    def display_name(self, info: Info) -> str | Awaitable[str]:
        loaders = info.context.loaders
        if self.kind is SessionKind.AGENT_TO_AGENT:
            return then(
                _agent_to_agent_name,
                _agent(loaders, self.model.agent_id),
                _agent(loaders, self.model.peer_agent_id),
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
            "For agent-to-agent sessions the name of the agent in peerAgentId ('Agent' when "
            "missing); else null."
        ),
    )
    def peer_agent_name(self, info: Info) -> str | Awaitable[str] | None:
        if self.kind is not SessionKind.AGENT_TO_AGENT:
            return None
        return then(agent_name, _agent(info.context.loaders, self.peer_agent_uuid))

    @strawberry.field(
        graphql_type=int,
        description=(
            "For the viewer's own direct sessions: messages from the agent side (assistant, "
            "system, tool calls) newer than the viewer's last read; 0 for any other session. At "
            'most 100, which reads as "100 or more" (a badge shows 99+).'
        ),
    )
    def unread_count(self, info: Info) -> int | Awaitable[int]:
        if not is_own_direct(self.model, info.context.viewer_id):
            return 0
        return then(int, info.context.loaders.unread_count_by_session.load(self.model.id))

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
        first: Annotated[
            int | None,
            strawberry.argument(
                description="How many of the oldest messages (after `after`): 1..500."
            ),
        ] = None,
        after: Annotated[
            str | None,
            strawberry.argument(description="Page forward: start after this message cursor."),
        ] = None,
        last: Annotated[
            int | None,
            strawberry.argument(
                description="How many of the newest messages (before `before`): 1..500."
            ),
        ] = None,
        before: Annotated[
            str | None,
            strawberry.argument(description="Page back: end before this message cursor."),
        ] = None,
    ) -> MessageConnection:
        return await message_resolvers.resolve_messages(
            info, self.model, first=first, after=after, last=last, before=before
        )

    @strawberry.field(
        graphql_type=Run | None,
        description=(
            "The run that holds this session's chat lane now (the agent working, queued or "
            "waiting on the user), for the owner of an active direct web session; null for "
            "anyone else and when there is none. Two lane holders are a CONFLICT error."
        ),
    )
    def active_run(self, info: Info) -> Run | Awaitable[Run | None] | None:
        return run_resolvers.resolve_active_run(info, self.model)

    @strawberry.field(description="The session's runs, newest first. first is 1..100.")
    async def runs(
        self,
        info: Info,
        first: Annotated[
            int,
            strawberry.argument(description="How many of the newest runs (after `after`): 1..100."),
        ] = 20,
        after: Annotated[
            str | None,
            strawberry.argument(description="Page on: start after this run cursor."),
        ] = None,
    ) -> RunConnection:
        return await run_resolvers.resolve_runs(info, self.model, first, after)


def _user(user: AnyUser | None) -> User | None:
    return User.from_model(user) if user else None


def _agent_to_agent_name(agent: AnyAgent | None, peer: AnyAgent | None) -> str:
    return f"Agent {agent_name(agent)} - {agent_name(peer)}"


def _agent(loaders: Loaders, agent_id: uuid.UUID | None) -> Awaitable[AnyAgent | None]:
    """The agent's row from its loader; for no id, None (as a loaded value, see `then`)."""
    if agent_id is not None:
        return loaders.agent_by_id.load(agent_id)
    none: asyncio.Future[AnyAgent | None] = asyncio.get_running_loop().create_future()
    none.set_result(None)
    return none


@strawberry.type(description="A session in a list, with where it stands.")
class SessionEdge:
    cursor: str = strawberry.field(
        description="Where the session stands in the list: pass it as `after` to continue after it."
    )
    node: Session = strawberry.field(description="The session.")


@strawberry.type(description="One page of a list of sessions, most recently active first.")
class SessionConnection:
    edges: list[SessionEdge] = strawberry.field(
        description="The page's sessions, each with its cursor."
    )
    page_info: PageInfo = strawberry.field(description="Where the page stands in the list.")
    count_all: strawberry.Private[Callable[[], Awaitable[int]]]
    count_up_to: strawberry.Private[Callable[[int], Awaitable[int]]]

    @strawberry.field(description="The page's sessions, as in edges, without their cursors.")
    def nodes(self) -> list[Session]:
        return [edge.node for edge in self.edges]

    @strawberry.field(
        description=(
            "Number of sessions the list holds across all pages, exact; it reads the whole "
            "list, so prefer `count` on big lists."
        )
    )
    async def total_count(self) -> int:
        return await self.count_all()

    @strawberry.field(
        description="How many sessions the list holds, reading at most `limit` of them (1..10000)."
    )
    async def count(
        self,
        limit: Annotated[
            int, strawberry.argument(description="Stop counting here: 1..10000.")
        ] = 1000,
    ) -> Count:
        check_count_limit(limit)
        return Count.of(await self.count_up_to(limit + 1), limit)


@strawberry.type(description="What deleteSession returns: the session is gone.")
class DeletedSession:
    id: strawberry.ID = strawberry.field(
        description="The deleted session's id: evict it from a client cache."
    )
