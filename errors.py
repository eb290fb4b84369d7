"""Errors a client can cause, each with the `extensions.code` it reaches the client with.

    ApiError
    ├── Unauthenticated   UNAUTHENTICATED   no, bad or expired token; unknown or inactive user
    ├── Forbidden         FORBIDDEN         the viewer may not do this
    ├── NotFound          NOT_FOUND         no such thing, or one the viewer may not know of
    ├── BadUserInput      BAD_USER_INPUT    malformed id, page size out of range, bad cursor
    └── Conflict          CONFLICT          the platform's data breaks one of its own rules

Failures that are neither the client's fault nor a bug have codes of their own (the
exceptions behind them are mapped in `schema/extensions.py`):

    SERVICE_UNAVAILABLE       busy: no request slot or database connection free in time;
                              HTTP 503 with Retry-After (`web/overload.py`)
    DATABASE_CONNECT_TIMEOUT  the database did not accept a connection in time
    STATEMENT_TIMEOUT         the database did not answer a statement in time
    DEADLINE_EXCEEDED         the request ran past its overall deadline
    RESPONSE_TOO_LARGE        the response would exceed its size cap

They are plain exceptions, not GraphQL ones: queries let them surface as GraphQL errors
(graphql-core copies `extensions`), mutations turn NotFound and Forbidden into members
of their result unions. Anything else is unexpected and is masked as
INTERNAL_SERVER_ERROR (see `schema/extensions.py`).
"""

import re
from typing import ClassVar

MAX_ECHO = 100
"""The most characters of a client's input that any error message repeats."""
MAX_MESSAGE = 300
_QUOTED = re.compile(r"(['\"])([^'\"]{" + str(MAX_ECHO + 1) + r",})\1")


def excerpt(value: object) -> str:
    """`value` as text, cut to MAX_ECHO characters so that a message can repeat it."""
    text = str(value)
    return text if len(text) <= MAX_ECHO else text[:MAX_ECHO] + "…"


def clipped(message: str) -> str:
    """A message with every quoted part cut to MAX_ECHO characters, and at most MAX_MESSAGE
    in all: graphql-core quotes the names, values and tokens it repeats."""
    message = _QUOTED.sub(lambda match: match[1] + excerpt(match[2]) + match[1], message)
    return message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE] + "…"


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


class Conflict(ApiError):
    code = "CONFLICT"


INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
DATABASE_CONNECT_TIMEOUT = "DATABASE_CONNECT_TIMEOUT"
STATEMENT_TIMEOUT = "STATEMENT_TIMEOUT"
DEADLINE_EXCEEDED = "DEADLINE_EXCEEDED"
RESPONSE_TOO_LARGE = "RESPONSE_TOO_LARGE"
