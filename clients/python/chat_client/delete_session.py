from typing import Literal, Union

from pydantic import Field

from .base_model import BaseModel


class DeleteSession(BaseModel):
    delete_session: Union[
        "DeleteSessionDeleteSessionDeletedSession",
        "DeleteSessionDeleteSessionNotFoundError",
        "DeleteSessionDeleteSessionForbiddenError",
    ] = Field(alias="deleteSession", discriminator="typename__")


class DeleteSessionDeleteSessionDeletedSession(BaseModel):
    typename__: Literal["DeletedSession"] = Field(alias="__typename")
    id: str


class DeleteSessionDeleteSessionNotFoundError(BaseModel):
    typename__: Literal["NotFoundError"] = Field(alias="__typename")
    message: str


class DeleteSessionDeleteSessionForbiddenError(BaseModel):
    typename__: Literal["ForbiddenError"] = Field(alias="__typename")
    message: str


DeleteSession.model_rebuild()
