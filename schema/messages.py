import uuid
from collections.abc import Awaitable
from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from context import Info
from db import models
from db.messages import MessageKey
from db.participants import ParticipantRow
from db.run_events import MessageRef, RuntimeFailure, may_fail
from loaders.ready import then
from resolvers.cursors import message_cursor
from resolvers.pages import check_count_limit
from resolvers.tool_calls import (
    INLINE_MARKER,
    ToolCallData,
    parse_tool_call,
    split_inline_tool_calls,
)
from schema.counts import Count
from schema.nodes import Node
from schema.pagination import PageInfo


@strawberry.enum(description="Who wrote a message.")
class MessageRole(Enum):
    USER = strawberry.enum_value(
        "user", description="The person (or peer agent) talking to the agent."
    )
    ASSISTANT = strawberry.enum_value("assistant", description="The agent's reply.")
    SYSTEM = strawberry.enum_value("system", description="A notice from the platform.")
    TOOL_CALL = strawberry.enum_value(
        "tool_call", description="A tool the agent called, and its result (see Message.toolCall)."
    )


@strawberry.type(description="A tool the agent called: what it asked for and what it got.")
class ToolCall:
    name: str = strawberry.field(description="The tool's name; '' when absent.")
    args: JSON | None = strawberry.field(
        description=(
            'The call\'s arguments; for an inline call whose arguments are not JSON, {"raw": text}.'
        )
    )
    status: str = strawberry.field(description="Stored status, 'done' when absent.")
    result: JSON | None = strawberry.field(description="Stored result, '' when absent.")
    thinking: str = strawberry.field(
        description="The model's reasoning for the call; '' when absent."
    )
    call_id: str = strawberry.field(description="The model's id for the call; '' when absent.")

    @classmethod
    def from_data(cls, call: ToolCallData) -> "ToolCall":
        return cls(
            name=call.name,
            args=call.args,
            status=call.status,
            result=call.result,
            thinking=call.thinking,
            call_id=call.call_id,
        )


@strawberry.type(
    name="RuntimeError",
    description="Why an agent run failed to deliver a message, as the platform recorded it.",
)
class RunFailure:
    """GraphQL's RuntimeError (named apart from Python's)."""

    code: str = strawberry.field(description="The platform's failure code, e.g. 'model_timeout'.")
    message: str = strawberry.field(description="The platform's failure message.")
    run_id: strawberry.ID = strawberry.field(description="The id of the run that failed.")
    agent_id: strawberry.ID | None = strawberry.field(
        description="The agent whose run failed; null when the platform did not record it."
    )
    stage: str = strawberry.field(description="Where the run failed: 'execution'.")
    trace_id: str | None = strawberry.field(
        description="The run's trace id, for the platform's logs; null when absent."
    )

    @classmethod
    def from_data(cls, failure: RuntimeFailure | None) -> "RunFailure | None":
        if failure is None:
            return None
        return cls(
            code=failure.code,
            message=failure.message,
            run_id=strawberry.ID(str(failure.run_id)),
            agent_id=strawberry.ID(str(failure.agent_id)) if failure.agent_id else None,
            stage=failure.stage,
            trace_id=failure.trace_id,
        )


@strawberry.type(description="Text of a message, as a chat view shows it.")
class TextPart:
    text: str = strawberry.field(description="The text, stripped; never blank.")


@strawberry.type(description="A tool call within a message, as a chat view shows it.")
class ToolCallPart:
    tool_call: ToolCall = strawberry.field(description="The call.")


MessagePart = Annotated[
    TextPart | ToolCallPart,
    strawberry.union("MessagePart", description="A piece of a message: text or a tool call."),
]


