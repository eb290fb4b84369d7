"""Expected mutation failures, returned as members of each result union."""

import strawberry

import errors


@strawberry.interface(description="An expected failure of a mutation, returned as data.")
class Error:
    message: str = strawberry.field(description="What went wrong, for the user to read.")


@strawberry.type(
    description=(
        "No such object, or one the viewer may not know of (another tenant's, or deleted): "
        "the same answer for both."
    )
)
class NotFoundError(Error):
    pass


@strawberry.type(description="The object exists for the viewer, who may not do this to it.")
class ForbiddenError(Error):
    pass


@strawberry.type(description="An argument was refused; nothing was changed.")
class ValidationError(Error):
    field: str = strawberry.field(description="The argument that failed, e.g. 'title'.")


def error_member(error: errors.NotFound | errors.Forbidden) -> NotFoundError | ForbiddenError:
    if isinstance(error, errors.NotFound):
        return NotFoundError(message=error.message)
    return ForbiddenError(message=error.message)
