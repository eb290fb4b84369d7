"""Give every error an `extensions.code`, and hide the details of unexpected ones.

Errors raised as `errors.ApiError` keep their message and code. Documents that do not
parse or validate, and variables that do not coerce, are the client's mistake:
BAD_USER_INPUT. Anything else is a bug or an outage: the client gets a generic
INTERNAL_SERVER_ERROR; the log gets the whole exception (see `ChatSchema.process_errors`).
"""

from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from errors import INTERNAL_SERVER_ERROR, ApiError, BadUserInput


def is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, (ApiError, GraphQLError))


def with_code(error: GraphQLError) -> GraphQLError:
    if is_unexpected(error):
        return GraphQLError(
            "Internal server error.",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": INTERNAL_SERVER_ERROR},
        )
    if error.extensions and "code" in error.extensions:
        return error
    error.extensions = {**(error.extensions or {}), "code": BadUserInput.code}
    return error


class ErrorCodes(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [with_code(error) for error in result.errors]
