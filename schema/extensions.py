"""Give every error an `extensions.code`, and hide the details of unexpected ones.

Errors raised as `errors.ApiError` keep their message and code. Documents that do not
parse or validate, and variables that do not coerce, are the client's mistake:
BAD_USER_INPUT. A database that is busy or slow answers with a code of its own (see
`errors.py`). Anything else is a bug or an outage: the client gets a generic
INTERNAL_SERVER_ERROR; the log gets the whole exception (see `ChatSchema.process_errors`).
No message repeats more than 100 characters of the client's input (`errors.clipped`).
"""

from collections.abc import Iterable, Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from db.failures import database_failure
from errors import (
    INTERNAL_SERVER_ERROR,
    SERVICE_UNAVAILABLE,
    ApiError,
    BadUserInput,
    clipped,
)


def is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return (
        original is not None
        and not isinstance(original, (ApiError, GraphQLError))
        and database_failure(original) is None
    )


def with_code(error: GraphQLError) -> GraphQLError:
    failure = database_failure(error.original_error)
    if failure is not None or is_unexpected(error):
        code, message = failure or (INTERNAL_SERVER_ERROR, "Internal server error.")
        return GraphQLError(message, nodes=error.nodes, path=error.path, extensions={"code": code})
    error.message = clipped(error.message)
    if error.extensions and "code" in error.extensions:
        return error
    error.extensions = {**(error.extensions or {}), "code": BadUserInput.code}
    return error


def error_codes(errors: Iterable[GraphQLError]) -> list[str]:
    """The distinct codes of a result's errors, sorted; an error without one counts as
    INTERNAL_SERVER_ERROR (what `with_code` gives it)."""
    return sorted(
        {(error.extensions or {}).get("code") or INTERNAL_SERVER_ERROR for error in errors}
    )


def is_busy(result: ExecutionResult, operation: OperationType) -> bool:
    """Whether a result is to be answered as 503, because no connection was free in time.

    A query is safe to retry whole. A mutation is answered 503 only when no field of it
    returned: its write was then not made (its connection is taken before it writes).
    """
    codes = {(error.extensions or {}).get("code") for error in result.errors or []}
    if SERVICE_UNAVAILABLE not in codes:
        return False
    data = result.data or {}
    return operation is not OperationType.MUTATION or all(v is None for v in data.values())


class ErrorCodes(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [with_code(error) for error in result.errors]
            if is_busy(result, self.execution_context.operation_type):
                # Without data or a path, the view answers it as a request error: HTTP 503.
                result.data = None
                result.errors = [
                    GraphQLError(
                        "The server is busy: retry shortly.",
                        extensions={"code": SERVICE_UNAVAILABLE},
                    )
                ]
