"""Query.node, Query.nodes and Query.session: objects refetched by their id alone, with the
access rules of the field each is otherwise read through."""

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from db.engine import Database
from db.models import Agent, ChatMessage, ChatSession, Tenant, User
from tests.api import Api, count_statements, error_codes
from tests.factories import T0, Factory

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Agent { name viewerAccess viewerCanSeeAllSessions }
    ... on Session { ...SessionFields }
    ... on Message { ...MessageFields }
    ... on User { displayName username userRole: role }
  }
}
fragment SessionFields on Session {
  id agentId userId user { id } title displayName kind participantType peerAgentId
  peerAgentName messageCount unreadCount isPrimary
}
fragment MessageFields on Message {
  id role content senderName cursor parts { __typename }
}
"""

NODES = """
query Nodes($ids: [ID!]!) {
  nodes(ids: $ids) { __typename id }
}
"""

SESSION = """
query Session($id: ID!) {
  session(id: $id) { ...SessionFields }
}
fragment SessionFields on Session {
  id agentId userId user { id } title displayName kind participantType peerAgentId
  peerAgentName messageCount unreadCount isPrimary
}
"""

AGENT = """
query Agent($id: ID!) {
  agent(id: $id) { __typename id name viewerAccess viewerCanSeeAllSessions }
}
"""

AGENT_SESSION = """
query AgentSession($agentId: ID!, $id: ID!) {
  agent(id: $agentId) { session(id: $id) { ...SessionFields } }
}
fragment SessionFields on Session {
  id agentId userId user { id } title displayName kind participantType peerAgentId
  peerAgentName messageCount unreadCount isPrimary
}
"""

AGENT_MESSAGES = """
query AgentMessages($agentId: ID!, $id: ID!) {
  agent(id: $agentId) { session(id: $id) { messages { nodes { ...MessageFields } } } }
}
fragment MessageFields on Message {
  id role content senderName cursor parts { __typename }
}
"""

NODES_WITH_FIELDS = """
query NodesWithFields($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename
    id
    ... on Session {
      title displayName peerAgentName messageCount unreadCount user { displayName }
    }
    ... on Message { role senderName runtimeError { code } }
    ... on Agent { name viewerAccess }
    ... on User { displayName }
  }
}
"""


@dataclass
class World:
    """An agent of a tenant with the people around it, and another tenant's objects."""

    factory: Factory
    tenant: Tenant
    agent: Agent
    creator: User
    viewer: User
    stranger: User
    session: ChatSession  # the viewer's, with two messages
    message: ChatMessage
    foreign_agent: Agent
    foreign_session: ChatSession
    foreign_message: ChatMessage
    foreign_user: User


@pytest.fixture
async def world(factory: Factory) -> World:
    tenant = await factory.tenant()
    creator = await factory.user(tenant, display_name="Creator")
    agent = await factory.agent(creator, name="Atlas")
    viewer = await factory.user(tenant, display_name="Viewer")
    session = await factory.session(agent, viewer, title="Trip plan")
    message = await factory.message(session, "user", "hello")
    await factory.message(session, "assistant", "hi there")

    elsewhere = await factory.tenant("Globex")
    foreign_user = await factory.user(elsewhere, role="platform_admin", display_name="Gina")
    foreign_agent = await factory.agent(foreign_user, name="Hermes")
    foreign_session = await factory.session(foreign_agent, foreign_user)
    foreign_message = await factory.message(foreign_session, "user", "secret")
    return World(
        factory=factory,
        tenant=tenant,
        agent=agent,
        creator=creator,
        viewer=viewer,
        stranger=await factory.user(tenant, display_name="Stranger"),
        session=session,
        message=message,
        foreign_agent=foreign_agent,
        foreign_session=foreign_session,
        foreign_message=foreign_message,
        foreign_user=foreign_user,
    )


async def _node(api: Api, id: object, user: User) -> dict[str, Any]:
    return await api.query(NODE, {"id": str(id)}, user=user)


async def _nodes(api: Api, ids: list[Any], user: User, query: str = NODES) -> dict[str, Any]:
    return await api.query(query, {"ids": [str(id) for id in ids]}, user=user)


