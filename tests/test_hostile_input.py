"""Hostile input over HTTP, on every database: clean answers, and no change that should not be.

Every answer must be a well-formed GraphQL response whose errors carry a client's code
(never INTERNAL_SERVER_ERROR, never a 500), or, for requests the transport refuses, a
clean 4xx. Requests that carry a mutation the server must not run are sent with a valid
token for a user who could run it, so that running it would show in the data.
"""

import base64
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from db.demo import demo_id
from db.engine import Database
from db.models import ChatSession, User
from settings import Settings
from tests.api import Api, error_codes
from tests.factories import Factory
from tests.hostile import ATLAS, ATLAS_SESSION, Platform, hostile_platform, well_formed
from tests.snapshots import snapshot

MUTATE = f'mutation Create {{ createSession(agentId: "{ATLAS}") {{ __typename }} }}'
MUTATE_WITH_VARIABLE = (
    "mutation Create($agent: ID!) { createSession(agentId: $agent) { __typename } }"
)
CREATE = """
mutation Create($agent: ID!, $title: String) {
  createSession(agentId: $agent, title: $title) {
    __typename
    ... on Session { id title }
    ... on ValidationError { field message }
  }
}
"""
RENAME = """
mutation Rename($id: ID!, $title: String!) {
  renameSession(id: $id, title: $title) { __typename ... on Session { title } }
}
"""
DELETE = "mutation Delete($id: ID!) { deleteSession(id: $id) { __typename } }"
AGENT = "query Agent($id: ID!) { agent(id: $id) { id name } }"
SESSIONS = """
query Sessions($agent: ID!, $scope: SessionScope! = ALL, $first: Int! = 50, $after: String) {
  agent(id: $agent) {
    sessions(scope: $scope, first: $first, after: $after) {
      nodes { id title }
      pageInfo { endCursor }
    }
  }
}
"""
MESSAGES = """
query Messages($agent: ID!, $session: ID!, $first: Int, $last: Int, $after: String,
               $before: String) {
  agent(id: $agent) {
    session(id: $session) {
      messages(first: $first, last: $last, after: $after, before: $before) {
        nodes { id content }
        pageInfo { endCursor }
      }
    }
  }
}
"""


@pytest.fixture
async def demo(database: Database, factory: Factory) -> Platform:
    return await hostile_platform(database, factory)


@pytest.fixture
async def unchanged(database: Database, demo: Platform) -> AsyncIterator[None]:
    """The test must leave every row as it found it."""
    before = await snapshot(database)
    yield
    assert await snapshot(database) == before


