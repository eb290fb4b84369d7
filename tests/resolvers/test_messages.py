"""Session.messages: order, keyset paging both ways, bounds, and how each message reads."""

import base64
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from db.engine import Database
from db.models import Agent, ChatMessage, ChatSession, User
from tests.api import Api, count_statements, error_codes
from tests.dangling import add_dangling
from tests.factories import T0, Factory

MESSAGES = """
query Messages(
  $agentId: ID!, $sessionId: ID!, $first: Int, $after: String, $last: Int, $before: String
) {
  agent(id: $agentId) {
    session(id: $sessionId) {
      messages(first: $first, after: $after, last: $last, before: $before) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { id } }
        nodes { id }
      }
    }
  }
}
"""

MESSAGE_FIELDS = """
query MessageFields($agentId: ID!, $sessionId: ID!) {
  agent(id: $agentId) {
    session(id: $sessionId) {
      messages(first: 500) {
        nodes {
          id role content thinking createdAt participantId senderName
          toolCall { name args status result }
          parts {
            __typename
            ... on TextPart { text }
            ... on ToolCallPart { toolCall { name args status result } }
          }
        }
      }
    }
  }
}
"""

SESSION_CURSOR = """
query SessionCursor($agentId: ID!) {
  agent(id: $agentId) { sessions(scope: ALL, first: 1) { pageInfo { endCursor } } }
}
"""


@dataclass
class Chat:
    """A session of an agent whose creator reads it, through the API."""

    api: Api
    factory: Factory
    agent: Agent
    reader: User
    session: ChatSession


async def _chat(api: Api, factory: Factory, **columns: Any) -> Chat:
    creator = await factory.user(await factory.tenant(), display_name="Creator")
    agent = await factory.agent(creator)
    session = await factory.session(agent, creator, **columns)
    return Chat(api=api, factory=factory, agent=agent, reader=creator, session=session)


@pytest.fixture
async def chat(api: Api, factory: Factory) -> Chat:
    return await _chat(api, factory)


@pytest.fixture
async def agent_chat(api: Api, factory: Factory) -> Chat:
    """An agent-to-agent session."""
    peer_creator = await factory.user(await factory.tenant("Peers"))
    peer = await factory.agent(peer_creator, name="Scribe")
    return await _chat(api, factory, source_channel="agent", peer_agent_id=peer.id)


async def _add_history(chat: Chat, times: list[datetime]) -> list[str]:
    """Messages at these times in one transaction; their ids in chronological order."""
    rows = [
        ChatMessage(
            id=uuid.uuid4(),
            agent_id=chat.agent.id,
            role="user",
            content=f"message {n}",
            conversation_id=str(chat.session.id),
            created_at=at,
        )
        for n, at in enumerate(times)
    ]
    await chat.factory.add(*rows)
    return [str(row.id) for row in sorted(rows, key=lambda row: (row.created_at, row.id))]


def _minutes(start: int, count: int) -> list[datetime]:
    return [T0 + timedelta(minutes=start + n) for n in range(count)]


async def _page(chat: Chat, **arguments: Any) -> dict[str, Any]:
    variables = {"agentId": str(chat.agent.id), "sessionId": str(chat.session.id), **arguments}
    return await chat.api.query(MESSAGES, variables, user=chat.reader)