@strawberry.type(description="One message of a session.")
class Message(Node):
    id: strawberry.ID = strawberry.field(description="The message's id (a UUID).")
    role: MessageRole = strawberry.field(description="Who wrote the message.")
    content: str = strawberry.field(description="The content as stored.")
    thinking: str | None = strawberry.field(
        description="The model's reasoning before it answered; null when none was stored."
    )
    created_at: datetime | None = strawberry.field(description="When the message was written.")
    participant_id: strawberry.ID | None = strawberry.field(
        description="The sending participant (a person or an agent); null when not recorded."
    )
    participant_uuid: strawberry.Private[uuid.UUID | None]
    in_agent_session: strawberry.Private[bool]
    # (session id, message id) when the message may carry a runtime error, else None.
    failure_key: strawberry.Private[MessageRef | None]
    session_id: strawberry.Private[uuid.UUID]
    stored_at: strawberry.Private[datetime]

    @classmethod
    def from_model(cls, message: models.ChatMessage, session: models.ChatSession) -> "Message":
        participant = message.participant_id
        role = MessageRole(message.role)
        return cls(
            id=strawberry.ID(str(message.id)),
            role=role,
            content=message.content,
            thinking=message.thinking,
            created_at=message.created_at,
            participant_id=strawberry.ID(str(participant)) if participant else None,
            participant_uuid=participant,
            in_agent_session=session.session_type == "a2a",
            failure_key=(session.id, message.id) if may_fail(message, session) else None,
            session_id=session.id,
            stored_at=message.created_at,
        )

    @strawberry.field(
        description=(
            "Where the message stands in its session: pass it as `after` to Session.messages "
            "or Subscription.messageAdded to continue after it (a reconnecting subscriber "
            "passes the last one it received)."
        )
    )
    def cursor(self) -> str:
        return message_cursor(self.session_id, MessageKey(self.stored_at, uuid.UUID(self.id)))

    @strawberry.field(
        graphql_type=str | None,
        description=(
            "The sending participant's display name ('Unknown' when the participant is missing)."
        ),
    )
    def sender_name(self, info: Info) -> str | Awaitable[str] | None:
        """At once when the page's resolver has loaded the participants (loaders/ready.py)."""
        if self.participant_uuid is None:
            return None
        loader = info.context.loaders.participant_by_id
        return then(_sender_name, loader.load(self.participant_uuid))

    @strawberry.field(
        graphql_type=RunFailure | None,
        description="For an assistant message whose delivery failed: the run's error; else null.",
    )
    def runtime_error(self, info: Info) -> RunFailure | Awaitable[RunFailure | None] | None:
        """At once when the page's resolver has loaded the page's failures (loaders/ready.py)."""
        if self.failure_key is None:
            return None
        loader = info.context.loaders.runtime_failure_by_message
        return then(RunFailure.from_data, loader.load(self.failure_key))

    def _stored_tool_call(self) -> ToolCallData | None:
        return parse_tool_call(self.content) if self.role is MessageRole.TOOL_CALL else None

    @strawberry.field(
        description="For TOOL_CALL messages whose content is a JSON object: the parsed call."
    )
    def tool_call(self) -> ToolCall | None:
        call = self._stored_tool_call()
        return ToolCall.from_data(call) if call else None

    @strawberry.field(
        description=(
            "The message as a chat view shows it. An assistant message in an agent-to-agent "
            "session that carries inline tool_code blocks becomes its text and tool-call parts "
            "in order (blank text dropped); a TOOL_CALL message with a parsed call is that one "
            "tool-call part; any other message is one text part holding its content."
        )
    )
    def parts(self) -> list[MessagePart]:
        if call := self._stored_tool_call():
            return [ToolCallPart(tool_call=ToolCall.from_data(call))]
        if (
            self.role is MessageRole.ASSISTANT
            and self.in_agent_session
            and INLINE_MARKER in self.content
        ):
            return [
                TextPart(text=part)
                if isinstance(part, str)
                else ToolCallPart(tool_call=ToolCall.from_data(part))
                for part in split_inline_tool_calls(self.content)
            ]
        return [TextPart(text=self.content)]


def _sender_name(participant: ParticipantRow | None) -> str:
    return participant.display_name if participant else "Unknown"


@strawberry.type(description="A message in a page, with where it stands.")
class MessageEdge:
    cursor: str = strawberry.field(
        description=(
            "Where the message stands in its session: pass it as `after` or `before` to page on "
            "from it."
        )
    )
    node: Message = strawberry.field(description="The message.")


@strawberry.type(description="One page of a session's messages, oldest first.")
class MessageConnection:
    edges: list[MessageEdge] = strawberry.field(
        description="The page's messages, each with its cursor."
    )
    page_info: PageInfo = strawberry.field(description="Where the page stands in the session.")
    conversation_id: strawberry.Private[str]
    session_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The page's messages, as in edges, without their cursors.")
    def nodes(self) -> list[Message]:
        return [edge.node for edge in self.edges]

    @strawberry.field(
        graphql_type=int,
        description="Number of messages in the session, exact; prefer `count` on long sessions.",
    )
    def total_count(self, info: Info) -> int | Awaitable[int]:
        loader = info.context.loaders.message_count_by_conversation
        return then(int, loader.load(self.conversation_id))

    @strawberry.field(
        graphql_type=Count,
        description=(
            "How many messages the session holds, reading at most `limit` of them (1..10000)."
        ),
    )
    def count(
        self,
        info: Info,
        limit: Annotated[
            int, strawberry.argument(description="Stop counting here: 1..10000.")
        ] = 1000,
    ) -> Count | Awaitable[Count]:
        check_count_limit(limit)
        found = info.context.loaders.message_count_up_to.load((self.session_id, limit + 1))
        return then(lambda n: Count.of(n, limit), found)
