"""Agent.sessions, Agent.session and the fields of Session, as SPEC.md states them."""

import base64
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from db.engine import Database
from db.models import Agent, ChatSession, User
from tests.api import Api, count_statements, error_codes
from tests.dangling import add_dangling
from tests.factories import T0, Factory

SESSIONS = """
query Sessions($agentId: ID!, $scope: SessionScope!, $first: Int! = 50, $after: String) {
  agent(id: $agentId) {
    sessions(scope: $scope, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id } }
      nodes { id }
    }
  }
}
"""

DEFAULT_SESSIONS = """
query DefaultSessions($agentId: ID!) {
  agent(id: $agentId) { sessions { totalCount nodes { id } } }
}
"""

SESSION = """
query Session($agentId: ID!, $sessionId: ID!) {
  agent(id: $agentId) { session(id: $sessionId) { id } }
}
"""

SESSION_FIELDS = """
query SessionFields($agentId: ID!, $sessionId: ID!) {
  agent(id: $agentId) {
    session(id: $sessionId) {
      id agentId userId user { id displayName }
      displayName sourceChannel title createdAt lastMessageAt messageCount
      participantType peerAgentId peerAgentName isGroup groupName
      kind isPrimary unreadCount lastReadAt updatedAt
    }
  }
}
"""


@dataclass
class World:
    """An agent in a tenant, the people around it, and another agent of the same tenant."""

    factory: Factory
    agent: Agent
    other_agent: Agent
    creator: User
    viewer: User
    stranger: User
    admin: User


@pytest.fixture
async def world(factory: Factory) -> World:
    tenant = await factory.tenant()
    creator = await factory.user(tenant, display_name="Creator")
    agent = await factory.agent(creator, name="Atlas")
    other_agent = await factory.agent(creator, name="Scribe")
    await factory.grant(agent, "company")
    return World(
        factory=factory,
        agent=agent,
        other_agent=other_agent,
        creator=creator,
        viewer=await factory.user(tenant, display_name="Viewer"),
        stranger=await factory.user(tenant, display_name="Stranger"),
        admin=await factory.user(tenant, role="org_admin", display_name="Admin"),
    )


async def _list(
    api: Api,
    agent: Agent,
    user: User,
    scope: str,
    *,
    first: int = 50,
    after: str | None = None,
) -> dict[str, Any]:
    variables = {"agentId": str(agent.id), "scope": scope, "first": first, "after": after}
    return await api.query(SESSIONS, variables, user=user)


async def _listed_ids(api: Api, agent: Agent, user: User, scope: str) -> list[str]:
    body = await _list(api, agent, user, scope, first=200)
    assert "errors" not in body, body
    return [node["id"] for node in body["data"]["agent"]["sessions"]["nodes"]]


async def _session(api: Api, agent: Agent, session_id: object, user: User) -> dict[str, Any]:
    variables = {"agentId": str(agent.id), "sessionId": str(session_id)}
    return await api.query(SESSION_FIELDS, variables, user=user)


def _cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


# --- which sessions each scope lists ------------------------------------------------

Builder = Callable[[World], Awaitable[ChatSession]]


async def _with_user_message(world: World, session: ChatSession) -> ChatSession:
    await world.factory.message(session, "user", "hi")
    return session


def _mine(**columns: Any) -> Builder:
    """The viewer's session with the agent, with one user message."""

    async def build(world: World) -> ChatSession:
        session = await world.factory.session(world.agent, world.viewer, **columns)
        return await _with_user_message(world, session)

    return build


async def _assistant_only(world: World) -> ChatSession:
    """The viewer's direct session in which only the agent has written."""
    session = await world.factory.session(world.agent, world.viewer)
    await world.factory.message(session, "assistant", "orphan reply")
    await world.factory.message(session, "system", "note")
    return session


async def _user_message_for_another_agent(world: World) -> ChatSession:
    session = await world.factory.session(world.agent, world.viewer)
    await world.factory.message(session, "user", "hi", agent_id=world.other_agent.id)
    await world.factory.message(session, "assistant", "hello")
    return session


async def _empty(world: World) -> ChatSession:
    return await world.factory.session(world.agent, world.viewer)


async def _strangers(world: World) -> ChatSession:
    session = await world.factory.session(world.agent, world.stranger)
    return await _with_user_message(world, session)


async def _with_another_agent(world: World) -> ChatSession:
    session = await world.factory.session(world.other_agent, world.viewer)
    return await _with_user_message(world, session)


async def _viewer_as_peer_on_web(world: World) -> ChatSession:
    session = await world.factory.session(
        world.other_agent, world.viewer, peer_agent_id=world.agent.id
    )
    return await _with_user_message(world, session)


async def _in_another_tenant(world: World) -> ChatSession:
    """A session of the agent stored under another tenant (the platform never lists it)."""
    elsewhere = await world.factory.tenant("Elsewhere")
    session = await world.factory.session(world.agent, world.viewer, tenant_id=elsewhere.id)
    return await _with_user_message(world, session)


@pytest.mark.parametrize(
    ("build", "listed"),
    [
        pytest.param(_mine(), True, id="web"),
        pytest.param(_mine(source_channel="feishu"), True, id="feishu"),
        pytest.param(_mine(source_channel="slack"), True, id="slack"),
        pytest.param(_mine(source_channel="agent"), True, id="direct-on-the-agent-channel"),
        pytest.param(_assistant_only, True, id="only-the-agent-wrote"),
        pytest.param(_user_message_for_another_agent, True, id="message-of-another-agent"),
        pytest.param(_mine(is_group=True, group_name="#ops"), False, id="group"),
        pytest.param(_mine(source_channel="trigger"), False, id="trigger"),
        pytest.param(_mine(session_type="a2a", source_channel="agent"), False, id="agent-to-agent"),
        pytest.param(_mine(deleted_at=T0), False, id="deleted"),
        pytest.param(_in_another_tenant, False, id="another-tenant"),
        pytest.param(_empty, False, id="empty"),
        pytest.param(_strangers, False, id="another-users"),
        pytest.param(_with_another_agent, False, id="with-another-agent"),
        pytest.param(_viewer_as_peer_on_web, False, id="agent-is-only-the-peer"),
    ],
)
async def test_mine_lists_own_active_direct_sessions_with_a_message(
    api: Api, world: World, build: Builder, listed: bool
) -> None:
    """MINE keeps the viewer's active direct sessions of the agent that hold any message."""
    baseline = await _mine()(world)
    session = await build(world)

    ids = await _listed_ids(api, world.agent, world.viewer, "MINE")

    expected = [session, baseline] if listed else [baseline]
    assert ids == [str(s.id) for s in expected]