def _messages(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body
    return body["data"]["agent"]["session"]["messages"]


async def _fields(chat: Chat) -> list[dict[str, Any]]:
    variables = {"agentId": str(chat.agent.id), "sessionId": str(chat.session.id)}
    return _messages(await chat.api.query(MESSAGE_FIELDS, variables, user=chat.reader))["nodes"]


# --- order and paging ----------------------------------------------------------------


async def test_messages_are_chronological_with_ties_broken_by_id(chat: Chat) -> None:
    """created_at ascending, then id ascending, whatever the order they were written in."""
    same = T0 + timedelta(minutes=5)
    expected = await _add_history(chat, [same, T0 + timedelta(minutes=9), same, T0, same])

    page = _messages(await _page(chat, first=500))

    assert [node["id"] for node in page["nodes"]] == expected
    assert [edge["node"] for edge in page["edges"]] == page["nodes"]


async def test_the_default_page_is_the_newest_hundred(chat: Chat) -> None:
    """With neither first nor last, the newest 100 messages, oldest of them first."""
    expected = await _add_history(chat, _minutes(0, 105))

    page = _messages(await _page(chat))

    assert [node["id"] for node in page["nodes"]] == expected[5:]
    assert page["totalCount"] == 105
    assert page["pageInfo"]["hasPreviousPage"] is True
    assert page["pageInfo"]["hasNextPage"] is False


async def test_an_empty_history_is_an_empty_page(chat: Chat) -> None:
    """No messages: no edges, null cursors, no neighbours, count zero."""
    page = _messages(await _page(chat))

    assert page == {
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


def _check_cursors(page: dict[str, Any]) -> None:
    info = page["pageInfo"]
    assert info["startCursor"] == page["edges"][0]["cursor"]
    assert info["endCursor"] == page["edges"][-1]["cursor"]


@pytest.mark.parametrize("size", [1, 3, 7, 10, 11])
async def test_paging_forward_visits_every_message_once(chat: Chat, size: int) -> None:
    """first/after from the oldest reaches the newest without a gap or a repeat."""
    same = T0 + timedelta(minutes=3)
    expected = await _add_history(chat, [*_minutes(0, 4), same, same, same, *_minutes(5, 3)])

    seen: list[str] = []
    after = None
    for number in range(len(expected) + 1):
        page = _messages(await _page(chat, first=size, after=after))
        seen += [node["id"] for node in page["nodes"]]
        _check_cursors(page)
        assert page["pageInfo"]["hasPreviousPage"] is (number > 0)
        assert page["totalCount"] == len(expected)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert seen == expected
    assert number + 1 == -(-len(expected) // size)


@pytest.mark.parametrize("size", [1, 3, 7, 10, 11])
async def test_paging_backward_visits_every_message_once(chat: Chat, size: int) -> None:
    """last/before from the newest reaches the oldest without a gap or a repeat."""
    same = T0 + timedelta(minutes=3)
    expected = await _add_history(chat, [*_minutes(0, 4), same, same, same, *_minutes(5, 3)])

    pages: list[list[str]] = []
    before = None
    for number in range(len(expected) + 1):
        page = _messages(await _page(chat, last=size, before=before))
        pages.append([node["id"] for node in page["nodes"]])
        _check_cursors(page)
        assert page["pageInfo"]["hasNextPage"] is (number > 0)
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]

    assert [message for page in reversed(pages) for message in page] == expected
    assert len(pages) == -(-len(expected) // size)
    assert all(len(page) == size for page in pages[:-1])


async def test_paging_backward_while_messages_arrive(chat: Chat) -> None:
    """Messages newer than the cursor stay out; ones older than everything come in last."""
    original = await _add_history(chat, _minutes(0, 9))

    pages: list[list[str]] = []
    arrived_early: list[str] = []
    before = None
    for step in range(20):
        page = _messages(await _page(chat, last=2, before=before))
        pages.append([node["id"] for node in page["nodes"]])
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
        await _add_history(chat, [T0 + timedelta(days=1, minutes=step)])
        arrived_early += await _add_history(chat, [T0 - timedelta(days=1 + step)])

    seen = [message for page in reversed(pages) for message in page]
    assert seen == arrived_early[::-1] + original
    assert len(seen) == len(set(seen))


async def test_paging_forward_while_messages_arrive(chat: Chat) -> None:
    """Messages newer than the cursor show up at the end; none repeats."""
    original = await _add_history(chat, _minutes(0, 5))

    seen: list[str] = []
    arrived: list[str] = []
    after = None
    for step in range(20):
        page = _messages(await _page(chat, first=2, after=after))
        seen += [node["id"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        if step < 3:
            arrived += await _add_history(chat, [T0 + timedelta(days=1, minutes=step)])
            await _add_history(chat, [T0 - timedelta(days=1)])

    assert seen == original + arrived


async def test_after_alone_pages_forward_and_before_alone_back(chat: Chat) -> None:
    """A cursor without a size pages in its direction, up to the default of 100."""
    expected = await _add_history(chat, _minutes(0, 4))
    first = _messages(await _page(chat, first=1))
    last = _messages(await _page(chat, last=1))

    after = _messages(await _page(chat, after=first["pageInfo"]["endCursor"]))
    before = _messages(await _page(chat, before=last["pageInfo"]["startCursor"]))

    assert [node["id"] for node in after["nodes"]] == expected[1:]
    assert [node["id"] for node in before["nodes"]] == expected[:-1]
    assert (after["pageInfo"]["hasPreviousPage"], after["pageInfo"]["hasNextPage"]) == (True, False)
    assert (before["pageInfo"]["hasPreviousPage"], before["pageInfo"]["hasNextPage"]) == (
        False,
        True,
    )


async def test_total_count_is_the_whole_session(chat: Chat) -> None:
    """totalCount counts every message of the session, not the page and not other sessions."""
    await _add_history(chat, _minutes(0, 6))
    await chat.factory.session(chat.agent, chat.reader, messages=3)

    page = _messages(await _page(chat, first=2))

    assert page["totalCount"] == 6
    assert len(page["nodes"]) == 2


# --- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param({"first": 0}, id="first-zero"),
        pytest.param({"first": -1}, id="first-negative"),
        pytest.param({"first": 501}, id="first-over-500"),
        pytest.param({"last": 0}, id="last-zero"),
        pytest.param({"last": -5}, id="last-negative"),
        pytest.param({"last": 501}, id="last-over-500"),
        pytest.param({"first": 1, "last": 1}, id="first-and-last"),
        pytest.param({"first": 10, "last": 10}, id="first-and-last-both-valid"),
        pytest.param({"first": 1, "before": "x"}, id="first-and-before"),
        pytest.param({"last": 1, "after": "x"}, id="last-and-after"),
        pytest.param({"after": "x", "before": "y"}, id="after-and-before"),
    ],
)
async def test_bad_page_arguments_are_bad_input(chat: Chat, arguments: dict[str, Any]) -> None:
    """Sizes outside 1..500 and mixed directions are BAD_USER_INPUT."""
    await _add_history(chat, _minutes(0, 2))

    body = await _page(chat, **arguments)

    assert body["data"] == {"agent": {"session": None}}
    assert error_codes(body) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param({"first": 1}, id="first-1"),
        pytest.param({"first": 500}, id="first-500"),
        pytest.param({"last": 1}, id="last-1"),
        pytest.param({"last": 500}, id="last-500"),
    ],
)
async def test_page_sizes_at_their_bounds_are_accepted(
    chat: Chat, arguments: dict[str, Any]
) -> None:
    """Both ends of 1..500 give a page, from the start or from the end."""
    expected = await _add_history(chat, _minutes(0, 3))

    page = _messages(await _page(chat, **arguments))

    size = arguments.get("first") or arguments["last"]
    window = expected[:size] if "first" in arguments else expected[-size:]
    assert [node["id"] for node in page["nodes"]] == window


def _cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


CREATED = "2026-01-01T12:00:00+00:00"
SOME_ID = "6f1c2a52-0d5e-4a39-9a39-3d3f0f5a1c00"

BAD_CURSORS: list[Any] = [
    pytest.param(lambda c: "", id="empty"),
    pytest.param(lambda c: "%%%", id="not-base64"),
    pytest.param(lambda c: base64.urlsafe_b64encode(b"{").decode(), id="not-json"),
    pytest.param(lambda c: _cursor({"m": str(c.session.id)}), id="json-object"),
    pytest.param(lambda c: _cursor(["m", str(c.session.id), CREATED]), id="too-short"),
    pytest.param(lambda c: _cursor(["m", str(c.session.id), "soon", SOME_ID]), id="bad-time"),
    pytest.param(
        lambda c: _cursor(["m", str(c.session.id), "2026-01-01T12:00:00", SOME_ID]),
        id="naive-time",
    ),
    pytest.param(
        lambda c: _cursor(["m", str(c.session.id), "0001-01-01T00:00:00+01:00", SOME_ID]),
        id="time-before-1",
    ),
    pytest.param(lambda c: _cursor(["m", str(c.session.id), CREATED, "x"]), id="bad-id"),
    pytest.param(lambda c: _cursor(["m", str(uuid.uuid4()), CREATED, SOME_ID]), id="other-session"),
    pytest.param(
        lambda c: _cursor(["s", str(c.agent.id), "all", None, CREATED, SOME_ID]),
        id="session-cursor",
    ),
    pytest.param(lambda c: base64.urlsafe_b64encode(b"[" * 3000).decode(), id="deep-json"),
]


@pytest.mark.parametrize("direction", ["after", "before"])
@pytest.mark.parametrize("make_cursor", BAD_CURSORS)
async def test_a_bad_cursor_is_bad_input(
    chat: Chat, make_cursor: Callable[[Chat], str], direction: str
) -> None:
    """A cursor that is not a message key of this session is BAD_USER_INPUT, either way."""
    await _add_history(chat, _minutes(0, 2))

    body = await _page(chat, **{direction: make_cursor(chat)})

    assert body["data"] == {"agent": {"session": None}}
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_a_cursor_of_another_session_is_bad_input(api: Api, chat: Chat) -> None:
    """A real message cursor only pages the session it came from."""
    await _add_history(chat, _minutes(0, 2))
    other_session = await chat.factory.session(chat.agent, chat.reader, messages=2)
    other = Chat(api, chat.factory, chat.agent, chat.reader, other_session)
    cursor = _messages(await _page(other, first=1))["pageInfo"]["endCursor"]

    body = await _page(chat, after=cursor)

    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_a_session_list_cursor_is_no_message_cursor(api: Api, chat: Chat) -> None:
    """A cursor from Agent.sessions does not page messages."""
    await _add_history(chat, _minutes(0, 2))
    listed = await api.query(SESSION_CURSOR, {"agentId": str(chat.agent.id)}, user=chat.reader)
    cursor = listed["data"]["agent"]["sessions"]["pageInfo"]["endCursor"]

    body = await _page(chat, before=cursor)

    assert cursor is not None
    assert error_codes(body) == ["BAD_USER_INPUT"]


# --- how a message reads -------------------------------------------------------------


async def test_a_message_reads_as_stored(chat: Chat) -> None:
    """Role, content, thinking, time in UTC and sender, for each role."""
    person = await chat.factory.participant("user", chat.reader.id, "Cleo")
    stored = [
        await chat.factory.message(chat.session, "user", "hi", participant_id=person.id),
        await chat.factory.message(chat.session, "assistant", "hello", thinking="greet back"),
        await chat.factory.message(chat.session, "system", "joined"),
    ]

    nodes = await _fields(chat)

    assert nodes == [
        {
            "id": str(message.id),
            "role": message.role.upper(),
            "content": message.content,
            "thinking": message.thinking,
            "createdAt": message.created_at.isoformat(),
            "participantId": str(person.id) if message.participant_id else None,
            "senderName": "Cleo" if message.participant_id else None,
            "toolCall": None,
            "parts": [{"__typename": "TextPart", "text": message.content}],
        }
        for message in stored
    ]
    assert nodes[0]["createdAt"].endswith("+00:00")


async def test_a_missing_participant_is_unknown(chat: Chat, database: Database) -> None:
    """A participant id that names no participant reads 'Unknown'."""
    gone = uuid.uuid4()
    message = ChatMessage(
        id=uuid.uuid4(),
        agent_id=chat.agent.id,
        role="assistant",
        content="hi",
        conversation_id=str(chat.session.id),
        participant_id=gone,
        created_at=T0,
    )
    await add_dangling(database, message)

    nodes = await _fields(chat)

    assert [(node["participantId"], node["senderName"]) for node in nodes] == [
        (str(gone), "Unknown")
    ]


async def test_messages_of_a_session_read_through_its_peer(api: Api, factory: Factory) -> None:
    """The peer agent reads an agent-to-agent session's messages and their senders."""
    creator = await factory.user(await factory.tenant())
    agent, peer = await factory.agent(creator), await factory.agent(creator, name="Scribe")
    session = await factory.session(agent, source_channel="agent", peer_agent_id=peer.id)
    sender = await factory.participant("agent", agent.id, "Atlas")
    await factory.message(session, "assistant", "ping", participant_id=sender.id)
    chat = Chat(api, factory, peer, creator, session)

    nodes = await _fields(chat)

    assert [(node["content"], node["senderName"]) for node in nodes] == [("ping", "Atlas")]


TOOL_CALLS = [
    pytest.param(
        {"name": "search", "args": {"q": "x"}, "status": "running", "result": {"hits": 2}},
        {"name": "search", "args": {"q": "x"}, "status": "running", "result": {"hits": 2}},
        id="complete",
    ),
    pytest.param({}, {"name": "", "args": None, "status": "done", "result": ""}, id="empty"),
    pytest.param(
        {"name": "lookup"},
        {"name": "lookup", "args": None, "status": "done", "result": ""},
        id="name-only",
    ),
    pytest.param(
        {"name": None, "status": None, "result": None, "args": None},
        {"name": "", "args": None, "status": "done", "result": None},
        id="nulls",
    ),
    pytest.param(
        {"name": "calc", "args": [1, 2], "result": 3},
        {"name": "calc", "args": [1, 2], "status": "done", "result": 3},
        id="non-object-args",
    ),
    pytest.param(
        {"name": "calc", "args": {"n": 10**30}, "result": -(10**25)},
        {"name": "calc", "args": {"n": 1e30}, "status": "done", "result": -1e25},
        id="integers-past-64-bits",
    ),
]


@pytest.mark.parametrize(("stored", "expected"), TOOL_CALLS)
async def test_a_tool_call_message_is_parsed(
    chat: Chat, stored: dict[str, Any], expected: dict[str, Any]
) -> None:
    """A TOOL_CALL holding a JSON object is its call, with defaults, and one tool-call part."""
    message = await chat.factory.message(chat.session, "tool_call", stored)

    [node] = await _fields(chat)

    assert node["content"] == message.content
    assert node["toolCall"] == expected
    assert node["parts"] == [{"__typename": "ToolCallPart", "toolCall": expected}]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("calling search...", id="not-json"),
        pytest.param("", id="empty"),
        pytest.param('[{"name": "search"}]', id="json-list"),
        pytest.param('"search"', id="json-string"),
        pytest.param("42", id="json-number"),
        pytest.param("null", id="json-null"),
        pytest.param('{"name": "search"', id="truncated"),
        pytest.param("[" * 3000, id="deep"),
    ],
)
async def test_a_tool_call_that_is_no_json_object_is_text(chat: Chat, content: str) -> None:
    """Without a JSON object, a TOOL_CALL message has no toolCall and is one text part."""
    await chat.factory.message(chat.session, "tool_call", content)

    [node] = await _fields(chat)

    assert node["role"] == "TOOL_CALL"
    assert node["toolCall"] is None
    assert node["parts"] == [{"__typename": "TextPart", "text": content}]


