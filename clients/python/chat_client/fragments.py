from datetime import datetime
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import Field

from .base_model import BaseModel
from .enums import MessageRole, ParticipantType


class ChatMessage(BaseModel):
    id: str
    role: MessageRole
    created_at: Optional[datetime] = Field(alias="createdAt")
    sender_name: Optional[str] = Field(alias="senderName")
    parts: list[
        Annotated[
            Union["ChatMessagePartsTextPart", "ChatMessagePartsToolCallPart"],
            Field(discriminator="typename__"),
        ]
    ]


class ChatMessagePartsTextPart(BaseModel):
    typename__: Literal["TextPart"] = Field(alias="__typename")
    text: str


class ChatMessagePartsToolCallPart(BaseModel):
    typename__: Literal["ToolCallPart"] = Field(alias="__typename")
    tool_call: "ChatMessagePartsToolCallPartToolCall" = Field(alias="toolCall")


class ChatMessagePartsToolCallPartToolCall(BaseModel):
    name: str
    args: Optional[Any]
    status: str
    result: Optional[Any]


class SessionListItem(BaseModel):
    id: str
    title: str
    display_name: str = Field(alias="displayName")
    participant_type: ParticipantType = Field(alias="participantType")
    source_channel: str = Field(alias="sourceChannel")
    message_count: int = Field(alias="messageCount")
    created_at: datetime = Field(alias="createdAt")
    last_message_at: Optional[datetime] = Field(alias="lastMessageAt")


ChatMessage.model_rebuild()
SessionListItem.model_rebuild()