async def test_mine_is_the_default_scope(api: Api, world: World) -> None:
    """Without a scope the list is the viewer's own."""
    own = await _mine()(world)
    await _strangers(world)

    body = await api.query(DEFAULT_SESSIONS, {"agentId": str(world.agent.id)}, user=world.viewer)

    assert body["data"]["agent"]["sessions"] == {"totalCount": 1, "nodes": [{"id": str(own.id)}]}


def _of_agent(messages: tuple[str, ...] = ("user",), **columns: Any) -> Builder:
    """A session of the agent (no owner unless given) with messages of these roles."""

    async def build(world: World) -> ChatSession:
        session = await world.factory.session(world.agent, **columns)
        for role in messages:
            await world.factory.message(session, role, "text")
        return session

    return build


def _with_peer(channel: str, messages: tuple[str, ...] = ("assistant",), **columns: Any) -> Builder:
    """A session of the other agent in which the agent is the peer."""

    async def build(world: World) -> ChatSession:
        session = await world.factory.session(
            world.other_agent, source_channel=channel, peer_agent_id=world.agent.id, **columns
        )
        for role in messages:
            await world.factory.message(session, role, "text")
        return session

    return build


async def _own_peer(world: World) -> ChatSession:
    """An agent-to-agent session whose agent is also its peer: one session, listed once."""
    session = await world.factory.session(
        world.agent, source_channel="agent", peer_agent_id=world.agent.id
    )
    await world.factory.message(session, "assistant", "talking to myself")
    return session


def _a2a_with_peer(channel: str = "agent", **columns: Any) -> Builder:
    """An agent-to-agent session of the other agent whose peer is the agent."""
    return _with_peer(channel, session_type="a2a", **columns)


@pytest.mark.parametrize(
    ("build", "listed"),
    [
        pytest.param(_strangers, True, id="another-users"),
        pytest.param(_own_peer, True, id="agent-is-its-own-peer"),
        pytest.param(_of_agent(is_group=True, group_name="#ops"), True, id="group"),
        pytest.param(_of_agent(source_channel="trigger"), True, id="trigger-without-user"),
        pytest.param(_of_agent(("assistant",)), True, id="assistant-only"),
        pytest.param(_of_agent(("system",)), True, id="system-only"),
        pytest.param(_user_message_for_another_agent, True, id="message-of-another-agent"),
        pytest.param(_of_agent(source_channel="agent"), True, id="direct-on-the-agent-channel"),
        pytest.param(_with_peer("agent"), True, id="agent-is-the-peer"),
        pytest.param(_a2a_with_peer("web"), True, id="a2a-peer-on-web"),
        pytest.param(_with_peer("agent", ()), False, id="empty-with-agent-as-peer"),
        pytest.param(_with_peer("web"), False, id="peer-of-a-direct-session"),
        pytest.param(_of_agent(deleted_at=T0), False, id="deleted"),
        pytest.param(_a2a_with_peer(deleted_at=T0), False, id="deleted-with-agent-as-peer"),
        pytest.param(_in_another_tenant, False, id="another-tenant"),
        pytest.param(_of_agent(()), False, id="empty"),
        pytest.param(_with_another_agent, False, id="with-another-agent"),
    ],
)
async def test_all_lists_every_active_session_with_a_message(
    api: Api, world: World, build: Builder, listed: bool
) -> None:
    """ALL keeps the agent's active sessions with a message, and a2a ones it is peer of."""
    baseline = await _mine()(world)
    session = await build(world)

    ids = await _listed_ids(api, world.agent, world.creator, "ALL")

    expected = [session, baseline] if listed else [baseline]
    assert ids == [str(s.id) for s in expected]


async def test_an_a2a_peer_session_of_another_tenant_is_not_listed(api: Api, world: World) -> None:
    """Where the agent is the peer, the session must be in the viewer's tenant too."""
    elsewhere = await world.factory.tenant("Elsewhere")
    await _a2a_with_peer(tenant_id=elsewhere.id)(world)

    assert await _listed_ids(api, world.agent, world.creator, "ALL") == []


async def test_the_peer_agent_lists_an_agent_to_agent_session_too(api: Api, world: World) -> None:
    """The same agent-to-agent session is in the ALL list of both of its agents."""
    session = await world.factory.session(
        world.agent, source_channel="agent", peer_agent_id=world.other_agent.id
    )
    await world.factory.message(session, "assistant", "ping")

    own_ids = await _listed_ids(api, world.agent, world.creator, "ALL")
    peer_ids = await _listed_ids(api, world.other_agent, world.creator, "ALL")

    assert own_ids == peer_ids == [str(session.id)]


@pytest.mark.parametrize(
    ("role", "creates_agent"),
    [
        pytest.param("member", False, id="member"),
        pytest.param("member", True, id="creator"),
        pytest.param("agent_admin", False, id="agent-admin"),
        pytest.param("org_admin", False, id="org-admin"),
        pytest.param("platform_admin", False, id="platform-admin"),
    ],
)
async def test_scope_all_needs_an_admin_role_or_the_creator(
    api: Api, factory: Factory, role: str, creates_agent: bool
) -> None:
    """A plain member with access gets FORBIDDEN for ALL; admins and the creator the list."""
    tenant = await factory.tenant()
    viewer = await factory.user(tenant, role=role)
    agent = await factory.agent(viewer if creates_agent else await factory.user(tenant))
    await factory.grant(agent, "company", level="manage")
    session = await factory.session(agent, await factory.user(tenant), messages=1)

    body = await _list(api, agent, viewer, "ALL")

    if role == "member" and not creates_agent:
        assert body["data"] == {"agent": None}
        assert error_codes(body) == ["FORBIDDEN"]
    else:
        assert [n["id"] for n in body["data"]["agent"]["sessions"]["nodes"]] == [str(session.id)]