@pytest.mark.parametrize("role", ["user", "assistant", "system"])
async def test_only_tool_call_messages_have_a_tool_call(chat: Chat, role: str) -> None:
    """JSON content in any other role is plain text."""
    content = json.dumps({"name": "search", "args": {}})
    await chat.factory.message(chat.session, role, content)

    [node] = await _fields(chat)

    assert node["toolCall"] is None
    assert node["parts"] == [{"__typename": "TextPart", "text": content}]


def _text(text: str) -> dict[str, Any]:
    return {"__typename": "TextPart", "text": text}


def _call(name: str, args: Any) -> dict[str, Any]:
    return {
        "__typename": "ToolCallPart",
        "toolCall": {"name": name, "args": args, "status": "done", "result": ""},
    }


INLINE = [
    pytest.param(
        'Let me look.\n```tool_code\nsearch\n```\n```json\n{"q": "notes", "n": 3}\n```\n'
        "Found them.\n```tool_code\nsummarise\n```\nDone.",
        [
            _text("Let me look."),
            _call("search", {"q": "notes", "n": 3}),
            _text("Found them."),
            _call("summarise", None),
            _text("Done."),
        ],
        id="text-around-and-between",
    ),
    pytest.param(
        "```tool_code\nsearch\n```\n```json\nnot json at all\n```",
        [_call("search", {"raw": "not json at all"})],
        id="args-not-json",
    ),
    pytest.param(
        "```tool_code\nsearch\n```\n```json\n  [1, 2]  \n```",
        [_call("search", [1, 2])],
        id="args-not-an-object",
    ),
    pytest.param(
        "```tool_code\nsearch\n```\n```json\n\n```",
        [_call("search", None)],
        id="empty-args",
    ),
    pytest.param(
        "```tool_code\n  first  \n```\n   \n\n```tool_code\nsecond\n```\n \n",
        [_call("first", None), _call("second", None)],
        id="blank-text-dropped",
    ),
    pytest.param(
        "Before ```tool_code\nlookup\n``` after",
        [_text("Before"), _call("lookup", None), _text("after")],
        id="inline-on-a-line",
    ),
    pytest.param(
        "Trying ```tool_code\ntwo words\n``` here",
        [_text("Trying ```tool_code\ntwo words\n``` here")],
        id="marker-without-match",
    ),
    pytest.param(
        "  ```tool_code\n```  ",
        [_text("```tool_code\n```")],
        id="marker-without-name-stripped",
    ),
    pytest.param(
        "\n  See the ```tool_code docs.\n\n",
        [_text("See the ```tool_code docs.")],
        id="mention-without-block-stripped",
    ),
]


