"""Bearer tokens: the platform's own HS256 JWTs, `sub` = user id, expiry enforced.

Claims are read strictly (RFC 7519): `exp`, `nbf` and `iat` are NumericDates, so numbers
(PyJWT would also take "1735689600", a string); `sub` is a UUID in its hyphenated
36-character form, in either case (RFC 9562 §4), not `{…}`, `urn:uuid:…` or 32 bare hex
digits, which Python's UUID parser would take.

A token once verified is remembered (the `VERIFIED_TOKENS` most recently used, per
process): the same token again skips PyJWT's decoding and signature check, which cost
more than the rest of a small request, while it is within its time claims; outside them
it takes the full path again, which says why it is refused.
"""

import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

import jwt

from errors import Unauthenticated
from settings import Settings

TIME_CLAIMS = ("exp", "nbf", "iat")
CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
VERIFIED_TOKENS = 4096


class _Verified(NamedTuple):
    user_id: uuid.UUID
    valid_from: float
    """PyJWT refuses the token before this time (its nbf or iat)."""
    valid_until: float
    """…and from this one (its exp)."""


@lru_cache(maxsize=VERIFIED_TOKENS)
def _verified(token: str, key: str, algorithm: str) -> _Verified:
    """What PyJWT verified of the token; it raises for a token it refuses (not kept)."""
    claims = jwt.decode(token, key, algorithms=[algorithm], options={"require": ["exp", "sub"]})
    # The bounds PyJWT checks, as it reads them (int() of each claim).
    starts = [int(claims[name]) for name in ("nbf", "iat") if name in claims]
    return _Verified(_user_id(claims), max(starts, default=0), int(claims["exp"]))


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
    verify = (token.strip(), settings.jwt_secret_key, settings.jwt_algorithm)
    try:
        known = _verified(*verify)
        if not known.valid_from <= time.time() < known.valid_until:
            _verified.__wrapped__(*verify)  # the full check again, to say why it is refused
        return known.user_id
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("The token has expired.") from None
    except (jwt.InvalidTokenError, ValueError):
        raise Unauthenticated("The token is not valid.") from None