async def test_mine_of_a_member_is_allowed(api: Api, world: World) -> None:
    """A member may list MINE even though ALL is forbidden to them."""
    session = await _mine()(world)

    ids = await _listed_ids(api, world.agent, world.viewer, "MINE")

    assert ids == [str(session.id)]


async def test_another_tenants_agent_is_not_found(api: Api, world: World) -> None:
    """Listing the sessions of an agent of another tenant reveals nothing."""
    elsewhere = await world.factory.user(await world.factory.tenant("Other"), role="org_admin")
    await _mine()(world)

    body = await _list(api, world.agent, elsewhere, "ALL")

    assert body["data"] == {"agent": None}
    assert error_codes(body) == ["NOT_FOUND"]


# --- order ---------------------------------------------------------------------------


async def _at(world: World, last_message_at: datetime | None, created_at: datetime) -> ChatSession:
    """The viewer's session with these sort keys and one user message."""
    session = await world.factory.session(
        world.agent, world.viewer, created_at=created_at, last_message_at=last_message_at
    )
    await world.factory.message(session, "user", "hi", created_at=created_at, touch_session=False)
    return session


def _by_id_desc(*sessions: ChatSession) -> list[ChatSession]:
    return sorted(sessions, key=lambda s: s.id, reverse=True)


async def _ordered_sessions(world: World) -> list[ChatSession]:
    """Sessions whose keys tie in every way the order must break; in the order SPEC wants."""
    t = [T0 + timedelta(minutes=n) for n in range(10)]
    newest = await _at(world, t[9], t[1])
    old_created = await _at(world, t[5], t[1])
    tie_a, tie_b = await _at(world, t[5], t[3]), await _at(world, t[5], t[3])
    never_new = await _at(world, None, t[8])
    never_a, never_b = await _at(world, None, t[2]), await _at(world, None, t[2])
    # A session that became active long after it was created sorts by activity.
    active_late = await _at(world, t[7], t[0])
    return [
        newest,
        active_late,
        *_by_id_desc(tie_a, tie_b),
        old_created,
        never_new,
        *_by_id_desc(never_a, never_b),
    ]


@pytest.mark.parametrize("scope", ["MINE", "ALL"])
async def test_sessions_are_ordered_by_activity_then_creation_then_id(
    api: Api, world: World, scope: str
) -> None:
    """last_message_at desc with nulls last, then created_at desc, then id desc."""
    expected = await _ordered_sessions(world)

    ids = await _listed_ids(
        api, world.agent, world.creator if scope == "ALL" else world.viewer, scope
    )

    assert ids == [str(s.id) for s in expected]