def encoded(parts: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode()


# Transport ---------------------------------------------------------------------------

TEN_MB = 10 * 1024 * 1024
JSON_TYPE = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("method", "content", "headers"),
    [
        pytest.param("POST", MUTATE.encode(), JSON_TYPE, id="not-json"),
        pytest.param(
            "POST", json.dumps({"query": MUTATE})[:-2].encode(), JSON_TYPE, id="truncated-json"
        ),
        pytest.param(
            "POST", (json.dumps({"query": MUTATE}) + " junk").encode(), JSON_TYPE, id="trailing"
        ),
        pytest.param(
            "POST",
            json.dumps({"query": MUTATE}).encode(),
            {"Content-Type": "text/plain"},
            id="text-plain",
        ),
        pytest.param(
            "POST",
            f"query={MUTATE}".encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
            id="form",
        ),
        pytest.param(
            "POST",
            MUTATE.encode(),
            {"Content-Type": "application/graphql"},
            id="application-graphql",
        ),
        pytest.param(
            "POST",
            b'--b\r\nContent-Disposition: form-data; name="query"\r\n\r\n'
            + MUTATE.encode()
            + b"\r\n--b--\r\n",
            {"Content-Type": "multipart/form-data; boundary=b"},
            id="multipart",
        ),
        pytest.param("POST", json.dumps({"query": MUTATE}).encode(), {}, id="no-content-type"),
        pytest.param("POST", b"", JSON_TYPE, id="empty-body"),
        pytest.param("POST", b"   \n ", JSON_TYPE, id="blank-body"),
        pytest.param("POST", json.dumps([{"query": MUTATE}]).encode(), JSON_TYPE, id="batch-array"),
        pytest.param("POST", b'"mutation"', JSON_TYPE, id="json-string"),
        pytest.param("POST", b"null", JSON_TYPE, id="json-null"),
        pytest.param("POST", b"{}", JSON_TYPE, id="no-query"),
        pytest.param("POST", b'{"query": 1}', JSON_TYPE, id="query-number"),
        pytest.param("POST", json.dumps({"query": [MUTATE]}).encode(), JSON_TYPE, id="query-list"),
        pytest.param(
            "POST",
            json.dumps({"query": MUTATE_WITH_VARIABLE, "variables": [str(ATLAS)]}).encode(),
            JSON_TYPE,
            id="variables-list",
        ),
        pytest.param(
            "POST",
            json.dumps({"query": MUTATE, "operationName": ["Create"]}).encode(),
            JSON_TYPE,
            id="operation-name-list",
        ),
        pytest.param(
            "POST",
            json.dumps({"query": MUTATE, "operationName": "Other"}).encode(),
            JSON_TYPE,
            id="unknown-operation-name",
        ),
        pytest.param("POST", b'{"query": "\xff\xfe mutation"}', JSON_TYPE, id="invalid-utf8"),
        pytest.param(
            "POST",
            b'{"query": "mutation \\u0000 { x }"}',
            JSON_TYPE,
            id="nul-in-query",
        ),
        pytest.param(
            "POST",
            b'{"query": "query($n: Int) { __typename }", "variables": {"n": 1e999}}',
            JSON_TYPE,
            id="huge-float",
        ),
        pytest.param(
            "POST",
            b'{"query": "query($n: Int) { __typename }", "variables": {"n": ' + b"9" * 5000 + b"}}",
            JSON_TYPE,
            id="huge-integer",
        ),
        pytest.param(
            "POST",
            b'{"query": "{ __typename }", "variables": {"a": '
            + b"[" * 40_000
            + b"]" * 40_000
            + b"}}",
            JSON_TYPE,
            id="deep-json",
        ),
        pytest.param(
            "POST",
            json.dumps({"query": MUTATE, "padding": "x" * TEN_MB}).encode(),
            JSON_TYPE,
            id="10mb-body",
        ),
        pytest.param(
            "POST",
            json.dumps({"query": "{ __typename" + " " * TEN_MB + "}"}).encode(),
            JSON_TYPE,
            id="10mb-query",
        ),
        pytest.param("PUT", json.dumps({"query": MUTATE}).encode(), JSON_TYPE, id="put"),
        pytest.param("PATCH", json.dumps({"query": MUTATE}).encode(), JSON_TYPE, id="patch"),
        pytest.param("DELETE", json.dumps({"query": MUTATE}).encode(), JSON_TYPE, id="delete"),
    ],
)
async def test_malformed_requests_are_refused_cleanly(
    api: Api,
    demo: Platform,
    unchanged: None,
    method: str,
    content: bytes,
    headers: dict[str, str],
) -> None:
    """Bodies that are not a GraphQL request, or too big to read, run nothing."""
    response = await api.client.request(
        method, "/graphql", content=content, headers={**api.headers(demo.ada), **headers}
    )

    body = well_formed(response)
    assert body is None or body.get("data") is None


async def test_a_10mb_body_without_a_length_is_refused(
    api: Api, demo: Platform, unchanged: None
) -> None:
    """A chunked 10 MB body, with no Content-Length to refuse it by, is cut off all the same."""

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "' + MUTATE.replace('"', '\\"').encode() + b'", "padding": "'
        for _ in range(10):
            yield b"x" * (1024 * 1024)
        yield b'"}'

    response = await api.client.post(
        "/graphql", content=chunks(), headers={**api.headers(demo.ada), **JSON_TYPE}
    )

    assert 400 <= response.status_code < 500
    well_formed(response)


# Documents ---------------------------------------------------------------------------