@pytest.mark.parametrize(("content", "parts"), INLINE)
async def test_inline_tool_calls_split_an_agent_sessions_assistant_message(
    agent_chat: Chat, content: str, parts: list[dict[str, Any]]
) -> None:
    """In an agent-to-agent session, ```tool_code blocks become tool-call parts in order."""
    await agent_chat.factory.message(agent_chat.session, "assistant", content)

    [node] = await _fields(agent_chat)

    assert node["content"] == content
    assert node["toolCall"] is None
    assert node["parts"] == parts


@pytest.mark.parametrize("channel", ["agent", "web"])
async def test_the_agent_to_agent_kind_alone_splits_inline_calls(
    api: Api, factory: Factory, channel: str
) -> None:
    """The split follows the session type a2a, on whatever channel, with or without a peer."""
    chat = await _chat(api, factory, session_type="a2a", source_channel=channel)
    await factory.message(chat.session, "assistant", "Go\n```tool_code\nrun\n```")

    [node] = await _fields(chat)

    assert node["parts"] == [_text("Go"), _call("run", None)]


INLINE_CONTENT = "Let me look.\n```tool_code\nsearch\n```\nDone."


@pytest.mark.parametrize(
    "columns",
    [
        pytest.param({"source_channel": "web"}, id="direct-web"),
        pytest.param({"source_channel": "feishu"}, id="direct-feishu"),
        pytest.param({"source_channel": "agent"}, id="direct-on-the-agent-channel"),
        pytest.param({"source_channel": "trigger"}, id="trigger"),
        pytest.param({"is_group": True}, id="group"),
    ],
)
async def test_other_sessions_keep_assistant_text_whole(
    api: Api, factory: Factory, columns: dict[str, Any]
) -> None:
    """Outside agent-to-agent sessions an assistant message is one text part, blocks and all."""
    chat = await _chat(api, factory, **columns)
    await factory.message(chat.session, "assistant", INLINE_CONTENT)

    [node] = await _fields(chat)

    assert node["parts"] == [_text(INLINE_CONTENT)]


