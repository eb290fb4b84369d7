"""When a bearer token stops being valid: live subscriptions end then."""

from datetime import UTC, datetime

import jwt


def token_expiry(authorization: str | None) -> datetime | None:
    """The `exp` of a bearer token that `auth.tokens` has already verified; None without one."""
    if not authorization:
        return None
    _, _, token = authorization.partition(" ")
    try:
        claims = jwt.decode(token.strip(), options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return None
    exp = claims.get("exp")
    if isinstance(exp, bool) or not isinstance(exp, int | float):
        return None
    return datetime.fromtimestamp(exp, UTC)