def _error_at(body: dict[str, Any], path: list[Any]) -> dict[str, Any]:
    (error,) = [error for error in body.get("errors", []) if error["path"] == path]
    return error


# --- each kind, read as its parent field reads it ------------------------------------


async def test_an_agent_node_is_the_agent_as_query_agent_reads_it(api: Api, world: World) -> None:
    """node(id) of an agent answers what agent(id) answers, field for field."""
    through_parent = await api.query(AGENT, {"id": str(world.agent.id)}, user=world.viewer)

    body = await _node(api, world.agent.id, world.viewer)

    assert "errors" not in body, body
    assert (
        body["data"]["node"]
        == through_parent["data"]["agent"]
        == {
            "__typename": "Agent",
            "id": str(world.agent.id),
            "name": "Atlas",
            "viewerAccess": "USE",
            "viewerCanSeeAllSessions": False,
        }
    )


async def test_a_session_node_is_the_session_as_agent_session_reads_it(
    api: Api, world: World
) -> None:
    """node(id) and session(id) answer what agent(id).session(id) answers, field for field."""
    variables = {"agentId": str(world.agent.id), "id": str(world.session.id)}
    through_parent = await api.query(AGENT_SESSION, variables, user=world.viewer)
    expected = through_parent["data"]["agent"]["session"]

    as_node = await _node(api, world.session.id, world.viewer)
    top_level = await api.query(SESSION, {"id": str(world.session.id)}, user=world.viewer)

    assert "errors" not in as_node and "errors" not in top_level, (as_node, top_level)
    assert as_node["data"]["node"] == {"__typename": "Session", **expected}
    assert top_level["data"]["session"] == expected
    assert expected["title"] == "Trip plan"
    assert expected["messageCount"] == 2
    assert expected["unreadCount"] == 1


async def test_a_message_node_is_the_message_as_its_session_lists_it(
    api: Api, world: World
) -> None:
    """node(id) of a message answers what its session's messages hold for it, cursor included."""
    variables = {"agentId": str(world.agent.id), "id": str(world.session.id)}
    through_parent = await api.query(AGENT_MESSAGES, variables, user=world.viewer)
    listed = through_parent["data"]["agent"]["session"]["messages"]["nodes"][0]

    body = await _node(api, world.message.id, world.viewer)

    assert "errors" not in body, body
    assert body["data"]["node"] == {"__typename": "Message", **listed}
    assert listed["id"] == str(world.message.id)
    assert listed["content"] == "hello"


@pytest.mark.parametrize("who", ["viewer", "stranger", "creator"])
async def test_the_viewer_and_users_of_their_tenant_are_user_nodes(
    api: Api, world: World, who: str
) -> None:
    """A user of the viewer's tenant, the viewer included, is a User node."""
    user: User = getattr(world, who)

    body = await _node(api, user.id, world.viewer)

    assert "errors" not in body, body
    node = body["data"]["node"]
    assert node == {
        "__typename": "User",
        "id": str(user.id),
        "displayName": user.display_name,
        "username": node["username"],
        "userRole": "MEMBER",
    }
    assert node["username"].startswith("user-")


async def test_a_viewer_without_a_tenant_sees_only_themself(
    api: Api, world: World, factory: Factory
) -> None:
    """Without a tenant, the viewer's own user is found; nobody else's is."""
    loner = await factory.user(None, display_name="Loner")

    own = await _node(api, loner.id, loner)
    other = await _node(api, world.viewer.id, loner)

    assert own["data"]["node"]["displayName"] == "Loner"
    assert other["data"]["node"] is None
    assert error_codes(other) == ["NOT_FOUND"]


async def test_ids_are_the_platform_uuids_in_any_spelling(api: Api, world: World) -> None:
    """An upper-case id finds the object, which answers with its canonical id."""
    body = await _node(api, str(world.session.id).upper(), world.viewer)

    assert body["data"]["node"]["id"] == str(world.session.id)


# --- what the viewer may not read ----------------------------------------------------


async def _unknown_answer(api: Api, world: World) -> dict[str, Any]:
    body = await _node(api, uuid.uuid4(), world.viewer)
    assert body["data"] == {"node": None}
    (error,) = body["errors"]
    return {"message": error["message"], "code": error["extensions"]["code"]}


