from datetime import datetime
from typing import Literal, Optional, Union

from pydantic import Field

from .base_model import BaseModel


class MarkSessionRead(BaseModel):
    mark_session_read: Union[
        "MarkSessionReadMarkSessionReadSession",
        "MarkSessionReadMarkSessionReadNotFoundError",
        "MarkSessionReadMarkSessionReadForbiddenError",
    ] = Field(alias="markSessionRead", discriminator="typename__")


class MarkSessionReadMarkSessionReadSession(BaseModel):
    typename__: Literal["Session"] = Field(alias="__typename")
    id: str
    unread_count: int = Field(alias="unreadCount")
    last_read_at: Optional[datetime] = Field(alias="lastReadAt")


class MarkSessionReadMarkSessionReadNotFoundError(BaseModel):
    typename__: Literal["NotFoundError"] = Field(alias="__typename")
    message: str


class MarkSessionReadMarkSessionReadForbiddenError(BaseModel):
    typename__: Literal["ForbiddenError"] = Field(alias="__typename")
    message: str


MarkSessionRead.model_rebuild()
