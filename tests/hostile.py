"""What the hostile-input and fuzz suites share: a platform to attack, and the answer check.

The platform is the demo (tenant Acme with its agent Atlas) plus a session of Globex's
agent Orion, so that every attack also has another tenant's rows to reach for. It is
written through the factory, which also fills the platform database's own columns.
"""

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from db.demo import demo_id, demo_rows
from db.engine import Database
from db.models import Agent, User
from db.types import utcnow
from tests.factories import Factory

CLIENT_CODES = {"UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "BAD_USER_INPUT"}
ATLAS = demo_id("agent:Atlas")
ATLAS_SESSION = demo_id("session:cleo-web")


@dataclass
class Platform:
    ada: User
    gina: User
    orion: uuid.UUID
    orion_session: uuid.UUID


async def hostile_platform(database: Database, factory: Factory) -> Platform:
    for rows in demo_rows(utcnow()):
        await factory.add(*rows)
    async with database.session() as session:
        ada = await session.get(User, demo_id("user:ada"))
        gina = await session.get(User, demo_id("user:gina"))
        orion = await session.get(Agent, demo_id("agent:Orion"))
    assert ada is not None and gina is not None and orion is not None
    orion_session = await factory.session(orion, gina, messages=2, title="Globex secrets")
    return Platform(ada=ada, gina=gina, orion=orion.id, orion_session=orion_session.id)


def well_formed(response: httpx.Response) -> dict[str, Any] | None:
    """The GraphQL response body, checked; None for a clean non-JSON 4xx refusal.

    No 5xx, and no INTERNAL_SERVER_ERROR: nothing a client sends may look like a fault.
    """
    assert response.status_code < 500, response.text
    if not response.headers.get("content-type", "").split(";")[0].endswith("json"):
        assert 400 <= response.status_code < 500, response.text
        return None
    body = response.json()
    assert isinstance(body, dict) and body, body
    assert set(body) <= {"data", "errors", "extensions"}, body
    assert "data" in body or body.get("errors"), body
    for error in body.get("errors", []):
        assert isinstance(error["message"], str) and error["message"], body
        assert error["extensions"]["code"] in CLIENT_CODES, body
    if response.status_code != 200:
        assert 400 <= response.status_code < 500 and body.get("errors"), body
        assert body.get("data") is None, body
    return body
