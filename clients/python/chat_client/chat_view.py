from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .enums import CountPrecision, SessionKind
from .fragments import ActiveRun, ChatMessage


class ChatView(BaseModel):
    agent: Optional["ChatViewAgent"]


class ChatViewAgent(BaseModel):
    id: str
    session: Optional["ChatViewAgentSession"]


class ChatViewAgentSession(BaseModel):
    id: str
    title: str
    display_name: str = Field(alias="displayName")
    kind: SessionKind
    unread_count: int = Field(alias="unreadCount")
    messages: "ChatViewAgentSessionMessages"
    active_run: Optional["ChatViewAgentSessionActiveRun"] = Field(alias="activeRun")


class ChatViewAgentSessionMessages(BaseModel):
    count: "ChatViewAgentSessionMessagesCount"
    page_info: "ChatViewAgentSessionMessagesPageInfo" = Field(alias="pageInfo")
    nodes: list["ChatViewAgentSessionMessagesNodes"]


class ChatViewAgentSessionMessagesCount(BaseModel):
    count: int
    precision: CountPrecision


class ChatViewAgentSessionMessagesPageInfo(BaseModel):
    has_previous_page: bool = Field(alias="hasPreviousPage")
    start_cursor: Optional[str] = Field(alias="startCursor")


ChatViewAgentSessionMessagesNodes = ChatMessage
ChatViewAgentSessionActiveRun = ActiveRun
ChatView.model_rebuild()
ChatViewAgent.model_rebuild()
ChatViewAgentSession.model_rebuild()
ChatViewAgentSessionMessages.model_rebuild()