@pytest.mark.parametrize("page_size", [1, 2, 3, 8, 9])
@pytest.mark.parametrize("scope", ["MINE", "ALL"])
async def test_paging_forward_visits_every_session_once(
    api: Api, world: World, scope: str, page_size: int
) -> None:
    """Following endCursor page by page yields the whole list, in order, without repeats."""
    expected = [str(s.id) for s in await _ordered_sessions(world)]
    user = world.creator if scope == "ALL" else world.viewer

    seen: list[str] = []
    pages: list[dict[str, Any]] = []
    after = None
    while True:
        body = await _list(api, world.agent, user, scope, first=page_size, after=after)
        page = body["data"]["agent"]["sessions"]
        pages.append(page)
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert seen == expected
    assert len(pages) == -(-len(expected) // page_size)
    for number, page in enumerate(pages):
        info = page["pageInfo"]
        assert page["totalCount"] == len(expected)
        assert [edge["node"] for edge in page["edges"]] == page["nodes"]
        assert info["hasPreviousPage"] is (number > 0)
        assert info["hasNextPage"] is (number < len(pages) - 1)
        assert info["startCursor"] == page["edges"][0]["cursor"]
        assert info["endCursor"] == page["edges"][-1]["cursor"]


async def test_paging_while_sessions_are_added_neither_repeats_nor_misses(
    api: Api, world: World
) -> None:
    """New activity above the cursor stays out; never-active sessions below it come later."""
    original = [str(s.id) for s in await _ordered_sessions(world)]

    seen: list[str] = []
    added_below: list[str] = []
    after = None
    for step in range(20):
        body = await _list(api, world.agent, world.creator, "ALL", first=2, after=after)
        page = body["data"]["agent"]["sessions"]
        seen += [node["id"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        # Between pages: one session becomes the most active, one is created never-active
        # yet older than every other, so it sorts after everything seen so far.
        await _at(world, T0 + timedelta(days=1, minutes=step), T0)
        added_below.append(str((await _at(world, None, T0 - timedelta(days=1 + step))).id))

    assert seen == original + added_below
    assert len(seen) == len(set(seen))


async def test_an_empty_list_has_no_cursors(api: Api, world: World) -> None:
    """A list with no sessions is an empty page with null cursors and a zero count."""
    await _empty(world)

    body = await _list(api, world.agent, world.viewer, "MINE")

    assert body["data"]["agent"]["sessions"] == {
        "totalCount": 0,
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
        "edges": [],
        "nodes": [],
    }


async def test_total_count_covers_every_page(api: Api, world: World) -> None:
    """totalCount is the size of the whole list, not of the page."""
    for _ in range(3):
        await _mine()(world)
    await _empty(world)
    await _strangers(world)

    mine = await _list(api, world.agent, world.viewer, "MINE", first=1)
    every = await _list(api, world.agent, world.creator, "ALL", first=1)

    assert mine["data"]["agent"]["sessions"]["totalCount"] == 3
    assert every["data"]["agent"]["sessions"]["totalCount"] == 4
    assert len(mine["data"]["agent"]["sessions"]["nodes"]) == 1


# --- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "first",
    [
        pytest.param(0, id="zero"),
        pytest.param(-1, id="negative"),
        pytest.param(201, id="over-200"),
        pytest.param(2**31 - 1, id="max-int"),
    ],
)
async def test_first_out_of_range_is_bad_input(api: Api, world: World, first: int) -> None:
    """first is 1..200."""
    await _mine()(world)

    body = await _list(api, world.agent, world.creator, "ALL", first=first)

    assert body["data"] == {"agent": None}
    assert error_codes(body) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("first", [pytest.param(1, id="one"), pytest.param(200, id="200")])
async def test_first_at_its_bounds_is_accepted(api: Api, world: World, first: int) -> None:
    """Both ends of 1..200 give a page."""
    session = await _mine()(world)

    body = await _list(api, world.agent, world.viewer, "MINE", first=first)

    assert body["data"]["agent"]["sessions"]["nodes"] == [{"id": str(session.id)}]


def _forged(world: World, *parts: Any) -> str:
    return _cursor(["s", str(world.agent.id), "all", *parts])


CREATED = "2026-01-01T12:00:00+00:00"
SOME_ID = "6f1c2a52-0d5e-4a39-9a39-3d3f0f5a1c00"

BAD_CURSORS: list[Any] = [
    pytest.param(lambda w: "", id="empty"),
    pytest.param(lambda w: "not a cursor!", id="not-base64"),
    pytest.param(lambda w: "é", id="not-ascii"),
    pytest.param(lambda w: base64.urlsafe_b64encode(b"\xff\xfe").decode(), id="not-utf8"),
    pytest.param(lambda w: base64.urlsafe_b64encode(b"hello").decode(), id="not-json"),
    pytest.param(lambda w: _cursor({"s": 1}), id="json-object"),
    pytest.param(lambda w: _cursor("s"), id="json-string"),
    pytest.param(lambda w: _cursor(None), id="json-null"),
    pytest.param(lambda w: _cursor([]), id="empty-list"),
    pytest.param(lambda w: _forged(w, None, CREATED), id="too-short"),
    pytest.param(lambda w: _forged(w, None, CREATED, SOME_ID, 1), id="too-long"),
    pytest.param(lambda w: _cursor(["m", str(w.agent.id), CREATED, SOME_ID]), id="message-cursor"),
    pytest.param(lambda w: _forged(w, "yesterday", CREATED, SOME_ID), id="bad-time"),
    pytest.param(lambda w: _forged(w, None, 1767268800, SOME_ID), id="time-as-number"),
    pytest.param(lambda w: _forged(w, None, "2026-01-01T12:00:00", SOME_ID), id="naive-time"),
    pytest.param(
        lambda w: _forged(w, None, "9999-12-31T23:59:59-14:00", SOME_ID), id="time-past-9999"
    ),
    pytest.param(
        lambda w: _forged(w, None, "0001-01-01T00:00:00+14:00", SOME_ID), id="time-before-1"
    ),
    pytest.param(lambda w: _forged(w, None, CREATED, "not-a-uuid"), id="bad-id"),
    pytest.param(lambda w: _forged(w, None, CREATED, None), id="null-id"),
    pytest.param(lambda w: _forged(w, None, CREATED, [SOME_ID]), id="id-as-list"),
    pytest.param(
        lambda w: _cursor(["s", str(uuid.uuid4()), "all", None, CREATED, SOME_ID]),
        id="another-agent",
    ),
    pytest.param(
        lambda w: _cursor(["s", str(w.agent.id), "mine", None, CREATED, SOME_ID]),
        id="another-scope",
    ),
    pytest.param(
        lambda w: base64.urlsafe_b64encode(b"[" * 5000 + b"]" * 5000).decode(), id="deep-json"
    ),
]


@pytest.mark.parametrize("make_cursor", BAD_CURSORS)
async def test_a_bad_cursor_is_bad_input(
    api: Api, world: World, make_cursor: Callable[[World], str]
) -> None:
    """A cursor that does not decode to a sort key of this list is BAD_USER_INPUT."""
    await _mine()(world)

    body = await _list(api, world.agent, world.creator, "ALL", after=make_cursor(world))

    assert body["data"] == {"agent": None}
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_a_cursor_of_another_agents_list_is_bad_input(api: Api, world: World) -> None:
    """A real cursor is only good for the list it came from."""
    await world.factory.session(world.other_agent, world.viewer, messages=2)
    await world.factory.session(world.other_agent, world.viewer, messages=2)
    await _mine()(world)
    other = await _list(api, world.other_agent, world.creator, "ALL", first=1)
    cursor = other["data"]["agent"]["sessions"]["pageInfo"]["endCursor"]

    body = await _list(api, world.agent, world.creator, "ALL", after=cursor)

    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_a_cursor_of_the_other_scope_is_bad_input(api: Api, world: World) -> None:
    """A MINE cursor does not page an ALL list, nor the other way round."""
    for _ in range(2):
        session = await world.factory.session(world.agent, world.admin)
        await _with_user_message(world, session)
    mine = await _list(api, world.agent, world.admin, "MINE", first=1)
    every = await _list(api, world.agent, world.admin, "ALL", first=1)
    mine_cursor = mine["data"]["agent"]["sessions"]["pageInfo"]["endCursor"]
    all_cursor = every["data"]["agent"]["sessions"]["pageInfo"]["endCursor"]

    as_all = await _list(api, world.agent, world.admin, "ALL", after=mine_cursor)
    as_mine = await _list(api, world.agent, world.admin, "MINE", after=all_cursor)

    assert mine_cursor is not None and all_cursor is not None
    assert error_codes(as_all) == ["BAD_USER_INPUT"]
    assert error_codes(as_mine) == ["BAD_USER_INPUT"]


# --- Agent.session -------------------------------------------------------------------


async def test_an_unknown_session_is_not_found(api: Api, world: World) -> None:
    """An id that names no session is NOT_FOUND."""
    body = await _session(api, world.agent, uuid.uuid4(), world.creator)

    assert body["data"] == {"agent": {"session": None}}
    assert error_codes(body) == ["NOT_FOUND"]


async def test_a_malformed_session_id_is_bad_input(api: Api, world: World) -> None:
    """A session id that is no UUID is BAD_USER_INPUT."""
    body = await _session(api, world.agent, "session-1", world.creator)

    assert body["data"] == {"agent": {"session": None}}
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_a_session_of_another_agent_is_not_found(api: Api, world: World) -> None:
    """A session is only read through its own agent or its peer."""
    session = await world.factory.session(world.other_agent, world.viewer, messages=1)

    body = await _session(api, world.agent, session.id, world.creator)

    assert body["data"] == {"agent": {"session": None}}
    assert error_codes(body) == ["NOT_FOUND"]


async def test_another_users_session_is_forbidden_to_a_member(api: Api, world: World) -> None:
    """A member may not read a session they do not own."""
    session = await _strangers(world)

    body = await _session(api, world.agent, session.id, world.viewer)

    assert body["data"] == {"agent": {"session": None}}
    assert error_codes(body) == ["FORBIDDEN"]


@pytest.mark.parametrize("reader", ["viewer", "creator", "admin"])
async def test_owner_creator_and_admin_may_read_a_session(
    api: Api, world: World, reader: str
) -> None:
    """The owner, the agent's creator and an admin role all read the viewer's session."""
    session = await world.factory.session(world.agent, world.viewer)

    body = await _session(api, world.agent, session.id, getattr(world, reader))

    assert "errors" not in body, body
    assert body["data"]["agent"]["session"]["id"] == str(session.id)


@pytest.mark.parametrize("channel", ["agent", "web"])
async def test_a_session_is_found_through_its_peer_agent(
    api: Api, world: World, channel: str
) -> None:
    """Agent.session finds a session whose peer is the agent, whatever its channel."""
    session = await world.factory.session(
        world.other_agent, source_channel=channel, peer_agent_id=world.agent.id
    )

    body = await api.query(
        SESSION, {"agentId": str(world.agent.id), "sessionId": str(session.id)}, user=world.admin
    )

    assert body["data"] == {"agent": {"session": {"id": str(session.id)}}}


async def test_a_deleted_session_is_not_found(api: Api, world: World) -> None:
    """A soft-deleted session is gone, to its owner and to the agent's creator alike."""
    session = await world.factory.session(world.agent, world.viewer, messages=2, deleted_at=T0)

    for reader in (world.viewer, world.creator):
        body = await _session(api, world.agent, session.id, reader)

        assert body["data"] == {"agent": {"session": None}}
        assert error_codes(body) == ["NOT_FOUND"]


async def test_a_deleted_session_read_through_its_peer_is_not_found(api: Api, world: World) -> None:
    """Deleted means deleted through either agent."""
    session = await world.factory.session(
        world.other_agent, source_channel="agent", peer_agent_id=world.agent.id, deleted_at=T0
    )

    body = await _session(api, world.agent, session.id, world.creator)

    assert error_codes(body) == ["NOT_FOUND"]


async def test_another_tenants_session_is_not_found_as_an_unknown_one(
    api: Api, world: World
) -> None:
    """A session stored under another tenant answers exactly as an id that names nothing."""
    elsewhere = await world.factory.tenant("Elsewhere")
    foreign = await world.factory.session(
        world.agent, world.viewer, messages=1, tenant_id=elsewhere.id
    )

    unknown = await _session(api, world.agent, uuid.uuid4(), world.creator)
    other_tenant = await _session(api, world.agent, foreign.id, world.creator)

    assert other_tenant["data"] == unknown["data"] == {"agent": {"session": None}}
    assert [e["message"] for e in other_tenant["errors"]] == ["Session not found."]
    assert [e["message"] for e in unknown["errors"]] == ["Session not found."]
    assert error_codes(other_tenant) == error_codes(unknown) == ["NOT_FOUND"]


async def test_another_tenants_agent_hides_its_sessions_from_a_platform_admin(
    api: Api, world: World
) -> None:
    """A platform admin of another tenant reads neither the agent nor its sessions."""
    session = await _mine()(world)
    root = await world.factory.user(await world.factory.tenant("Root"), role="platform_admin")

    body = await _session(api, world.agent, session.id, root)

    assert body["data"] == {"agent": None}
    assert error_codes(body) == ["NOT_FOUND"]


# --- Session fields ------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


async def test_a_user_session_reads_as_stored(api: Api, world: World) -> None:
    """Every plain field of a one-to-one session, with timestamps in UTC."""
    session = await world.factory.session(
        world.agent, world.viewer, title="Plans", source_channel="feishu"
    )
    await world.factory.message(session, "user", "hi")
    await world.factory.message(session, "assistant", "hello")
    await world.factory.message(session, "tool_call", {"name": "x"})
    await world.factory.message(session, "system", "note", agent_id=world.other_agent.id)

    body = await _session(api, world.agent, session.id, world.viewer)

    assert body["data"]["agent"]["session"] == {
        "id": str(session.id),
        "agentId": str(world.agent.id),
        "userId": str(world.viewer.id),
        "user": {"id": str(world.viewer.id), "displayName": "Viewer"},
        "displayName": "Viewer",
        "sourceChannel": "feishu",
        "title": "Plans",
        "createdAt": _iso(session.created_at),
        "lastMessageAt": _iso(session.last_message_at),
        "messageCount": 4,
        "participantType": "USER",
        "peerAgentId": None,
        "peerAgentName": None,
        "isGroup": False,
        "groupName": None,
        "kind": "DIRECT",
        "isPrimary": False,
        "unreadCount": 3,
        "lastReadAt": None,
        "updatedAt": _iso(session.updated_at),
    }
    assert body["data"]["agent"]["session"]["createdAt"].endswith("+00:00")


async def test_platform_columns_read_as_stored(api: Api, world: World) -> None:
    """isPrimary, lastReadAt (last_read_at_by_user) and updatedAt are the stored values."""
    read_at, updated_at = T0 + timedelta(hours=1), T0 + timedelta(hours=2)
    session = await world.factory.session(
        world.agent,
        world.viewer,
        is_primary=True,
        last_read_at_by_user=read_at,
        updated_at=updated_at,
    )

    body = await _session(api, world.agent, session.id, world.viewer)

    node = body["data"]["agent"]["session"]
    assert (node["isPrimary"], node["lastReadAt"], node["updatedAt"]) == (
        True,
        _iso(read_at),
        _iso(updated_at),
    )


async def test_timestamps_keep_microseconds_and_read_as_utc(api: Api, world: World) -> None:
    """A stored instant comes back as the same instant, written with +00:00."""
    created = datetime.fromisoformat("2026-03-04T05:06:07.123456+05:30")
    session = await world.factory.session(world.agent, world.viewer, created_at=created)

    body = await _session(api, world.agent, session.id, world.viewer)

    node = body["data"]["agent"]["session"]
    assert node["createdAt"] == "2026-03-03T23:36:07.123456+00:00"
    assert node["updatedAt"] == "2026-03-03T23:36:07.123456+00:00"
    assert node["lastMessageAt"] is None
    assert node["messageCount"] == 0
    assert node["unreadCount"] == 0


async def _set_user(database: Database, user: User, **values: Any) -> None:
    async with database.transaction() as db:
        await db.execute(update(User).where(User.id == user.id).values(**values))


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param({"display_name": "Dana"}, "Dana", id="display-name"),
        # The platform's coalesce(display_name, username) keeps an empty name: 'Unknown'.
        pytest.param({"display_name": ""}, "Unknown", id="empty-display-name"),
        pytest.param({"display_name": "", "identity_id": None}, "Unknown", id="no-identity"),
    ],
)
async def test_a_user_session_is_named_after_its_owner(
    api: Api, world: World, database: Database, values: dict[str, Any], expected: str
) -> None:
    """The display name; an empty one is 'Unknown', as on the platform."""
    owner = await world.factory.user(None, username="dana-42")
    await _set_user(database, owner, **values)
    session = await world.factory.session(world.agent, owner, messages=1)

    body = await _session(api, world.agent, session.id, world.creator)

    node = body["data"]["agent"]["session"]
    assert node["displayName"] == expected
    assert node["user"] == {"id": str(owner.id), "displayName": expected}


