"""Ids as clients send them: UUID text, anything else is bad input."""

import uuid

from errors import BadUserInput, excerpt


def parse_id(value: str, what: str = "id") -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise BadUserInput(f"'{excerpt(value)}' is not a valid {what}: expected a UUID.") from None