@pytest.mark.parametrize(
    "hidden",
    [
        pytest.param("foreign_agent", id="another-tenants-agent"),
        pytest.param("foreign_session", id="another-tenants-session"),
        pytest.param("foreign_message", id="another-tenants-message"),
        pytest.param("foreign_user", id="another-tenants-user"),
    ],
)
async def test_another_tenants_objects_answer_as_unknown_ids_do(
    api: Api, world: World, hidden: str
) -> None:
    """Another tenant's object is NOT_FOUND, with the very words of an unknown id."""
    unknown = await _unknown_answer(api, world)

    body = await _node(api, getattr(world, hidden).id, world.viewer)

    assert body["data"] == {"node": None}
    (error,) = body["errors"]
    assert {"message": error["message"], "code": error["extensions"]["code"]} == unknown
    assert unknown["code"] == "NOT_FOUND"
    assert error["path"] == ["node"]


async def test_deleted_objects_are_not_found(api: Api, world: World, factory: Factory) -> None:
    """A deleted agent, a deleted session and the messages of either are NOT_FOUND."""
    gone_agent = await factory.agent(world.creator, name="Gone", deleted_at=T0)
    of_gone_agent = await factory.session(gone_agent, world.viewer)
    deleted = await factory.session(world.agent, world.viewer, deleted_at=T0)
    in_deleted = await factory.message(deleted, "user", "gone")
    ids = [gone_agent.id, of_gone_agent.id, deleted.id, in_deleted.id]

    body = await _nodes(api, ids, world.viewer)

    assert body["data"] == {"nodes": [None] * 4}
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [
        (["nodes", n], "NOT_FOUND") for n in range(4)
    ]
    top_level = await api.query(SESSION, {"id": str(deleted.id)}, user=world.viewer)
    assert error_codes(top_level) == ["NOT_FOUND"]


async def test_forbidden_where_the_parent_field_is_forbidden(
    api: Api, world: World, factory: Factory
) -> None:
    """A private agent, another user's session and its messages are FORBIDDEN to a member,
    as agent(id) and agent.session(id) are."""
    private = await factory.agent(world.creator, name="Private", access_mode="private")
    others = await factory.session(world.agent, world.stranger)
    in_others = await factory.message(others, "user", "mine")
    parent_agent = await api.query(AGENT, {"id": str(private.id)}, user=world.viewer)
    variables = {"agentId": str(world.agent.id), "id": str(others.id)}
    parent_session = await api.query(AGENT_SESSION, variables, user=world.viewer)

    body = await _nodes(api, [private.id, others.id, in_others.id], world.viewer)
    top_level = await api.query(SESSION, {"id": str(others.id)}, user=world.viewer)

    assert error_codes(parent_agent) == error_codes(parent_session) == ["FORBIDDEN"]
    assert body["data"] == {"nodes": [None, None, None]}
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [
        (["nodes", n], "FORBIDDEN") for n in range(3)
    ]
    assert top_level["data"] == {"session": None}
    assert error_codes(top_level) == ["FORBIDDEN"]


async def test_who_may_see_all_sessions_reads_anyones(api: Api, world: World) -> None:
    """The agent's creator reads a member's session and its messages by id."""
    body = await _nodes(api, [world.session.id, world.message.id], world.creator)

    assert "errors" not in body, body
    assert [node["__typename"] for node in body["data"]["nodes"]] == ["Session", "Message"]


async def test_an_agent_to_agent_session_is_read_through_its_peer_too(
    api: Api, world: World, factory: Factory
) -> None:
    """A session whose own agent is closed to the viewer is read through its peer, as
    agent(peer).session(id) reads it: peerAgentId is then the session's own agent."""
    outsider = await factory.user(await factory.tenant("Initech"))
    private = await factory.agent(world.creator, name="Private", access_mode="private")
    own = await factory.agent(world.viewer, name="Scribe")
    chat = await factory.session(private, source_channel="agent", peer_agent_id=own.id)
    await factory.message(chat, "user", "ping")
    variables = {"agentId": str(own.id), "id": str(chat.id)}
    through_peer = await api.query(AGENT_SESSION, variables, user=world.viewer)

    body = await api.query(SESSION, {"id": str(chat.id)}, user=world.viewer)
    hidden = await api.query(SESSION, {"id": str(chat.id)}, user=outsider)

    assert "errors" not in body, body
    assert body["data"]["session"] == through_peer["data"]["agent"]["session"]
    assert body["data"]["session"]["peerAgentId"] == str(private.id)
    assert body["data"]["session"]["displayName"] == "Agent Private - Scribe"
    assert error_codes(hidden) == ["NOT_FOUND"]


