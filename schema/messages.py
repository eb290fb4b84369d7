import uuid
from collections.abc import Awaitable
from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from context import Info
from db import models
from loaders.ready import then
from resolvers.tool_calls import (
    INLINE_MARKER,
    ToolCallData,
    parse_tool_call,
    split_inline_tool_calls,
)
from schema.pagination import PageInfo


@strawberry.enum
class MessageRole(Enum):
    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"
    TOOL_CALL = "tool_call"


@strawberry.type
class ToolCall:
    name: str
    args: JSON | None = strawberry.field(
        description=(
            'The call\'s arguments; for an inline call whose arguments are not JSON, {"raw": text}.'
        )
    )
    status: str = strawberry.field(description="Stored status, 'done' when absent.")
    result: JSON | None = strawberry.field(description="Stored result, '' when absent.")

    @classmethod
    def from_data(cls, call: ToolCallData) -> "ToolCall":
        return cls(name=call.name, args=call.args, status=call.status, result=call.result)


@strawberry.type
class TextPart:
    text: str


@strawberry.type
class ToolCallPart:
    tool_call: ToolCall


MessagePart = Annotated[TextPart | ToolCallPart, strawberry.union("MessagePart")]


@strawberry.type
class Message:
    id: strawberry.ID
    role: MessageRole
    content: str = strawberry.field(description="The content as stored.")
    thinking: str | None
    created_at: datetime | None
    participant_id: strawberry.ID | None
    participant_uuid: strawberry.Private[uuid.UUID | None]
    in_agent_session: strawberry.Private[bool]

    @classmethod
    def from_model(cls, message: models.ChatMessage, in_agent_session: bool) -> "Message":
        participant = message.participant_id
        return cls(
            id=strawberry.ID(str(message.id)),
            role=MessageRole(message.role),
            content=message.content,
            thinking=message.thinking,
            created_at=message.created_at,
            participant_id=strawberry.ID(str(participant)) if participant else None,
            participant_uuid=participant,
            in_agent_session=in_agent_session,
        )

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


def _sender_name(participant: models.Participant | None) -> str:
    return participant.display_name if participant else "Unknown"


@strawberry.type
class MessageEdge:
    cursor: str
    node: Message


@strawberry.type
class MessageConnection:
    edges: list[MessageEdge]
    page_info: PageInfo
    conversation_id: strawberry.Private[str]

    @strawberry.field
    def nodes(self) -> list[Message]:
        return [edge.node for edge in self.edges]

    @strawberry.field(graphql_type=int, description="Number of messages in the session.")
    def total_count(self, info: Info) -> int | Awaitable[int]:
        loader = info.context.loaders.message_count_by_conversation
        return then(int, loader.load(self.conversation_id))