@pytest.mark.parametrize("role", ["user", "system"])
async def test_only_assistant_messages_are_split(agent_chat: Chat, role: str) -> None:
    """In an agent session, user and system messages with blocks stay one text part."""
    await agent_chat.factory.message(agent_chat.session, role, INLINE_CONTENT)

    [node] = await _fields(agent_chat)

    assert node["parts"] == [_text(INLINE_CONTENT)]


# --- tool-call fields as the platform stores them ----------------------------------------

TOOL_CALL_FIELDS = """
query ToolCallFields($agentId: ID!, $sessionId: ID!) {
  agent(id: $agentId) {
    session(id: $sessionId) {
      messages(first: 500) {
        nodes {
          toolCall { name args status result thinking callId }
          parts { ... on ToolCallPart { toolCall { name args thinking callId } } }
        }
      }
    }
  }
}
"""

DEFAULTS = {"name": "", "args": None, "status": "done", "result": "", "thinking": "", "callId": ""}


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        pytest.param({}, {}, id="defaults"),
        pytest.param({"tool_name": "search"}, {"name": "search"}, id="tool-name"),
        pytest.param(
            {"name": "search", "tool_name": "lookup"}, {"name": "search"}, id="name-first"
        ),
        pytest.param({"name": "", "tool_name": "lookup"}, {"name": "lookup"}, id="blank-name"),
        pytest.param({"name": None, "tool_name": "lookup"}, {"name": "lookup"}, id="null-name"),
        pytest.param({"arguments": {"q": 1}}, {"args": {"q": 1}}, id="arguments"),
        pytest.param(
            {"args": {"q": 1}, "arguments": {"q": 2}}, {"args": {"q": 1}}, id="args-first"
        ),
        pytest.param({"args": None, "arguments": [1]}, {"args": [1]}, id="null-args"),
        pytest.param(
            {"reasoning_content": "Look it up first."},
            {"thinking": "Look it up first."},
            id="thinking",
        ),
        pytest.param({"reasoning_content": None}, {}, id="null-thinking"),
        pytest.param({"tool_call_id": "call_7"}, {"callId": "call_7"}, id="call-id"),
        pytest.param({"tool_call_id": None}, {}, id="null-call-id"),
        pytest.param(
            {
                "tool_name": "search",
                "arguments": {"q": "x"},
                "status": "error",
                "result": "boom",
                "reasoning_content": "hmm",
                "tool_call_id": "call_1",
            },
            {
                "name": "search",
                "args": {"q": "x"},
                "status": "error",
                "result": "boom",
                "thinking": "hmm",
                "callId": "call_1",
            },
            id="platform-names",
        ),
    ],
)
async def test_a_tool_call_reads_the_platforms_field_names(
    chat: Chat, stored: dict[str, Any], expected: dict[str, Any]
) -> None:
    """name, else tool_name; args, else arguments; thinking and callId default to ''."""
    await chat.factory.message(chat.session, "tool_call", stored)
    variables = {"agentId": str(chat.agent.id), "sessionId": str(chat.session.id)}

    [node] = _messages(await chat.api.query(TOOL_CALL_FIELDS, variables, user=chat.reader))["nodes"]

    call = DEFAULTS | expected
    assert node["toolCall"] == call
    assert node["parts"] == [
        {"toolCall": {key: call[key] for key in ("name", "args", "thinking", "callId")}}
    ]


