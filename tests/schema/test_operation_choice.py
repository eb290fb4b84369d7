"""A document with several operations runs the one the request names, and no other."""

from db.engine import Database
from tests.api import Api, error_codes
from tests.factories import Factory
from tests.snapshots import snapshot

READ_AND_WRITE = """
query Read { viewer { displayName } }
mutation Write($agent: ID!) { createSession(agentId: $agent) { __typename } }
"""
TWO_WRITES = """
mutation First($agent: ID!) { createSession(agentId: $agent) { __typename } }
mutation Second($agent: ID!) { createSession(agentId: $agent) { __typename } }
"""


async def test_several_operations_without_a_name_run_none(
    api: Api, factory: Factory, database: Database
) -> None:
    """Without operationName the request is refused, instead of running the first operation."""
    user = await factory.user(await factory.tenant(), role="org_admin")
    agent = await factory.agent(user)
    before = await snapshot(database)

    body = await api.query(TWO_WRITES, {"agent": str(agent.id)}, user=user)

    assert body.get("data") is None and error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"] == (
        "Must provide operation name if query contains multiple operations."
    )
    assert await snapshot(database) == before


async def test_the_named_operation_runs(api: Api, factory: Factory) -> None:
    """With operationName, that operation runs and only that one."""
    user = await factory.user(await factory.tenant(), display_name="Ada")

    response = await api.client.post(
        "/graphql",
        json={"query": READ_AND_WRITE, "operationName": "Read"},
        headers=api.headers(user),
    )

    assert response.json() == {"data": {"viewer": {"displayName": "Ada"}}}
