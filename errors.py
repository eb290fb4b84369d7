"""Errors a client can cause, each with the `extensions.code` it reaches the client with.

    ApiError
    ├── Unauthenticated   UNAUTHENTICATED   no, bad or expired token; unknown or inactive user
    ├── Forbidden         FORBIDDEN         the viewer may not do this
    ├── NotFound          NOT_FOUND         no such thing, or one the viewer may not know of
    └── BadUserInput      BAD_USER_INPUT    malformed id, page size out of range, bad cursor

They are plain exceptions, not GraphQL ones: queries let them surface as GraphQL errors
(graphql-core copies `extensions`), mutations turn NotFound and Forbidden into members
of their result unions. Anything else is unexpected and is masked as
INTERNAL_SERVER_ERROR (see `schema/extensions.py`).
"""

from typing import ClassVar


class ApiError(Exception):
    code: ClassVar[str]

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def extensions(self) -> dict[str, str]:
        return {"code": self.code}


class Unauthenticated(ApiError):
    code = "UNAUTHENTICATED"


class Forbidden(ApiError):
    code = "FORBIDDEN"


class NotFound(ApiError):
    code = "NOT_FOUND"


class BadUserInput(ApiError):
    code = "BAD_USER_INPUT"


INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