async def test_an_inline_tool_call_has_no_thinking_nor_call_id(agent_chat: Chat) -> None:
    """Calls split out of text carry '' for the fields only stored calls have."""
    await agent_chat.factory.message(agent_chat.session, "assistant", INLINE_CONTENT)
    variables = {"agentId": str(agent_chat.agent.id), "sessionId": str(agent_chat.session.id)}

    body = await agent_chat.api.query(TOOL_CALL_FIELDS, variables, user=agent_chat.reader)

    [node] = _messages(body)["nodes"]
    assert node["parts"] == [
        {},
        {"toolCall": {"name": "search", "args": None, "thinking": "", "callId": ""}},
        {},
    ]


# --- runtime errors ------------------------------------------------------------------------

RUNTIME_ERRORS = """
query RuntimeErrors($agentId: ID!, $sessionId: ID!) {
  agent(id: $agentId) {
    session(id: $sessionId) {
      messages(last: 500) {
        nodes { id runtimeError { code message runId agentId stage traceId } }
      }
    }
  }
}
"""


async def _runtime_errors(chat: Chat) -> dict[str, Any]:
    """Each message's runtimeError, by message id."""
    variables = {"agentId": str(chat.agent.id), "sessionId": str(chat.session.id)}
    body = await chat.api.query(RUNTIME_ERRORS, variables, user=chat.reader)
    return {node["id"]: node["runtimeError"] for node in _messages(body)["nodes"]}


