from typing import Literal, Union

from pydantic import Field

from .base_model import BaseModel
from .fragments import SessionListItem


class RenameSession(BaseModel):
    rename_session: Union[
        "RenameSessionRenameSessionSession",
        "RenameSessionRenameSessionNotFoundError",
        "RenameSessionRenameSessionForbiddenError",
        "RenameSessionRenameSessionValidationError",
    ] = Field(alias="renameSession", discriminator="typename__")


class RenameSessionRenameSessionSession(SessionListItem):
    typename__: Literal["Session"] = Field(alias="__typename")


class RenameSessionRenameSessionNotFoundError(BaseModel):
    typename__: Literal["NotFoundError"] = Field(alias="__typename")
    message: str


class RenameSessionRenameSessionForbiddenError(BaseModel):
    typename__: Literal["ForbiddenError"] = Field(alias="__typename")
    message: str


class RenameSessionRenameSessionValidationError(BaseModel):
    typename__: Literal["ValidationError"] = Field(alias="__typename")
    message: str
    field: str


RenameSession.model_rebuild()