async def test_a_session_without_owner_is_unknown(api: Api, world: World) -> None:
    """No user: user is null and the list calls it 'Unknown'."""
    session = await world.factory.session(world.agent, source_channel="trigger")

    body = await _session(api, world.agent, session.id, world.creator)

    node = body["data"]["agent"]["session"]
    assert (node["userId"], node["user"], node["displayName"]) == (None, None, "Unknown")


def _stored(world: World, **columns: Any) -> ChatSession:
    """A session row of the agent's tenant, to be written by `add_dangling`."""
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "tenant_id": world.agent.tenant_id,
        "session_type": "direct",
        "agent_id": world.agent.id,
        "title": "New Session",
        "source_channel": "web",
        "created_at": T0,
        "updated_at": T0,
    }
    return ChatSession(**(values | columns))


async def test_a_session_whose_owner_is_gone_is_unknown(
    api: Api, world: World, database: Database
) -> None:
    """An owner id that names no user: user is null and the list calls it 'Unknown'."""
    gone = uuid.uuid4()
    session = _stored(world, user_id=gone)
    await add_dangling(database, session)

    body = await _session(api, world.agent, session.id, world.creator)

    node = body["data"]["agent"]["session"]
    assert (node["userId"], node["user"], node["displayName"]) == (str(gone), None, "Unknown")