NESTED = "query Deep { viewer " + "{ a " * 20 + "{ b }" + " }" * 20 + " }"
ALIASED = "query Bomb { " + " ".join(f"a{n}: viewer {{ id }}" for n in range(100)) + " }"
CYCLE = (
    "query Cycle { ...A } fragment A on Query { viewer { id } ...B } fragment B on Query { ...A }"
)
SELF_SPREAD = "query Self { ...A } fragment A on Query { ...A }"
MUTATION_CYCLE = (
    f'mutation Create {{ ...A }} fragment A on Mutation {{ createSession(agentId: "{ATLAS}") '
    "{ __typename } ...B } fragment B on Mutation { ...A }"
)


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        pytest.param(NESTED, None, id="deeply-nested"),
        pytest.param("{" * 5000 + "}" * 5000, None, id="braces-only"),
        pytest.param(ALIASED, None, id="alias-bomb"),
        pytest.param(CYCLE, None, id="fragment-cycle"),
        pytest.param(SELF_SPREAD, None, id="fragment-self-spread"),
        pytest.param(MUTATION_CYCLE, None, id="mutation-fragment-cycle"),
        pytest.param("query Unknown { viewer { password } }", None, id="unknown-field"),
        pytest.param("query Unknown { users { id } }", None, id="unknown-root-field"),
        pytest.param(
            f'mutation Drop {{ dropTable(name: "{ATLAS}") }}', None, id="unknown-mutation"
        ),
        pytest.param(MUTATE + " " + MUTATE.replace("Create", "Again"), None, id="two-operations"),
        pytest.param("mutation { createSession { __typename } }", None, id="missing-argument"),
        pytest.param(MUTATE_WITH_VARIABLE, None, id="missing-variable"),
        pytest.param(MUTATE_WITH_VARIABLE, {"agent": {"id": str(ATLAS)}}, id="id-as-object"),
        pytest.param(MUTATE_WITH_VARIABLE, {"agent": [str(ATLAS)]}, id="id-as-list"),
        pytest.param(MUTATE_WITH_VARIABLE, {"agent": True}, id="id-as-boolean"),
        pytest.param(SESSIONS, {"agent": str(ATLAS), "first": "ten"}, id="first-as-string"),
        pytest.param(SESSIONS, {"agent": str(ATLAS), "first": 1.5}, id="first-as-float"),
        pytest.param(SESSIONS, {"agent": str(ATLAS), "first": 2**31}, id="first-over-int32"),
        pytest.param(SESSIONS, {"agent": str(ATLAS), "first": 2**31 - 1}, id="first-huge"),
        pytest.param(SESSIONS, {"agent": str(ATLAS), "first": 201}, id="first-201"),
        pytest.param(SESSIONS, {"agent": str(ATLAS), "first": 0}, id="first-zero"),
        pytest.param(SESSIONS, {"agent": str(ATLAS), "first": -1}, id="first-negative"),
        pytest.param(SESSIONS, {"agent": str(ATLAS), "first": None}, id="first-null"),
        pytest.param(SESSIONS, {"agent": str(ATLAS), "scope": "EVERYONE"}, id="unknown-enum"),
        pytest.param(SESSIONS, {"agent": str(ATLAS), "scope": "all"}, id="enum-lowercase"),
        pytest.param(
            MESSAGES,
            {"agent": str(ATLAS), "session": str(ATLAS_SESSION), "first": 501},
            id="messages-first-501",
        ),
        pytest.param(
            MESSAGES,
            {"agent": str(ATLAS), "session": str(ATLAS_SESSION), "last": -5},
            id="messages-last-negative",
        ),
        pytest.param(
            MESSAGES,
            {"agent": str(ATLAS), "session": str(ATLAS_SESSION), "first": 1, "last": 1},
            id="messages-first-and-last",
        ),
    ],
)
async def test_hostile_documents_get_client_errors(
    api: Api,
    demo: Platform,
    unchanged: None,
    query: str,
    variables: dict[str, Any] | None,
) -> None:
    """Bombs, cycles, unknown fields and wrong variables are refused with client codes."""
    response = await api.post(query, variables, user=demo.ada)

    body = well_formed(response)
    assert body is not None and body.get("errors"), body
    assert set(error_codes(body)) <= {"BAD_USER_INPUT"}, body


# Cursors ------------------------------------------------------------------------------


