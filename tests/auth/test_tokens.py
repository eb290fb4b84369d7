"""Bearer tokens, over HTTP: only a valid token of an active user gets through."""

import asyncio
import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from settings import Settings
from tests.api import Api, error_codes
from tests.factories import Factory

VIEWER = "{ viewer { id displayName } }"


def _token(settings: Settings, **claims: object) -> str:
    now = datetime.now(UTC)
    payload = {"exp": now + timedelta(minutes=5), **claims}
    return jwt.encode(payload, settings.jwt_secret_key, algorithm="HS256")


def _unsigned(claims: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


async def test_a_valid_token_identifies_the_viewer(api: Api, factory: Factory) -> None:
    user = await factory.user(await factory.tenant(), display_name="Cleo")

    body = await api.query(VIEWER, user=user)

    assert body["data"]["viewer"] == {"id": str(user.id), "displayName": "Cleo"}


async def test_the_platforms_own_token_shape_works(
    api: Api, factory: Factory, settings: Settings
) -> None:
    """A token with only `sub` and `exp`, as the platform issues them, is accepted."""
    user = await factory.user(await factory.tenant())
    token = _token(settings, sub=str(user.id))

    response = await api.client.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {token}"}
    )

    assert response.json()["data"]["viewer"]["id"] == str(user.id)


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(None, id="no-header"),
        pytest.param("Bearer", id="no-token"),
        pytest.param("Basic dXNlcjpwYXNz", id="wrong-scheme"),
        pytest.param("Bearer not.a.jwt", id="malformed"),
        pytest.param("Bearer " + "x" * 5000, id="huge-garbage"),
    ],
)
async def test_missing_or_malformed_tokens_are_unauthenticated(
    api: Api, database: object, header: str | None
) -> None:
    headers = {"Authorization": header} if header is not None else {}
    response = await api.client.post("/graphql", json={"query": VIEWER}, headers=headers)

    body = response.json()
    assert body["data"] is None
    assert error_codes(body) == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(
            lambda s, uid: _token(s, sub=uid, exp=datetime.now(UTC) - timedelta(seconds=5)),
            id="expired",
        ),
        pytest.param(
            lambda s, uid: jwt.encode(
                {"sub": uid, "exp": datetime.now(UTC) + timedelta(minutes=5)},
                "another-secret-of-sufficient-length-32b",
                algorithm="HS256",
            ),
            id="wrong-secret",
        ),
        pytest.param(
            lambda s, uid: _unsigned({"sub": uid, "exp": 4102444800}),
            id="alg-none",
        ),
        pytest.param(
            lambda s, uid: jwt.encode(
                {"sub": uid, "exp": datetime.now(UTC) + timedelta(minutes=5)},
                s.jwt_secret_key,
                algorithm="HS512",
            ),
            id="other-algorithm",
        ),
        pytest.param(lambda s, uid: jwt.encode({"sub": uid}, s.jwt_secret_key), id="no-exp"),
        pytest.param(
            lambda s, uid: _token(s, sub=uid, nbf=datetime.now(UTC) + timedelta(hours=1)),
            id="not-yet-valid",
        ),
        pytest.param(lambda s, uid: _token(s, sub="not-a-uuid"), id="sub-not-uuid"),
        pytest.param(lambda s, uid: _token(s, sub=str(uuid.uuid4())), id="unknown-user"),
    ],
)
async def test_bad_tokens_are_unauthenticated(
    api: Api, factory: Factory, settings: Settings, make_token: object
) -> None:
    user = await factory.user(await factory.tenant())
    token = make_token(settings, str(user.id))  # type: ignore[operator]

    response = await api.client.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {token}"}
    )

    assert error_codes(response.json()) == ["UNAUTHENTICATED"]


def _signed(settings: Settings, claims: dict[str, object]) -> str:
    """A token with exactly these claims, signed by the server's key."""
    return jwt.encode(claims, settings.jwt_secret_key, algorithm="HS256")


LATER = int((datetime.now(UTC) + timedelta(hours=1)).timestamp())
EARLIER = int((datetime.now(UTC) - timedelta(hours=1)).timestamp())


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"exp": str(LATER)}, id="exp-string"),
        pytest.param({"exp": LATER, "nbf": str(EARLIER)}, id="nbf-string"),
        pytest.param({"exp": LATER, "iat": str(EARLIER)}, id="iat-string"),
        pytest.param({"exp": True}, id="exp-boolean"),
        pytest.param({"exp": LATER, "iat": None}, id="iat-null"),
    ],
)
async def test_time_claims_must_be_numbers(
    api: Api, factory: Factory, settings: Settings, claims: dict[str, object]
) -> None:
    user = await factory.user(await factory.tenant())
    token = _signed(settings, {"sub": str(user.id), **claims})

    response = await api.client.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {token}"}
    )

    assert error_codes(response.json()) == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(
    ("form", "accepted"),
    [
        pytest.param(str, True, id="canonical"),
        pytest.param(lambda u: str(u).upper(), True, id="upper-case"),
        pytest.param(lambda u: f"{{{u}}}", False, id="braces"),
        pytest.param(lambda u: f"urn:uuid:{u}", False, id="urn"),
        pytest.param(lambda u: u.hex, False, id="no-hyphens"),
        pytest.param(lambda u: f" {u}", False, id="padded"),
        pytest.param(lambda u: u.int, False, id="integer"),
    ],
)
async def test_sub_must_be_a_hyphenated_uuid(
    api: Api, factory: Factory, settings: Settings, form: object, accepted: bool
) -> None:
    user = await factory.user(await factory.tenant())
    token = _signed(settings, {"sub": form(user.id), "exp": LATER})  # type: ignore[operator]

    response = await api.client.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {token}"}
    )

    body = response.json()
    if accepted:
        assert body["data"]["viewer"]["id"] == str(user.id)
    else:
        assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_an_inactive_user_is_unauthenticated(api: Api, factory: Factory) -> None:
    user = await factory.user(await factory.tenant(), is_active=False)

    body = await api.query(VIEWER, user=user)

    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_introspection_needs_no_token(api: Api) -> None:
    body = await api.query("{ __schema { queryType { name } } }")

    assert body == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


async def test_a_remembered_token_still_expires_and_others_are_checked(
    api: Api, factory: Factory, settings: Settings
) -> None:
    """A verified token is remembered (auth/tokens.py), but only within its time claims,
    and only that very token: one signed with another key is checked in full."""
    user = await factory.user(await factory.tenant())
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)
    token = _token(settings, sub=str(user.id), exp=expires)
    headers = {"Authorization": f"Bearer {token}"}

    first = await api.client.post("/graphql", json={"query": VIEWER}, headers=headers)
    again = await api.client.post("/graphql", json={"query": VIEWER}, headers=headers)
    forged = jwt.encode({"sub": str(user.id), "exp": expires}, "another-" + "k" * 56)
    other = await api.client.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {forged}"}
    )
    await asyncio.sleep((expires - datetime.now(UTC)).total_seconds() + 0.05)
    expired = await api.client.post("/graphql", json={"query": VIEWER}, headers=headers)

    assert first.json()["data"]["viewer"]["id"] == str(user.id)
    assert again.json() == first.json()
    assert error_codes(other.json()) == ["UNAUTHENTICATED"]
    assert error_codes(expired.json()) == ["UNAUTHENTICATED"]
    assert expired.json()["errors"][0]["message"] == "The token has expired."