async def test_a_message_id_is_no_session(api: Api, world: World) -> None:
    """session(id) finds sessions only: a message's id is NOT_FOUND there."""
    body = await api.query(SESSION, {"id": str(world.message.id)}, user=world.viewer)

    assert body["data"] == {"session": None}
    assert error_codes(body) == ["NOT_FOUND"]


@pytest.mark.parametrize(
    "conversation",
    [
        pytest.param("feishu:42", id="not-a-session-id"),
        pytest.param(lambda world: str(world.session.id).upper(), id="not-a-session-s-spelling"),
    ],
)
async def test_a_message_of_no_session_is_not_found(
    api: Api, world: World, factory: Factory, conversation: Any
) -> None:
    """A message whose conversation id is not a session's id as lowercase text is in no
    session: NOT_FOUND."""
    orphan = ChatMessage(
        id=uuid.uuid4(),
        agent_id=world.agent.id,
        role="user",
        content="orphan",
        conversation_id=conversation(world) if callable(conversation) else conversation,
        created_at=T0,
    )
    await factory.add(orphan)

    body = await _node(api, orphan.id, world.creator)

    assert body["data"] == {"node": None}
    assert error_codes(body) == ["NOT_FOUND"]


# --- nodes: order, slots, limits -------------------------------------------------------


async def test_nodes_answers_in_order_with_an_error_in_each_empty_slot(
    api: Api, world: World
) -> None:
    """Each id gets its slot, in order; a repeated id is answered twice; a malformed id is
    BAD_USER_INPUT and an unknown one NOT_FOUND, at their own index."""
    ids = [
        world.agent.id,
        uuid.uuid4(),
        world.session.id,
        "not-a-uuid",
        world.message.id,
        world.viewer.id,
        world.foreign_agent.id,
        world.agent.id,
    ]

    body = await _nodes(api, ids, world.viewer)

    assert body["data"]["nodes"] == [
        {"__typename": "Agent", "id": str(world.agent.id)},
        None,
        {"__typename": "Session", "id": str(world.session.id)},
        None,
        {"__typename": "Message", "id": str(world.message.id)},
        {"__typename": "User", "id": str(world.viewer.id)},
        None,
        {"__typename": "Agent", "id": str(world.agent.id)},
    ]
    assert _error_at(body, ["nodes", 1])["extensions"]["code"] == "NOT_FOUND"
    assert _error_at(body, ["nodes", 3])["extensions"]["code"] == "BAD_USER_INPUT"
    assert _error_at(body, ["nodes", 6])["extensions"]["code"] == "NOT_FOUND"
    assert len(body["errors"]) == 3


async def test_no_ids_are_no_nodes(api: Api, world: World) -> None:
    body = await _nodes(api, [], world.viewer)

    assert body == {"data": {"nodes": []}}


@pytest.mark.parametrize(
    ("count", "codes"),
    [pytest.param(100, [], id="100-ids"), pytest.param(101, ["BAD_USER_INPUT"], id="101")],
)
async def test_at_most_100_ids(api: Api, world: World, count: int, codes: list[str]) -> None:
    """100 ids are answered; 101 are BAD_USER_INPUT."""
    body = await _nodes(api, [world.agent.id] * count, world.viewer)

    assert error_codes(body) == codes
    if not codes:
        assert len(body["data"]["nodes"]) == count


@pytest.mark.parametrize("query", [NODE, NODES, SESSION])
async def test_without_a_token_nothing_is_read(api: Api, world: World, query: str) -> None:
    variables = {"id": str(world.agent.id), "ids": [str(world.agent.id)]}
    body = await api.query(query, variables)

    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_a_malformed_id_is_bad_user_input(api: Api, world: World) -> None:
    node = await _node(api, "42", world.viewer)
    session = await api.query(SESSION, {"id": "42"}, user=world.viewer)

    assert error_codes(node) == error_codes(session) == ["BAD_USER_INPUT"]


