from datetime import datetime
from typing import Any, Literal, Optional, Union

from pydantic import Field

from .base_model import BaseModel
from .enums import RunLifecycleEvent, RunStatus, RunToolCallStatus
from .fragments import ChatMessage


class ChatActivity(BaseModel):
    run_events: Union[
        "ChatActivityRunEventsRunEvent",
        "ChatActivityRunEventsRunDelivery",
        "ChatActivityRunEventsRunLifecycle",
        "ChatActivityRunEventsRunProgress",
        "ChatActivityRunEventsRunThinking",
        "ChatActivityRunEventsRunToolCall",
    ] = Field(alias="runEvents", discriminator="typename__")


class ChatActivityRunEventsRunEvent(BaseModel):
    typename__: Literal["RunEvent"] = Field(alias="__typename")
    id: str
    run_id: str = Field(alias="runId")
    cursor: str
    created_at: datetime = Field(alias="createdAt")


class ChatActivityRunEventsRunDelivery(BaseModel):
    typename__: Literal["RunDelivery"] = Field(alias="__typename")
    id: str
    run_id: str = Field(alias="runId")
    cursor: str
    created_at: datetime = Field(alias="createdAt")
    failed: bool
    error_code: Optional[str] = Field(alias="errorCode")
    message: Optional["ChatActivityRunEventsRunDeliveryMessage"]


ChatActivityRunEventsRunDeliveryMessage = ChatMessage


class ChatActivityRunEventsRunLifecycle(BaseModel):
    typename__: Literal["RunLifecycle"] = Field(alias="__typename")
    id: str
    run_id: str = Field(alias="runId")
    cursor: str
    created_at: datetime = Field(alias="createdAt")
    event: RunLifecycleEvent
    run_status: RunStatus = Field(alias="runStatus")
    error_code: Optional[str] = Field(alias="errorCode")
    waiting: Optional["ChatActivityRunEventsRunLifecycleWaiting"]


class ChatActivityRunEventsRunLifecycleWaiting(BaseModel):
    type_: str = Field(alias="type")
    reason: Optional[str]


class ChatActivityRunEventsRunProgress(BaseModel):
    typename__: Literal["RunProgress"] = Field(alias="__typename")
    id: str
    run_id: str = Field(alias="runId")
    cursor: str
    created_at: datetime = Field(alias="createdAt")
    content: str


class ChatActivityRunEventsRunThinking(BaseModel):
    typename__: Literal["RunThinking"] = Field(alias="__typename")
    id: str
    run_id: str = Field(alias="runId")
    cursor: str
    created_at: datetime = Field(alias="createdAt")
    content: str


class ChatActivityRunEventsRunToolCall(BaseModel):
    typename__: Literal["RunToolCall"] = Field(alias="__typename")
    id: str
    run_id: str = Field(alias="runId")
    cursor: str
    created_at: datetime = Field(alias="createdAt")
    call_id: str = Field(alias="callId")
    name: str
    args: Optional[Any]
    status: RunToolCallStatus
    result: str
    error_code: Optional[str] = Field(alias="errorCode")


ChatActivity.model_rebuild()
ChatActivityRunEventsRunDelivery.model_rebuild()
ChatActivityRunEventsRunLifecycle.model_rebuild()