@pytest.mark.parametrize(
    ("group_name", "title", "expected"),
    [
        pytest.param("#launch", "War room", "#launch", id="group-name"),
        pytest.param(None, "War room", "War room", id="title"),
        pytest.param("", "War room", "War room", id="blank-group-name"),
        pytest.param(None, "", "Group Chat", id="neither"),
    ],
)
async def test_a_group_session_is_named_after_the_group(
    api: Api, world: World, group_name: str | None, title: str, expected: str
) -> None:
    """Group name, else title, else 'Group Chat'; never the owner's name."""
    session = await world.factory.session(
        world.agent,
        world.viewer,
        is_group=True,
        group_name=group_name,
        title=title,
        source_channel="discord",
    )

    body = await _session(api, world.agent, session.id, world.creator)

    node = body["data"]["agent"]["session"]
    assert node["displayName"] == expected
    assert (node["participantType"], node["isGroup"], node["groupName"], node["kind"]) == (
        "GROUP",
        True,
        group_name,
        "GROUP",
    )
    assert (node["peerAgentId"], node["peerAgentName"]) == (None, None)
    assert node["user"] == {"id": str(world.viewer.id), "displayName": "Viewer"}


# --- kinds and the agent-to-agent peer -------------------------------------------------


@pytest.mark.parametrize(
    ("columns", "kind", "participant_type", "is_group"),
    [
        pytest.param({"session_type": "direct"}, "DIRECT", "USER", False, id="direct"),
        pytest.param(
            {"session_type": "group", "is_group": True}, "GROUP", "GROUP", True, id="group"
        ),
        pytest.param(
            {"session_type": "group", "is_group": False},
            "GROUP",
            "GROUP",
            True,
            id="group-without-the-flag",
        ),
        pytest.param(
            {"session_type": "direct", "is_group": True},
            "DIRECT",
            "USER",
            False,
            id="flag-without-the-group-type",
        ),
        pytest.param(
            {"session_type": "a2a", "source_channel": "agent", "peer": True},
            "AGENT_TO_AGENT",
            "AGENT",
            False,
            id="a2a",
        ),
        pytest.param(
            {"session_type": "a2a", "source_channel": "web", "peer": True},
            "AGENT_TO_AGENT",
            "AGENT",
            False,
            id="a2a-on-another-channel",
        ),
        pytest.param(
            {"session_type": "trigger", "source_channel": "trigger"},
            "TRIGGER",
            "USER",
            False,
            id="trigger",
        ),
    ],
)
async def test_the_kind_follows_the_session_type(
    api: Api,
    world: World,
    columns: dict[str, Any],
    kind: str,
    participant_type: str,
    is_group: bool,
) -> None:
    """kind, participantType and isGroup come from session_type alone."""
    columns = dict(columns)  # the parameter is shared by every backend's run
    if columns.pop("peer", False):
        columns["peer_agent_id"] = world.other_agent.id
    session = await world.factory.session(world.agent, world.viewer, **columns)

    body = await _session(api, world.agent, session.id, world.creator)

    node = body["data"]["agent"]["session"]
    assert (node["kind"], node["participantType"], node["isGroup"]) == (
        kind,
        participant_type,
        is_group,
    )
    has_peer = kind == "AGENT_TO_AGENT"
    assert node["peerAgentId"] == (str(world.other_agent.id) if has_peer else None)


