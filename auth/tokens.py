"""Bearer tokens: the platform's own HS256 JWTs, `sub` = user id, expiry enforced.

Claims are read strictly (RFC 7519): `exp`, `nbf` and `iat` are NumericDates, so numbers
(PyJWT would also take "1735689600", a string); `sub` is a UUID in its hyphenated
36-character form, in either case (RFC 9562 §4), not `{…}`, `urn:uuid:…` or 32 bare hex
digits, which Python's UUID parser would take.
"""

import re
import uuid
from datetime import UTC, datetime, timedelta

import jwt

from errors import Unauthenticated
from settings import Settings

TIME_CLAIMS = ("exp", "nbf", "iat")
CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def _user_id(claims: dict[str, object]) -> uuid.UUID:
    for name in TIME_CLAIMS:
        value = claims.get(name)
        if name in claims and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ValueError(f"{name} is not a NumericDate")
    subject = claims["sub"]
    if not isinstance(subject, str) or not CANONICAL_UUID.fullmatch(subject):
        raise ValueError("sub is not a UUID in canonical form")
    return uuid.UUID(subject)


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
        return _user_id(claims)
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("The token has expired.") from None
    except (jwt.InvalidTokenError, ValueError):
        raise Unauthenticated("The token is not valid.") from None
