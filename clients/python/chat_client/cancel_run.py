from typing import Literal, Union

from pydantic import Field

from .base_model import BaseModel
from .fragments import (
    ActiveRun,
    ActiveRunWaiting,  # noqa: F401
)


class CancelRun(BaseModel):
    cancel_run: Union[
        "CancelRunCancelRunRun",
        "CancelRunCancelRunNotFoundError",
        "CancelRunCancelRunForbiddenError",
        "CancelRunCancelRunValidationError",
    ] = Field(alias="cancelRun", discriminator="typename__")


class CancelRunCancelRunRun(ActiveRun):
    typename__: Literal["Run"] = Field(alias="__typename")


class CancelRunCancelRunNotFoundError(BaseModel):
    typename__: Literal["NotFoundError"] = Field(alias="__typename")
    message: str


class CancelRunCancelRunForbiddenError(BaseModel):
    typename__: Literal["ForbiddenError"] = Field(alias="__typename")
    message: str


class CancelRunCancelRunValidationError(BaseModel):
    typename__: Literal["ValidationError"] = Field(alias="__typename")
    message: str
    field: str


CancelRun.model_rebuild()
