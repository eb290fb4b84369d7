"""Expected mutation failures, returned as members of each result union."""

import strawberry

import errors


@strawberry.interface(description="An expected failure of a mutation, returned as data.")
class Error:
    message: str


@strawberry.type
class NotFoundError(Error):
    pass


@strawberry.type
class ForbiddenError(Error):
    pass


@strawberry.type
class ValidationError(Error):
    field: str = strawberry.field(description="The argument that failed, e.g. 'title'.")


def error_member(error: errors.NotFound | errors.Forbidden) -> NotFoundError | ForbiddenError:
    if isinstance(error, errors.NotFound):
        return NotFoundError(message=error.message)
    return ForbiddenError(message=error.message)
