from datetime import datetime
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import Field

from .base_model import BaseModel
from .enums import MessageRole, ParticipantType, RunStatus, SessionKind


class ActiveRun(BaseModel):
    id: str
    status: RunStatus
    can_cancel: bool = Field(alias="canCancel")
    can_resume: bool = Field(alias="canResume")
    waiting: Optional["ActiveRunWaiting"]


class ActiveRunWaiting(BaseModel):
    type_: str = Field(alias="type")
    reason: Optional[str]
    correlation_id: Optional[str] = Field(alias="correlationId")


class ChatMessage(BaseModel):
    id: str
    role: MessageRole
    created_at: Optional[datetime] = Field(alias="createdAt")
    sender_name: Optional[str] = Field(alias="senderName")
    runtime_error: Optional["ChatMessageRuntimeError"] = Field(alias="runtimeError")
    parts: list[
        Annotated[
            Union["ChatMessagePartsTextPart", "ChatMessagePartsToolCallPart"],
            Field(discriminator="typename__"),
        ]
    ]


class ChatMessageRuntimeError(BaseModel):
    code: str
    message: str
    trace_id: Optional[str] = Field(alias="traceId")


class ChatMessagePartsTextPart(BaseModel):
    typename__: Literal["TextPart"] = Field(alias="__typename")
    text: str


class ChatMessagePartsToolCallPart(BaseModel):
    typename__: Literal["ToolCallPart"] = Field(alias="__typename")
    tool_call: "ChatMessagePartsToolCallPartToolCall" = Field(alias="toolCall")


class ChatMessagePartsToolCallPartToolCall(BaseModel):
    call_id: str = Field(alias="callId")
    name: str
    args: Optional[Any]
    status: str
    result: Optional[Any]
    thinking: str


class SessionListItem(BaseModel):
    id: str
    title: str
    display_name: str = Field(alias="displayName")
    kind: SessionKind
    participant_type: ParticipantType = Field(alias="participantType")
    source_channel: str = Field(alias="sourceChannel")
    message_count: int = Field(alias="messageCount")
    unread_count: int = Field(alias="unreadCount")
    is_primary: bool = Field(alias="isPrimary")
    created_at: datetime = Field(alias="createdAt")
    last_message_at: Optional[datetime] = Field(alias="lastMessageAt")


ActiveRun.model_rebuild()
ChatMessage.model_rebuild()
SessionListItem.model_rebuild()
