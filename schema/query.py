from typing import Annotated

import strawberry

from context import Info
from errors import ApiError
from resolvers import nodes as node_resolvers
from resolvers.agents import resolve_agent
from resolvers.nodes import AgentRead, MessageRead, NodeRead, RunRead, SessionRead
from schema.agents import Agent
from schema.messages import Message
from schema.nodes import Node
from schema.runs import Run
from schema.sessions import Session
from schema.users import User


@strawberry.type(description="What a viewer may read. Every field needs a valid bearer token.")
class Query:
    @strawberry.field(
        description="The authenticated user. UNAUTHENTICATED error without a valid bearer token."
    )
    async def viewer(self, info: Info) -> User:
        return User.from_model(await info.context.viewer())

    @strawberry.field(
        description=(
            "An agent the viewer may use or manage. Null with a NOT_FOUND error when the agent "
            "does not exist or belongs to another tenant; null with a FORBIDDEN error when it "
            "exists in the viewer's tenant but the viewer has no access."
        )
    )
    async def agent(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The agent's id.")],
    ) -> Agent | None:
        return await resolve_agent(info, id)

    @strawberry.field(
        description=(
            "A session by its id alone, read as Agent.session reads it through the session's "
            "own agent, or else through its peer agent (agent-to-agent sessions). Null with "
            "NOT_FOUND when there is none, it is deleted or another tenant's, or neither agent "
            "is visible to the viewer; null with FORBIDDEN when the viewer may not read it "
            "through either agent (neither its owner nor allowed to see all their sessions)."
        )
    )
    async def session(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The session's id.")],
    ) -> Session | None:
        read = await node_resolvers.resolve_session(info, id)
        return Session.from_model(read.session, read.through)

    @strawberry.field(
        description=(
            "Any object by its id alone (the platform's UUID), with the access rules of the "
            "field it is otherwise read through: an Agent as Query.agent, a Session as "
            "Query.session, a Message or a Run as its session's messages, a User when it is the "
            "viewer or in the viewer's tenant. Null with NOT_FOUND for an unknown id and for an "
            "object the viewer may not know of (the same answer, whatever its kind); null with "
            "FORBIDDEN where that field answers FORBIDDEN. A malformed id is BAD_USER_INPUT."
        )
    )
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The object's id.")],
    ) -> Node | None:
        return _node(await node_resolvers.resolve_node(info, id))

    @strawberry.field(
        description=(
            "Objects by their ids, in the order given, each as Query.node reads it: an object "
            "the viewer may not read is null in its slot, with an error whose path ends with "
            "its index. At most 100 ids, else BAD_USER_INPUT. Costs the same few database "
            "statements for 1 id or 100."
        )
    )
    async def nodes(
        self,
        info: Info,
        ids: Annotated[
            list[strawberry.ID], strawberry.argument(description="The objects' ids: 0 to 100.")
        ],
    ) -> list[Node | None]:
        reads = await node_resolvers.resolve_nodes(info, ids)
        # An error in a slot nulls that slot alone, with the error at its index.
        return [read if isinstance(read, ApiError) else _node(read) for read in reads]


def _node(read: NodeRead) -> Node:
    if isinstance(read, AgentRead):
        return Agent.from_model(read.agent, read.viewer, read.access)
    if isinstance(read, SessionRead):
        return Session.from_model(read.session, read.through)
    if isinstance(read, MessageRead):
        return Message.from_model(read.message, read.session)
    if isinstance(read, RunRead):
        return Run.of(read.run, read.session, read.viewer_id)
    return User.from_model(read.user)
