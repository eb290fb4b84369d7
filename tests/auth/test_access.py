"""Access to an agent, as Query.agent reports it: one rule per case of SPEC.md."""

import uuid

import pytest

from tests.api import Api, error_codes
from tests.factories import Factory

AGENT = """
query Agent($id: ID!) {
  agent(id: $id) { id name viewerAccess viewerCanSeeAllSessions }
}
"""


async def _agent(api: Api, agent_id: object, user: object) -> dict:
    return await api.query(AGENT, {"id": str(agent_id)}, user=user)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("role", "see_all"),
    [
        pytest.param("platform_admin", True, id="platform-admin"),
        pytest.param("org_admin", True, id="org-admin"),
        pytest.param("agent_admin", True, id="agent-admin"),
        pytest.param("member", False, id="member"),
    ],
)
async def test_company_grant_gives_its_level(
    api: Api, factory: Factory, role: str, see_all: bool
) -> None:
    tenant = await factory.tenant()
    agent = await factory.agent(await factory.user(tenant))
    await factory.grant(agent, "company", level="use")
    viewer = await factory.user(tenant, role=role)

    body = await _agent(api, agent.id, viewer)

    expected_access = "MANAGE" if role == "platform_admin" else "USE"
    assert body["data"]["agent"] == {
        "id": str(agent.id),
        "name": "Atlas",
        "viewerAccess": expected_access,
        "viewerCanSeeAllSessions": see_all,
    }


async def test_the_creator_manages_and_sees_all(api: Api, factory: Factory) -> None:
    creator = await factory.user(await factory.tenant())
    agent = await factory.agent(creator)

    body = await _agent(api, agent.id, creator)

    assert body["data"]["agent"]["viewerAccess"] == "MANAGE"
    assert body["data"]["agent"]["viewerCanSeeAllSessions"] is True


async def test_a_user_grant_applies_only_to_that_user(api: Api, factory: Factory) -> None:
    tenant = await factory.tenant()
    agent = await factory.agent(await factory.user(tenant))
    granted = await factory.user(tenant)
    other = await factory.user(tenant)
    await factory.grant(agent, "user", user=granted, level="manage")

    granted_body = await _agent(api, agent.id, granted)
    other_body = await _agent(api, agent.id, other)

    assert granted_body["data"]["agent"]["viewerAccess"] == "MANAGE"
    assert granted_body["data"]["agent"]["viewerCanSeeAllSessions"] is False
    assert other_body["data"] == {"agent": None}
    assert error_codes(other_body) == ["FORBIDDEN"]


async def test_the_highest_matching_grant_wins(api: Api, factory: Factory) -> None:
    tenant = await factory.tenant()
    agent = await factory.agent(await factory.user(tenant))
    viewer = await factory.user(tenant)
    await factory.grant(agent, "company", level="use")
    await factory.grant(agent, "user", user=viewer, level="manage")
    await factory.grant(agent, "user", user=viewer, level="use")

    body = await _agent(api, agent.id, viewer)

    assert body["data"]["agent"]["viewerAccess"] == "MANAGE"


async def test_department_grants_give_no_access(api: Api, factory: Factory) -> None:
    """Department scopes are not resolved by this API: they grant nothing."""
    tenant = await factory.tenant()
    agent = await factory.agent(await factory.user(tenant))
    await factory.grant(agent, "department", level="manage")
    viewer = await factory.user(tenant)

    body = await _agent(api, agent.id, viewer)

    assert error_codes(body) == ["FORBIDDEN"]


async def test_without_a_grant_an_agent_admin_is_forbidden(api: Api, factory: Factory) -> None:
    tenant = await factory.tenant()
    agent = await factory.agent(await factory.user(tenant))
    viewer = await factory.user(tenant, role="org_admin")

    body = await _agent(api, agent.id, viewer)

    assert body["data"] == {"agent": None}
    assert error_codes(body) == ["FORBIDDEN"]


async def test_another_tenants_agent_is_not_found_even_with_a_grant(
    api: Api, factory: Factory
) -> None:
    ours, theirs = await factory.tenant("Ours"), await factory.tenant("Theirs")
    agent = await factory.agent(await factory.user(theirs))
    await factory.grant(agent, "company", level="manage")
    viewer = await factory.user(ours, role="org_admin")

    body = await _agent(api, agent.id, viewer)

    assert body["data"] == {"agent": None}
    assert error_codes(body) == ["NOT_FOUND"]


async def test_a_platform_admin_reaches_every_tenant(api: Api, factory: Factory) -> None:
    ours, theirs = await factory.tenant("Ours"), await factory.tenant("Theirs")
    agent = await factory.agent(await factory.user(theirs))
    viewer = await factory.user(ours, role="platform_admin")

    body = await _agent(api, agent.id, viewer)

    assert body["data"]["agent"]["viewerAccess"] == "MANAGE"


async def test_an_unknown_agent_is_not_found(api: Api, factory: Factory) -> None:
    viewer = await factory.user(await factory.tenant(), role="platform_admin")

    body = await _agent(api, uuid.uuid4(), viewer)

    assert error_codes(body) == ["NOT_FOUND"]


@pytest.mark.parametrize("bad_id", ["42", "not-a-uuid", "", "'; DROP TABLE agents; --"])
async def test_a_malformed_id_is_bad_user_input(api: Api, factory: Factory, bad_id: str) -> None:
    viewer = await factory.user(await factory.tenant())

    body = await _agent(api, bad_id, viewer)

    assert body["data"] == {"agent": None}
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_an_agent_needs_a_token(api: Api, factory: Factory) -> None:
    agent = await factory.agent(await factory.user(await factory.tenant()))

    body = await _agent(api, agent.id, None)

    assert error_codes(body) == ["UNAUTHENTICATED"]
