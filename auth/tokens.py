"""Bearer tokens: the platform's own HS256 JWTs, `sub` = user id, expiry enforced."""

import uuid
from datetime import UTC, datetime, timedelta

import jwt

from errors import Unauthenticated
from settings import Settings


def issue_token(
    user_id: uuid.UUID, settings: Settings, lifetime: timedelta = timedelta(hours=12)
) -> str:
    now = datetime.now(UTC)
    claims = {"sub": str(user_id), "iat": now, "exp": now + lifetime}
    return jwt.encode(claims, settings.jwt_secret_key, algorithm=settings.jwt_algorithm)


def user_id_from_authorization(header: str | None, settings: Settings) -> uuid.UUID:
    """The user id a request's `Authorization: Bearer <JWT>` header proves.

    Only the configured algorithm is accepted, so `alg: none` and key-confusion tricks
    fail like any other bad signature.
    """
    if not header:
        raise Unauthenticated("Sign in: send an 'Authorization: Bearer <token>' header.")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("The Authorization header must be 'Bearer <token>'.")
    try:
        claims = jwt.decode(
            token.strip(),
            settings.jwt_secret_key,
            algorithms=[settings.jwt_algorithm],
            options={"require": ["exp", "sub"]},
        )
        return uuid.UUID(str(claims["sub"]))
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("The token has expired.") from None
    except (jwt.InvalidTokenError, ValueError):
        raise Unauthenticated("The token is not valid.") from None
