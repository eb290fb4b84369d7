"""Access to an agent, as Query.agent reports it: one rule per case of SPEC.md's last section."""

import uuid
from typing import Any

import pytest

from auth.access import AgentAccess, agent_access
from db.models import Agent, User
from tests.api import Api, error_codes
from tests.factories import T0, Factory

AGENT = """
query Agent($id: ID!) {
  agent(id: $id) { id name viewerAccess viewerCanSeeAllSessions }
}
"""

ROLES = ["platform_admin", "org_admin", "agent_admin", "member"]


async def _agent(api: Api, agent_id: object, user: object) -> dict[str, Any]:
    return await api.query(AGENT, {"id": str(agent_id)}, user=user)  # type: ignore[arg-type]


def _access(body: dict[str, Any]) -> str:
    """The viewer's access, or the error code that stands in its place."""
    if body["data"]["agent"] is not None:
        return body["data"]["agent"]["viewerAccess"]
    [code] = error_codes(body)
    return code


# --- access modes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "role", "expected"),
    [
        pytest.param("company", "platform_admin", "MANAGE", id="company-platform-admin"),
        pytest.param("company", "org_admin", "MANAGE", id="company-org-admin"),
        pytest.param("company", "agent_admin", "USE", id="company-agent-admin"),
        pytest.param("company", "member", "USE", id="company-member"),
        pytest.param("custom", "platform_admin", "MANAGE", id="custom-platform-admin"),
        pytest.param("custom", "org_admin", "MANAGE", id="custom-org-admin"),
        pytest.param("custom", "agent_admin", "FORBIDDEN", id="custom-agent-admin"),
        pytest.param("custom", "member", "FORBIDDEN", id="custom-member"),
        pytest.param("private", "platform_admin", "FORBIDDEN", id="private-platform-admin"),
        pytest.param("private", "org_admin", "FORBIDDEN", id="private-org-admin"),
        pytest.param("private", "agent_admin", "FORBIDDEN", id="private-agent-admin"),
        pytest.param("private", "member", "FORBIDDEN", id="private-member"),
        pytest.param("unheard-of", "org_admin", "MANAGE", id="unknown-mode-org-admin"),
        pytest.param("unheard-of", "member", "FORBIDDEN", id="unknown-mode-member"),
    ],
)
async def test_each_access_mode_and_role_without_a_grant(
    api: Api, factory: Factory, mode: str, role: str, expected: str
) -> None:
    """Admins manage all but private agents; company agents are everyone's to use."""
    tenant = await factory.tenant()
    agent = await factory.agent(await factory.user(tenant), access_mode=mode)
    viewer = await factory.user(tenant, role=role)

    body = await _agent(api, agent.id, viewer)

    assert _access(body) == expected


@pytest.mark.parametrize("mode", ["company", "custom", "private"])
@pytest.mark.parametrize("role", ROLES)
async def test_the_creator_manages_in_every_mode(
    api: Api, factory: Factory, mode: str, role: str
) -> None:
    """The creator MANAGEs the agent and sees all its sessions, whatever mode and role."""
    creator = await factory.user(await factory.tenant(), role=role)
    agent = await factory.agent(creator, access_mode=mode)

    body = await _agent(api, agent.id, creator)

    assert body["data"]["agent"] == {
        "id": str(agent.id),
        "name": "Atlas",
        "viewerAccess": "MANAGE",
        "viewerCanSeeAllSessions": True,
    }


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        pytest.param("manage", "MANAGE", id="manage"),
        pytest.param("use", "USE", id="use"),
        pytest.param("admin", "FORBIDDEN", id="unknown-level"),
    ],
)
async def test_a_custom_agent_grants_the_viewers_own_level(
    api: Api, factory: Factory, level: str, expected: str
) -> None:
    """custom: the viewer's user-scope permission row gives its level, to that user only."""
    tenant = await factory.tenant()
    agent = await factory.agent(await factory.user(tenant), access_mode="custom")
    granted, other = await factory.user(tenant), await factory.user(tenant)
    await factory.grant(agent, "user", user=granted, level=level)

    assert _access(await _agent(api, agent.id, granted)) == expected
    assert _access(await _agent(api, agent.id, other)) == "FORBIDDEN"


async def test_a_custom_agents_highest_user_grant_wins(api: Api, factory: Factory) -> None:
    """Of several rows for the viewer, the highest level counts."""
    tenant = await factory.tenant()
    agent = await factory.agent(await factory.user(tenant), access_mode="custom")
    viewer = await factory.user(tenant)
    await factory.grant(agent, "user", user=viewer, level="use")
    await factory.grant(agent, "user", user=viewer, level="manage")

    assert _access(await _agent(api, agent.id, viewer)) == "MANAGE"