async def test_a_failed_delivery_is_the_messages_runtime_error(chat: Chat) -> None:
    """The failure recorded for an assistant message of a direct session, values stripped."""
    await chat.factory.message(chat.session, "user", "hi")
    reply = await chat.factory.message(chat.session, "assistant", "Sorry, something failed.")
    fine = await chat.factory.message(chat.session, "assistant", "All good.")
    run = await chat.factory.run(chat.session)
    await chat.factory.delivery_failure(
        run,
        reply,
        failure_code="  model_timeout ",
        failure_message=" The model did not answer in time.\n",
        trace_id=" trace-42 ",
    )

    errors = await _runtime_errors(chat)

    assert errors[str(reply.id)] == {
        "code": "model_timeout",
        "message": "The model did not answer in time.",
        "runId": str(run.id),
        "agentId": str(chat.agent.id),
        "stage": "execution",
        "traceId": "trace-42",
    }
    assert errors[str(fine.id)] is None
    assert list(errors.values()).count(None) == 2


@pytest.mark.parametrize(
    "trace_id",
    [pytest.param(None, id="null"), pytest.param("   ", id="blank"), pytest.param(7, id="number")],
)
async def test_a_runtime_error_without_a_usable_trace_has_none(chat: Chat, trace_id: Any) -> None:
    """traceId only when the payload holds a non-blank string."""
    reply = await chat.factory.message(chat.session, "assistant", "Sorry.")
    await chat.factory.delivery_failure(
        await chat.factory.run(chat.session), reply, trace_id=trace_id
    )

    error = (await _runtime_errors(chat))[str(reply.id)]

    assert error is not None and error["traceId"] is None


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({"failure_code": ""}, id="empty-code"),
        pytest.param({"failure_code": "  "}, id="blank-code"),
        pytest.param({"failure_code": None}, id="null-code"),
        pytest.param({"failure_code": 500}, id="numeric-code"),
        pytest.param({"failure_message": ""}, id="empty-message"),
        pytest.param({"failure_message": "\n\t"}, id="blank-message"),
        pytest.param({"failure_message": None}, id="null-message"),
        pytest.param({"lifecycle_status": "completed"}, id="not-failed"),
        pytest.param({"lifecycle_status": None}, id="no-lifecycle-status"),
    ],
)
async def test_a_failure_missing_a_field_is_ignored(chat: Chat, payload: dict[str, Any]) -> None:
    """An event without a non-blank code and message, or not failed, records no error."""
    reply = await chat.factory.message(chat.session, "assistant", "Sorry.")
    await chat.factory.delivery_failure(await chat.factory.run(chat.session), reply, **payload)

    assert await _runtime_errors(chat) == {str(reply.id): None}