async def _cursor(api: Api, user: User, agent: uuid.UUID, scope: str = "ALL") -> str:
    body = await api.query(SESSIONS, {"agent": str(agent), "scope": scope, "first": 1}, user=user)
    return body["data"]["agent"]["sessions"]["pageInfo"]["endCursor"]


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda demo: "not a cursor!", id="not-base64"),
        pytest.param(lambda demo: base64.b64encode(b"\xff\x00garbage").decode(), id="binary"),
        pytest.param(lambda demo: encoded({"s": 1}), id="json-object"),
        pytest.param(lambda demo: encoded(["s", str(ATLAS), "all"]), id="too-short"),
        pytest.param(
            lambda demo: encoded(["m", str(ATLAS), "all", None, "2026-01-01T00:00:00+00:00", "x"]),
            id="wrong-kind",
        ),
        pytest.param(
            lambda demo: encoded(
                ["s", str(ATLAS), "all", "'; DROP TABLE chat_sessions; --", "x", "y"]
            ),
            id="sql-in-key",
        ),
        pytest.param(
            lambda demo: encoded(
                ["s", str(ATLAS), "all", None, "2026-01-01T00:00:00", str(uuid.uuid4())]
            ),
            id="naive-time",
        ),
        pytest.param(
            lambda demo: encoded(
                ["s", str(ATLAS), "all", 12, "2026-01-01T00:00:00+00:00", str(uuid.uuid4())]
            ),
            id="number-time",
        ),
        pytest.param(
            lambda demo: encoded(
                ["s", str(demo.orion), "all", None, "2026-01-01T00:00:00+00:00", str(uuid.uuid4())]
            ),
            id="forged-for-another-agent",
        ),
        pytest.param(lambda demo: "A" * 90_000, id="huge"),
    ],
)
async def test_forged_cursors_are_bad_input(
    api: Api, demo: Platform, unchanged: None, forge: Any
) -> None:
    """A cursor that does not decode, or names another list, is BAD_USER_INPUT."""
    response = await api.post(SESSIONS, {"agent": str(ATLAS), "after": forge(demo)}, user=demo.ada)

    body = well_formed(response)
    assert body is not None and error_codes(body) == ["BAD_USER_INPUT"], body
    assert body["data"]["agent"] is None or body["data"]["agent"]["sessions"] is None


async def test_a_cursor_from_another_tenant_is_bad_input(
    api: Api, demo: Platform, unchanged: None
) -> None:
    """Gina's real cursor of Globex's Orion, replayed on Acme's Atlas, is refused."""
    foreign = await _cursor(api, demo.gina, demo.orion, scope="MINE")

    body = await api.query(
        SESSIONS, {"agent": str(ATLAS), "scope": "MINE", "after": foreign}, user=demo.ada
    )

    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "belongs to another list" in body["errors"][0]["message"]


async def test_a_cursor_of_another_scope_is_bad_input(
    api: Api, demo: Platform, unchanged: None
) -> None:
    """A real cursor of Atlas's ALL list is refused by the MINE list of the same agent."""
    cursor = await _cursor(api, demo.ada, ATLAS, scope="ALL")

    body = await api.query(
        SESSIONS, {"agent": str(ATLAS), "scope": "MINE", "after": cursor}, user=demo.ada
    )

    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_a_message_cursor_of_another_session_is_bad_input(
    api: Api, demo: Platform, unchanged: None
) -> None:
    """Gina's message cursor, replayed on an Atlas session, is refused."""
    foreign = await api.query(
        MESSAGES,
        {"agent": str(demo.orion), "session": str(demo.orion_session), "first": 1},
        user=demo.gina,
    )
    cursor = foreign["data"]["agent"]["session"]["messages"]["pageInfo"]["endCursor"]

    body = await api.query(
        MESSAGES,
        {"agent": str(ATLAS), "session": str(ATLAS_SESSION), "after": cursor},
        user=demo.ada,
    )

    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_a_well_formed_cursor_at_a_foreign_row_reveals_nothing(
    api: Api, demo: Platform, database: Database, unchanged: None
) -> None:
    """A forged cursor of Atlas's list placed at Gina's session only pages Atlas's sessions."""
    async with database.session() as session:
        foreign = await session.get(ChatSession, demo.orion_session)
    assert foreign is not None and foreign.last_message_at is not None
    position = [
        "s",
        str(ATLAS),
        "all",
        (foreign.last_message_at + timedelta(days=365)).isoformat(),
        foreign.created_at.isoformat(),
        str(foreign.id),
    ]
    everything = await api.query(SESSIONS, {"agent": str(ATLAS), "first": 200}, user=demo.ada)

    body = await api.query(
        SESSIONS, {"agent": str(ATLAS), "first": 200, "after": encoded(position)}, user=demo.ada
    )

    pages = body["data"]["agent"]["sessions"]["nodes"]
    assert pages == everything["data"]["agent"]["sessions"]["nodes"]
    assert str(demo.orion_session) not in {node["id"] for node in pages}


# Ids ----------------------------------------------------------------------------------

MALFORMED_IDS = [
    pytest.param("", id="empty"),
    pytest.param("x", id="word"),
    pytest.param("'; DROP TABLE chat_sessions; --", id="sql"),
    pytest.param("1 OR 1=1", id="sql-or"),
    pytest.param(f"{ATLAS}' --", id="uuid-and-sql"),
    pytest.param(f"{ATLAS}\x00", id="uuid-and-nul"),
    pytest.param("../../etc/passwd", id="path"),
    pytest.param("9" * 50_000, id="huge"),
    pytest.param("\u202e" + str(ATLAS), id="bidi"),
]