async def test_the_cost_limit_counts_every_id(api: Api, world: World) -> None:
    """100 ids, each with a page of 500 messages, cost 100 times one: over the limit."""
    query = """
    query Costly($ids: [ID!]!) {
      nodes(ids: $ids) { ... on Session { messages(first: 500) { nodes { id content } } } }
    }
    """
    one = await _nodes(api, [world.session.id], world.viewer, query)
    hundred = await _nodes(api, [world.session.id] * 100, world.viewer, query)

    assert "errors" not in one, one
    assert error_codes(hundred) == ["BAD_USER_INPUT"]
    assert hundred["errors"][0]["extensions"]["cost"] > 100 * 1000


# --- statements ------------------------------------------------------------------------

# viewer; users, messages and runs; sessions and agents (the sessions' too, for their
# labels).
NODES_STATEMENTS = 6
# Then one batch each of message counts, unread counts, participants and runtime failures.
NODES_WITH_FIELDS_STATEMENTS = NODES_STATEMENTS + 4
KINDS = ("agent", "agent-to-agent session", "own session", "message", "user")


async def _ids(world: World, factory: Factory, count: int) -> list[uuid.UUID]:
    """`count` ids of each kind in turn, each a new object of its own, fields to load."""
    peer = await factory.agent(world.creator, name="Scribe")
    sender = await factory.participant("user", world.stranger.id, "Stranger")
    ids: list[uuid.UUID] = []
    for n in range(count):
        kind = KINDS[n % len(KINDS)]
        if kind == "agent":
            ids.append((await factory.agent(world.creator, name=f"Agent {n}")).id)
        elif kind == "agent-to-agent session":
            chat = await factory.session(world.agent, source_channel="agent", peer_agent_id=peer.id)
            await factory.message(chat, "user", "ping")
            ids.append(chat.id)
        elif kind == "own session":
            own = await factory.session(world.agent, world.creator)
            await factory.message(own, "assistant", "unread")
            ids.append(own.id)
        elif kind == "message":
            theirs = await factory.session(world.agent, world.stranger)
            reply = await factory.message(theirs, "assistant", "hi", participant_id=sender.id)
            ids.append(reply.id)
        else:
            ids.append((await factory.user(world.tenant, display_name=f"User {n}")).id)
    return ids


@pytest.mark.parametrize("count", [pytest.param(1, id="1-id"), pytest.param(100, id="100-ids")])
async def test_nodes_costs_the_same_for_1_id_or_100(
    api: Api, database: Database, world: World, factory: Factory, count: int
) -> None:
    """nodes runs NODES_STATEMENTS statements, whatever the number and kinds of its ids."""
    ids = await _ids(world, factory, count)

    with count_statements(database) as log:
        body = await _nodes(api, ids, world.creator)

    assert "errors" not in body, body
    assert [node["id"] for node in body["data"]["nodes"]] == [str(id) for id in ids]
    assert len(log) == NODES_STATEMENTS, f"{len(log)} statements:\n{log}"


@pytest.mark.parametrize(
    "count", [pytest.param(len(KINDS), id="one-of-each-kind"), pytest.param(100, id="100-ids")]
)
async def test_fields_of_nodes_load_in_one_batch_each(
    api: Api, database: Database, world: World, factory: Factory, count: int
) -> None:
    """The nodes' labels, counts, senders and runtime errors cost one statement per loader,
    for one object of each kind or twenty."""
    ids = await _ids(world, factory, count)

    with count_statements(database) as log:
        body = await _nodes(api, ids, world.creator, NODES_WITH_FIELDS)

    assert "errors" not in body, body
    nodes = body["data"]["nodes"]
    assert [node["__typename"] for node in nodes[: len(KINDS)]] == [
        "Agent",
        "Session",
        "Session",
        "Message",
        "User",
    ]
    assert nodes[1]["displayName"] == "Agent Atlas - Scribe"
    assert nodes[2]["unreadCount"] == 1
    assert nodes[3]["senderName"] == "Stranger"
    assert len(log) == NODES_WITH_FIELDS_STATEMENTS, f"{len(log)} statements:\n{log}"