async def test_an_agent_to_agent_session_is_seen_from_the_agent_read_through(
    api: Api, world: World
) -> None:
    """peerAgentId is the other agent of the two; displayName names them in stored order."""
    session = await world.factory.session(
        world.agent, source_channel="agent", peer_agent_id=world.other_agent.id
    )

    own = await _session(api, world.agent, session.id, world.creator)
    peer = await _session(api, world.other_agent, session.id, world.creator)

    for body, other in ((own, world.other_agent), (peer, world.agent)):
        node = body["data"]["agent"]["session"]
        assert node["displayName"] == "Agent Atlas - Scribe"
        assert node["participantType"] == "AGENT"
        assert node["kind"] == "AGENT_TO_AGENT"
        assert node["peerAgentId"] == str(other.id)
        assert node["peerAgentName"] == other.name
        assert node["agentId"] == str(world.agent.id)
        assert node["user"] is None


async def test_an_agent_to_agent_session_in_both_agents_lists(api: Api, world: World) -> None:
    """Each agent's ALL list shows the session with the other agent as its peer."""
    session = await world.factory.session(
        world.agent, source_channel="agent", peer_agent_id=world.other_agent.id
    )
    await world.factory.message(session, "assistant", "ping")
    query = """
    query Peers($agentId: ID!) {
      agent(id: $agentId) {
        sessions(scope: ALL) { nodes { id displayName peerAgentId peerAgentName unreadCount } }
      }
    }
    """

    for reader, other in ((world.agent, world.other_agent), (world.other_agent, world.agent)):
        body = await api.query(query, {"agentId": str(reader.id)}, user=world.creator)

        assert body["data"]["agent"]["sessions"]["nodes"] == [
            {
                "id": str(session.id),
                "displayName": "Agent Atlas - Scribe",
                "peerAgentId": str(other.id),
                "peerAgentName": other.name,
                "unreadCount": 0,
            }
        ]


async def test_a_group_with_a_stored_peer_is_a_group(api: Api, world: World) -> None:
    """A group session is a group, whatever peer it stores: no peer, the group's name."""
    session = await world.factory.session(
        world.agent,
        source_channel="agent",
        peer_agent_id=world.other_agent.id,
        is_group=True,
        group_name="#bots",
    )

    body = await _session(api, world.agent, session.id, world.creator)

    node = body["data"]["agent"]["session"]
    assert (node["kind"], node["participantType"], node["isGroup"]) == ("GROUP", "GROUP", True)
    assert node["displayName"] == "#bots"
    assert (node["peerAgentId"], node["peerAgentName"]) == (None, None)


async def test_a_missing_peer_agent_reads_agent(api: Api, world: World, database: Database) -> None:
    """A peer agent that is gone is named 'Agent'; its stored id is kept."""
    gone = uuid.uuid4()
    session = _stored(world, session_type="a2a", source_channel="agent", peer_agent_id=gone)
    await add_dangling(database, session)

    body = await _session(api, world.agent, session.id, world.creator)

    node = body["data"]["agent"]["session"]
    assert node["displayName"] == "Agent Atlas - Agent"
    assert (node["peerAgentId"], node["peerAgentName"]) == (str(gone), "Agent")
    assert node["participantType"] == "AGENT"


async def test_a_missing_owning_agent_reads_agent_through_the_peer(
    api: Api, world: World, database: Database
) -> None:
    """Read through the peer, a session whose own agent is gone: that agent is the peer."""
    gone = uuid.uuid4()
    session = _stored(
        world,
        session_type="a2a",
        agent_id=gone,
        source_channel="agent",
        peer_agent_id=world.agent.id,
    )
    await add_dangling(database, session)

    body = await _session(api, world.agent, session.id, world.creator)

    node = body["data"]["agent"]["session"]
    assert node["displayName"] == "Agent Agent - Atlas"
    assert (node["peerAgentId"], node["peerAgentName"]) == (str(gone), "Agent")


async def test_an_agent_to_agent_session_without_a_peer(api: Api, world: World) -> None:
    """No stored peer: no peer id, and the peer is named 'Agent'."""
    session = await world.factory.session(world.agent, session_type="a2a", source_channel="agent")

    body = await _session(api, world.agent, session.id, world.creator)

    node = body["data"]["agent"]["session"]
    assert (node["peerAgentId"], node["peerAgentName"]) == (None, "Agent")
    assert node["displayName"] == "Agent Atlas - Agent"


@pytest.mark.parametrize(
    "columns",
    [
        pytest.param({"source_channel": "agent"}, id="agent-channel-without-peer"),
        pytest.param({"source_channel": "web", "peer_agent_id": "other"}, id="peer-on-web"),
        pytest.param(
            {"source_channel": "agent", "peer_agent_id": "other", "session_type": "direct"},
            id="direct-with-agent-channel-and-peer",
        ),
    ],
)
async def test_only_agent_to_agent_sessions_have_a_peer(
    api: Api, world: World, columns: dict[str, Any]
) -> None:
    """A session of any other kind is a user session, whatever its channel and peer."""
    if columns.get("peer_agent_id") == "other":
        columns = {**columns, "peer_agent_id": world.other_agent.id}
    session = await world.factory.session(world.agent, world.viewer, **columns)

    body = await _session(api, world.agent, session.id, world.creator)

    node = body["data"]["agent"]["session"]
    assert (node["peerAgentId"], node["peerAgentName"]) == (None, None)
    assert node["participantType"] == "USER"
    assert node["displayName"] == "Viewer"