@pytest.mark.parametrize(
    "message_id",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param(None, id="null"),
        pytest.param("not-a-message", id="another-message"),
    ],
)
async def test_a_failure_naming_no_message_is_ignored(chat: Chat, message_id: Any) -> None:
    """The event must name the message, by its id."""
    reply = await chat.factory.message(chat.session, "assistant", "Sorry.")
    await chat.factory.delivery_failure(
        await chat.factory.run(chat.session), reply, message_id=message_id
    )

    assert await _runtime_errors(chat) == {str(reply.id): None}


async def test_only_delivery_events_record_failures(chat: Chat) -> None:
    """The same payload under another event type is no runtime error."""
    reply = await chat.factory.message(chat.session, "assistant", "Sorry.")
    run = await chat.factory.run(chat.session)
    await chat.factory.delivery_failure(run, reply, event_type="run_failed")

    assert await _runtime_errors(chat) == {str(reply.id): None}


async def test_a_failure_recorded_by_another_sessions_run_is_ignored(chat: Chat) -> None:
    """Only runs of the message's own session count."""
    reply = await chat.factory.message(chat.session, "assistant", "Sorry.")
    elsewhere = await chat.factory.session(chat.agent, chat.reader)
    await chat.factory.delivery_failure(await chat.factory.run(elsewhere), reply)

    assert await _runtime_errors(chat) == {str(reply.id): None}


async def test_the_latest_failure_of_a_message_wins(chat: Chat) -> None:
    """Of several failures recorded for one message, the last recorded."""
    reply = await chat.factory.message(chat.session, "assistant", "Sorry.")
    run = await chat.factory.run(chat.session)
    await chat.factory.delivery_failure(run, reply, failure_code="first")
    retry = await chat.factory.run(chat.session)
    await chat.factory.delivery_failure(retry, reply, failure_code="second")

    error = (await _runtime_errors(chat))[str(reply.id)]

    assert (error["code"], error["runId"]) == ("second", str(retry.id))


@pytest.mark.parametrize("role", ["user", "system", "tool_call"])
async def test_only_assistant_messages_have_runtime_errors(chat: Chat, role: str) -> None:
    """A failure naming a message of another role is not shown."""
    message = await chat.factory.message(chat.session, role, "{}")
    await chat.factory.delivery_failure(await chat.factory.run(chat.session), message)

    assert await _runtime_errors(chat) == {str(message.id): None}


@pytest.mark.parametrize(
    "columns",
    [
        pytest.param({"session_type": "a2a", "source_channel": "agent"}, id="agent-to-agent"),
        pytest.param({"is_group": True}, id="group"),
        pytest.param({"source_channel": "trigger"}, id="trigger"),
    ],
)
async def test_other_kinds_of_session_have_no_runtime_errors(
    api: Api, factory: Factory, columns: dict[str, Any]
) -> None:
    """Runtime errors are shown in direct sessions only."""
    chat = await _chat(api, factory, **columns)
    reply = await factory.message(chat.session, "assistant", "Sorry.")
    await factory.delivery_failure(await factory.run(chat.session), reply)

    assert await _runtime_errors(chat) == {str(reply.id): None}


async def test_a_page_reads_its_runtime_errors_in_one_statement(
    chat: Chat, database: Database
) -> None:
    """However many assistant messages a page holds, their failures cost one statement."""
    replies = [await chat.factory.message(chat.session, "assistant", f"r{n}") for n in range(30)]
    run = await chat.factory.run(chat.session)
    for reply in replies[::3]:
        await chat.factory.delivery_failure(run, reply)

    with count_statements(database) as log:
        errors = await _runtime_errors(chat)

    assert [errors[str(reply.id)] is not None for reply in replies] == [
        n % 3 == 0 for n in range(30)
    ]
    failure_reads = [sql for sql in log.statements if "agent_run_events" in sql]
    assert len(failure_reads) == 1, str(log)