@pytest.mark.parametrize("scope_type", ["company", "department"])
async def test_a_custom_agent_ignores_rows_of_other_scopes(
    api: Api, factory: Factory, scope_type: str
) -> None:
    """Only user-scope rows grant access to a custom agent."""
    tenant = await factory.tenant()
    agent = await factory.agent(await factory.user(tenant), access_mode="custom")
    await factory.grant(agent, scope_type, level="manage")
    viewer = await factory.user(tenant)

    assert _access(await _agent(api, agent.id, viewer)) == "FORBIDDEN"


@pytest.mark.parametrize("mode", ["company", "private"])
async def test_user_grants_count_only_on_custom_agents(
    api: Api, factory: Factory, mode: str
) -> None:
    """A user row neither raises a company agent above USE nor opens a private one."""
    tenant = await factory.tenant()
    agent = await factory.agent(await factory.user(tenant), access_mode=mode)
    viewer = await factory.user(tenant)
    await factory.grant(agent, "user", user=viewer, level="manage")

    assert _access(await _agent(api, agent.id, viewer)) == (
        "USE" if mode == "company" else "FORBIDDEN"
    )


def test_a_missing_access_mode_reads_as_company() -> None:
    """An agent row without an access mode (both databases refuse one now) is a company agent."""
    tenant_id = uuid.uuid4()
    viewer = User(id=uuid.uuid4(), tenant_id=tenant_id, role="member")
    agent = Agent(id=uuid.uuid4(), creator_id=uuid.uuid4(), tenant_id=tenant_id, access_mode=None)

    assert agent_access(viewer, agent, []) is AgentAccess.USE


@pytest.mark.parametrize(
    ("role", "see_all"),
    [
        pytest.param("platform_admin", True, id="platform-admin"),
        pytest.param("org_admin", True, id="org-admin"),
        pytest.param("agent_admin", True, id="agent-admin"),
        pytest.param("member", False, id="member"),
    ],
)
async def test_admin_roles_see_all_sessions(
    api: Api, factory: Factory, role: str, see_all: bool
) -> None:
    """viewerCanSeeAllSessions: the admin roles (and the creator), on top of access."""
    tenant = await factory.tenant()
    agent = await factory.agent(await factory.user(tenant))
    viewer = await factory.user(tenant, role=role)

    body = await _agent(api, agent.id, viewer)

    assert body["data"]["agent"]["viewerCanSeeAllSessions"] is see_all


# --- tenant and existence --------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
async def test_another_tenants_agent_is_not_found_for_every_role(
    api: Api, factory: Factory, role: str
) -> None:
    """Platform admins included: another tenant's agent does not exist for the viewer."""
    ours, theirs = await factory.tenant("Ours"), await factory.tenant("Theirs")
    agent = await factory.agent(await factory.user(theirs), access_mode="company")
    await factory.grant(agent, "company", level="manage")
    viewer = await factory.user(ours, role=role)

    body = await _agent(api, agent.id, viewer)

    assert body["data"] == {"agent": None}
    assert error_codes(body) == ["NOT_FOUND"]


@pytest.mark.parametrize("role", ["platform_admin", "member"])
async def test_a_viewer_without_a_tenant_sees_no_agent(
    api: Api, factory: Factory, role: str
) -> None:
    """No tenant, no agents: even a platform admin's."""
    agent = await factory.agent(await factory.user(await factory.tenant()))
    viewer = await factory.user(None, role=role)

    assert _access(await _agent(api, agent.id, viewer)) == "NOT_FOUND"


@pytest.mark.parametrize("role", ROLES)
async def test_a_deleted_agent_is_not_found(api: Api, factory: Factory, role: str) -> None:
    """A soft-deleted agent is gone for everyone, its creator included."""
    creator = await factory.user(await factory.tenant(), role=role)
    agent = await factory.agent(creator, deleted_at=T0)

    body = await _agent(api, agent.id, creator)

    assert body["data"] == {"agent": None}
    assert error_codes(body) == ["NOT_FOUND"]


async def test_not_found_says_the_same_whatever_the_reason(api: Api, factory: Factory) -> None:
    """Unknown, another tenant's and deleted agents get one and the same error."""
    ours, theirs = await factory.tenant("Ours"), await factory.tenant("Theirs")
    viewer = await factory.user(ours, role="platform_admin")
    foreign = await factory.agent(await factory.user(theirs))
    deleted = await factory.agent(viewer, deleted_at=T0)

    errors = [
        (await _agent(api, agent_id, viewer))["errors"]
        for agent_id in (uuid.uuid4(), foreign.id, deleted.id)
    ]

    assert errors[0] == errors[1] == errors[2]
    assert [error["message"] for error in errors[0]] == ["Agent not found."]


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