@pytest.mark.parametrize("bad_id", MALFORMED_IDS)
async def test_malformed_ids_are_bad_input(
    api: Api, demo: Platform, unchanged: None, bad_id: str
) -> None:
    """An id that is not a UUID is BAD_USER_INPUT in a query."""
    body = well_formed(await api.post(AGENT, {"id": bad_id}, user=demo.ada))

    assert body is not None and body["data"] == {"agent": None}
    (error,) = body["errors"]
    assert (error["path"], error["extensions"]) == (["agent"], {"code": "BAD_USER_INPUT"})


@pytest.mark.parametrize("bad_id", MALFORMED_IDS)
@pytest.mark.parametrize(
    ("mutation", "extra"),
    [
        pytest.param(RENAME, {"title": "Renamed"}, id="rename"),
        pytest.param(DELETE, {}, id="delete"),
        pytest.param(CREATE, {"title": "New"}, id="create"),
    ],
)
async def test_malformed_ids_change_nothing(
    api: Api,
    demo: Platform,
    unchanged: None,
    mutation: str,
    extra: dict[str, str],
    bad_id: str,
) -> None:
    """A mutation given a malformed id answers NotFoundError and writes nothing."""
    variables = {"id": bad_id, "agent": bad_id, **extra}
    operation = {RENAME: "renameSession", DELETE: "deleteSession", CREATE: "createSession"}

    body = well_formed(
        await api.post(
            mutation,
            {key: value for key, value in variables.items() if f"${key}" in mutation},
            user=demo.ada,
        )
    )

    assert body is not None and "errors" not in body, body
    assert body["data"][operation[mutation]]["__typename"] == "NotFoundError"


@pytest.mark.parametrize(
    ("mutation", "variables"),
    [
        pytest.param(
            RENAME, lambda demo: {"id": str(demo.orion_session), "title": "Mine"}, id="rename"
        ),
        pytest.param(DELETE, lambda demo: {"id": str(demo.orion_session)}, id="delete"),
        pytest.param(CREATE, lambda demo: {"agent": str(demo.orion), "title": "Mine"}, id="create"),
    ],
)
async def test_another_tenants_rows_cannot_be_changed(
    api: Api, demo: Platform, unchanged: None, mutation: str, variables: Any
) -> None:
    """Acme's org admin cannot create on, rename or delete in Globex: NotFoundError."""
    body = await api.query(mutation, variables(demo), user=demo.ada)

    (result,) = body["data"].values()
    assert result["__typename"] == "NotFoundError"


# Titles -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        pytest.param("'); DROP TABLE chat_sessions; --", id="sql-drop"),
        pytest.param("x' OR '1'='1", id="sql-or"),
        pytest.param('"; DELETE FROM chat_messages; --', id="sql-delete"),
        pytest.param("%_\\%", id="like-wildcards"),
        pytest.param("x\u200bzero\u200fwidth", id="zero-width-and-marks"),
        pytest.param("<script>alert(1)</script>", id="html"),
        pytest.param("🦜" * 200, id="200-emoji"),
    ],
)
async def test_odd_titles_are_stored_exactly(
    api: Api, demo: Platform, database: Database, title: str
) -> None:
    """SQL and control characters in a title are data: stored and read back as sent."""
    before = await snapshot(database)

    body = await api.query(CREATE, {"agent": str(ATLAS), "title": title}, user=demo.ada)
    renamed = await api.query(RENAME, {"id": str(ATLAS_SESSION), "title": title}, user=demo.ada)

    created = body["data"]["createSession"]
    assert (created["__typename"], created["title"]) == ("Session", title)
    assert renamed["data"]["renameSession"] == {"__typename": "Session", "title": title}
    after = await snapshot(database)
    assert len(after["chat_sessions"]) == len(before["chat_sessions"]) + 1
    # The viewer's first session also makes their participant (createSession's rule).
    assert set(before["participants"]) <= set(after["participants"])
    assert len(after["participants"]) <= len(before["participants"]) + 1
    written = {"chat_sessions", "participants"}
    assert {table: rows for table, rows in after.items() if table not in written} == {
        table: rows for table, rows in before.items() if table not in written
    }