# --- unread counts ---------------------------------------------------------------------

UNREAD = """
query Unread($agentId: ID!, $scope: SessionScope!) {
  agent(id: $agentId) { sessions(scope: $scope) { nodes { id unreadCount } } }
}
"""


async def _conversation(world: World, session: ChatSession) -> None:
    """One message of each role, the user's first."""
    for role in ("user", "assistant", "system", "tool_call"):
        await world.factory.message(session, role, "{}")


async def _unread(api: Api, world: World, session: ChatSession, user: User) -> int:
    body = await _session(api, world.agent, session.id, user)
    assert "errors" not in body, body
    return body["data"]["agent"]["session"]["unreadCount"]


async def test_never_read_counts_every_agent_side_message(api: Api, world: World) -> None:
    """Without a last read, assistant, system and tool-call messages are all unread."""
    session = await world.factory.session(world.agent, world.viewer)
    await _conversation(world, session)
    await _conversation(world, session)

    assert await _unread(api, world, session, world.viewer) == 6


async def test_only_messages_after_the_last_read_are_unread(api: Api, world: World) -> None:
    """Messages up to and at last_read_at_by_user are read; later ones are not."""
    session = await world.factory.session(world.agent, world.viewer)
    await _conversation(world, session)
    read_at = world.factory.tick()
    await world.factory.message(session, "assistant", "at the read", created_at=read_at)
    async with world.factory.database.transaction() as db:
        await db.execute(
            update(ChatSession)
            .where(ChatSession.id == session.id)
            .values(last_read_at_by_user=read_at)
        )
    before = await _unread(api, world, session, world.viewer)

    await world.factory.message(session, "user", "and another thing")
    await world.factory.message(session, "assistant", "new")
    await world.factory.message(session, "tool_call", "{}")

    assert before == 0
    assert await _unread(api, world, session, world.viewer) == 2


@pytest.mark.parametrize(
    ("owner", "columns"),
    [
        pytest.param("stranger", {}, id="another-users-direct"),
        pytest.param("viewer", {"is_group": True}, id="own-group"),
        pytest.param("viewer", {"source_channel": "trigger"}, id="own-trigger"),
        pytest.param("viewer", {"source_channel": "agent", "peer_agent_id": "other"}, id="own-a2a"),
    ],
)
async def test_other_sessions_have_no_unread_messages(
    api: Api, world: World, owner: str, columns: dict[str, Any]
) -> None:
    """Only the viewer's own direct sessions count unread messages; the rest read 0."""
    if columns.get("peer_agent_id") == "other":
        columns = {**columns, "peer_agent_id": world.other_agent.id}
    session = await world.factory.session(world.agent, getattr(world, owner), **columns)
    await _conversation(world, session)

    assert await _unread(api, world, session, world.admin) == 0
    assert (
        await _unread(api, world, session, world.viewer if owner == "viewer" else world.creator)
        == 0
    )


async def test_mine_lists_a_session_only_the_agent_wrote_with_its_unread_count(
    api: Api, world: World
) -> None:
    """A direct session the agent opened is the owner's, with everything in it unread."""
    greeted = await _assistant_only(world)
    spoken = await world.factory.session(
        world.agent, world.viewer, last_read_at_by_user=world.factory.tick()
    )
    await _conversation(world, spoken)

    body = await api.query(
        UNREAD, {"agentId": str(world.agent.id), "scope": "MINE"}, user=world.viewer
    )

    assert body["data"]["agent"]["sessions"]["nodes"] == [
        {"id": str(spoken.id), "unreadCount": 3},
        {"id": str(greeted.id), "unreadCount": 2},
    ]


async def test_the_all_list_counts_unread_for_the_viewers_own_sessions_only(
    api: Api, world: World
) -> None:
    """In ALL, an admin's own direct session counts; other users' read 0."""
    own = await world.factory.session(world.agent, world.admin)
    await _conversation(world, own)
    theirs = await world.factory.session(world.agent, world.viewer)
    await _conversation(world, theirs)

    body = await api.query(
        UNREAD, {"agentId": str(world.agent.id), "scope": "ALL"}, user=world.admin
    )

    assert body["data"]["agent"]["sessions"]["nodes"] == [
        {"id": str(theirs.id), "unreadCount": 0},
        {"id": str(own.id), "unreadCount": 3},
    ]


# --- reading never writes --------------------------------------------------------------

EVERYTHING = """
query Everything($agentId: ID!, $sessionId: ID!) {
  agent(id: $agentId) {
    mine: sessions(scope: MINE) { totalCount nodes { id unreadCount messageCount } }
    all: sessions(scope: ALL) { totalCount nodes { id unreadCount displayName } }
    session(id: $sessionId) {
      unreadCount lastReadAt updatedAt
      messages(last: 50) { totalCount nodes { id runtimeError { code } toolCall { name } } }
    }
  }
}
"""


async def test_reading_sends_no_write(api: Api, world: World, database: Database) -> None:
    """The owner reads lists, a session and its messages without one write."""
    session = await world.factory.session(world.agent, world.admin)
    await _conversation(world, session)
    variables = {"agentId": str(world.agent.id), "sessionId": str(session.id)}

    with count_statements(database) as log:
        body = await api.query(EVERYTHING, variables, user=world.admin)
    again = await api.query(EVERYTHING, variables, user=world.admin)

    assert "errors" not in body, body
    assert body == again
    assert body["data"]["agent"]["session"]["unreadCount"] == 3
    assert body["data"]["agent"]["session"]["lastReadAt"] is None
    writes = [
        sql
        for sql in log.statements
        if sql.split()[0].upper() in {"INSERT", "UPDATE", "DELETE", "MERGE", "BEGIN"}
    ]
    assert writes == [], str(log)
