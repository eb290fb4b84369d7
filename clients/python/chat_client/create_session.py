from typing import Literal, Union

from pydantic import Field

from .base_model import BaseModel
from .fragments import SessionListItem


class CreateSession(BaseModel):
    create_session: Union[
        "CreateSessionCreateSessionSession",
        "CreateSessionCreateSessionNotFoundError",
        "CreateSessionCreateSessionForbiddenError",
        "CreateSessionCreateSessionValidationError",
    ] = Field(alias="createSession", discriminator="typename__")


class CreateSessionCreateSessionSession(SessionListItem):
    typename__: Literal["Session"] = Field(alias="__typename")


class CreateSessionCreateSessionNotFoundError(BaseModel):
    typename__: Literal["NotFoundError"] = Field(alias="__typename")
    message: str


class CreateSessionCreateSessionForbiddenError(BaseModel):
    typename__: Literal["ForbiddenError"] = Field(alias="__typename")
    message: str


class CreateSessionCreateSessionValidationError(BaseModel):
    typename__: Literal["ValidationError"] = Field(alias="__typename")
    message: str
    field: str


CreateSession.model_rebuild()