@pytest.mark.parametrize(
    "title",
    [
        pytest.param("a\x00b", id="nul"),
        pytest.param("a\x07b\x1b[31mc\x7fd", id="control-characters"),
        pytest.param("line\nbreak\ttab", id="newline-tab"),
        pytest.param("x\u202eevil", id="bidi-override"),
        pytest.param("\u200b", id="nothing-visible"),
        pytest.param("x" * 201, id="201-characters"),
        pytest.param("🦜" * 201, id="201-emoji"),
    ],
)
async def test_titles_a_database_cannot_hold_are_refused(
    api: Api, demo: Platform, unchanged: None, title: str
) -> None:
    """A NUL (PostgreSQL text cannot hold it), a control, a bidi override, nothing visible
    or an over-long title is a ValidationError."""
    body = await api.query(CREATE, {"agent": str(ATLAS), "title": title}, user=demo.ada)
    renamed = await api.query(RENAME, {"id": str(ATLAS_SESSION), "title": title}, user=demo.ada)

    assert body["data"]["createSession"]["__typename"] == "ValidationError"
    assert renamed["data"]["renameSession"]["__typename"] == "ValidationError"


async def test_a_lone_surrogate_in_a_title_is_refused(
    api: Api, demo: Platform, unchanged: None
) -> None:
    """Half a UTF-16 pair is not text any database can store: a clean refusal."""
    payload = (
        '{"query": ' + json.dumps(CREATE) + ', "variables": {"agent": "' + str(ATLAS) + '", '
        '"title": "a\\ud800b"}}'
    )

    response = await api.client.post(
        "/graphql", content=payload, headers={**api.headers(demo.ada), **JSON_TYPE}
    )

    body = well_formed(response)
    assert (
        body is None
        or body.get("errors")
        or (body["data"]["createSession"]["__typename"] == "ValidationError")
    )


# Tokens -------------------------------------------------------------------------------


def _claims(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {"sub": str(demo_id("user:ada")), "exp": now + timedelta(minutes=5), **overrides}


def _unsigned(claims: dict[str, Any], alg: str = "none") -> str:
    def part(data: dict[str, Any]) -> str:
        text = json.dumps(data, default=lambda moment: int(moment.timestamp()))
        return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()

    return f"{part({'alg': alg, 'typ': 'JWT'})}.{part(claims)}."


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(lambda key: f"Bearer {_unsigned(_claims())}", id="alg-none"),
        pytest.param(lambda key: f"Bearer {_unsigned(_claims(), 'None')}", id="alg-None"),
        pytest.param(lambda key: f"Bearer {_unsigned(_claims(), 'HS256')}", id="no-signature"),
        pytest.param(
            lambda key: f"Bearer {jwt.encode(_claims(), 'another-' + 'k' * 56, 'HS256')}",
            id="wrong-key",
        ),
        pytest.param(
            lambda key: f"Bearer {jwt.encode(_claims(), key, 'HS512')}", id="other-algorithm"
        ),
        pytest.param(
            lambda key: (
                "Bearer "
                + jwt.encode(_claims(nbf=datetime.now(UTC) + timedelta(hours=1)), key, "HS256")
            ),
            id="future-nbf",
        ),
        pytest.param(
            lambda key: (
                "Bearer "
                + jwt.encode(_claims(exp=datetime.now(UTC) - timedelta(seconds=5)), key, "HS256")
            ),
            id="expired",
        ),
        pytest.param(
            lambda key: f"Bearer {jwt.encode(_claims(sub='ada'), key, 'HS256')}",
            id="sub-not-a-uuid",
        ),
        pytest.param(
            lambda key: f"Bearer {jwt.encode(_claims(sub=str(uuid.uuid4())), key, 'HS256')}",
            id="unknown-user",
        ),
        pytest.param(
            lambda key: "Bearer " + jwt.encode({"sub": str(demo_id("user:ada"))}, key, "HS256"),
            id="no-exp",
        ),
        pytest.param(lambda key: "Bearer", id="bearer-alone"),
        pytest.param(lambda key: "Bearer a.b.c", id="garbage"),
        pytest.param(lambda key: "Basic YWRhOmFkYQ==", id="basic"),
        pytest.param(lambda key: "Bearer " + "x" * 8000, id="huge"),
    ],
)
async def test_bad_tokens_are_unauthenticated_and_change_nothing(
    api: Api, demo: Platform, settings: Settings, unchanged: None, authorization: Any
) -> None:
    """A token that is unsigned, wrongly signed, not yet valid or expired runs nothing."""
    response = await api.client.post(
        "/graphql",
        json={"query": MUTATE},
        headers={"Authorization": authorization(settings.jwt_secret_key)},
    )

    body = well_formed(response)
    assert body is not None and error_codes(body) == ["UNAUTHENTICATED"], body
