"""Bearer tokens: the platform's own HS256 JWTs, `sub` = user id, expiry enforced.

Claims are read strictly (RFC 7519): `exp`, `nbf` and `iat` are NumericDates, so numbers
(PyJWT would also take "1735689600", a string); `sub` is a UUID in its hyphenated
36-character form, in either case (RFC 9562 §4), not `{…}`, `urn:uuid:…` or 32 bare hex
digits, which Python's UUID parser would take.

A token once verified is remembered (`VERIFIED_TOKENS` of them per process): the same
token again skips PyJWT's decoding and signature check, which cost more than the rest of
a small request, while it is within its time claims; outside them it takes the full path
again, which says why it is refused.
"""

import re
import time
import uuid
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
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


# Keyed by the token with the key and algorithm that verified it.
_verified: OrderedDict[tuple[str, str, str], _Verified] = OrderedDict()


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
    key = (token.strip(), settings.jwt_secret_key, settings.jwt_algorithm)
    known = _verified.get(key)
    if known is not None and known.valid_from <= time.time() < known.valid_until:
        return known.user_id
    try:
        claims = jwt.decode(
            key[0],
            settings.jwt_secret_key,
            algorithms=[settings.jwt_algorithm],
            options={"require": ["exp", "sub"]},
        )
        user_id = _user_id(claims)
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("The token has expired.") from None
    except (jwt.InvalidTokenError, ValueError):
        raise Unauthenticated("The token is not valid.") from None
    _remember(key, claims, user_id)
    return user_id


def _remember(key: tuple[str, str, str], claims: dict[str, object], user_id: uuid.UUID) -> None:
    # The bounds PyJWT checks, as it reads them (int() of each claim).
    starts = [int(claims[name]) for name in ("nbf", "iat") if name in claims]  # type: ignore[call-overload]
    _verified[key] = _Verified(user_id, max(starts, default=0), int(claims["exp"]))  # type: ignore[call-overload]
    if len(_verified) > VERIFIED_TOKENS:
        _verified.popitem(last=False)
