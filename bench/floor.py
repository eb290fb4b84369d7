"""The floor: the benchmark's and the shipped operations' answers, as cheaply as they come.

A bare ASGI app on asyncpg: each request checks the same JWT, runs ONE SQL statement
(viewer, agent, grants, page, names and counts together) and builds the same JSON the
GraphQL server answers with orjson. It answers POST /graphql for the operation names of
`bench.documents` and for the shipped operations (`bench.shipped`, told apart by their
document) SessionList, ChatView, Viewer and MarkSessionRead, so the load driver sends both
servers the very same requests and `bench.run` and `bench.scale` check that both answer
the same data. The shipped ChatView's runs (activeRun, runtimeError) are read but not
built: a session with a lane holder or a failed delivery is refused (the benchmark's
data has none).

    uvicorn --factory bench.floor:create_app --workers N   (env: BENCH_DATABASE_URL, JWT_SECRET_KEY)
"""

import os
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg
import jwt
import orjson

from bench import shipped
from db.messages import MessageKey
from db.sessions import SessionKey, SessionScope
from resolvers.cursors import message_cursor, parse_message_cursor, parse_session_cursor
from resolvers.cursors import session_cursor as make_session_cursor
from resolvers.tool_calls import (
    INLINE_MARKER,
    ToolCallData,
    parse_tool_call,
    split_inline_tool_calls,
)

EARLIEST = datetime(1, 1, 1, tzinfo=UTC)
ORDER = (
    "COALESCE({t}.last_message_at, '0001-01-01 00:00:00+00') DESC, {t}.created_at DESC, {t}.id DESC"
)
AFTER = (
    "AND (COALESCE(s.last_message_at, '0001-01-01 00:00:00+00'), s.created_at, s.id) < ($4, $5, $6)"
)
HAS_MESSAGES = "EXISTS (SELECT 1 FROM chat_messages m WHERE m.conversation_id = s.id::varchar)"
TENANT = "(SELECT tenant_id FROM users WHERE id = $1)"
ACTIVE = f"s.tenant_id = {TENANT} AND s.deleted_at IS NULL"
HEADER = """
WITH viewer AS (
    SELECT u.id, u.role::text AS role, u.tenant_id, u.is_active FROM users u WHERE u.id = $1
), target AS (
    SELECT a.id, a.name, a.creator_id, a.tenant_id, a.access_mode, a.deleted_at, ARRAY(
        SELECT g.access_level FROM agent_permissions g
        WHERE g.agent_id = a.id AND g.scope_type = 'user' AND g.scope_id = $1
    ) AS levels
    FROM agents a WHERE a.id = $2
)"""
HEADER_COLUMNS = """
    v.role AS viewer_role, v.tenant_id AS viewer_tenant, v.is_active AS viewer_active,
    t.name AS agent_name, t.creator_id, t.tenant_id AS agent_tenant, t.levels,
    t.access_mode, t.deleted_at AS agent_deleted_at"""
SESSION_COLUMNS = """
    p.id, p.agent_id, p.user_id, p.title, p.source_channel, p.is_group, p.group_name,
    p.peer_agent_id, p.created_at, p.last_message_at, p.session_type, p.is_primary,
    u.display_name AS owner_name, i.username AS owner_username, u.id AS owner_found,
    sa.name AS session_agent_name, pa.name AS peer_name"""
UNREAD = """CASE WHEN p.session_type = 'direct' AND p.user_id = $1 THEN (
        SELECT count(*) FROM (
            SELECT 1 FROM chat_messages c WHERE c.conversation_id = p.id::varchar
              AND c.role IN ('assistant', 'system', 'tool_call')
              AND c.created_at > COALESCE(p.last_read_at_by_user, '0001-01-01 00:00:00+00')
            LIMIT 100
        ) unread
    ) ELSE 0 END"""
COUNT_LIMIT = 1000
"""`count`'s default limit: it reads one row more."""
SESSION_JOINS = """
LEFT JOIN users u ON u.id = p.user_id
LEFT JOIN identities i ON i.id = u.identity_id
LEFT JOIN agents sa ON sa.id = p.agent_id
LEFT JOIN agents pa ON pa.id = p.peer_agent_id"""


def _all_page(after: str) -> str:
    return f"""
    SELECT * FROM (
        (SELECT s.* FROM chat_sessions s
         WHERE s.agent_id = $2 AND {ACTIVE} {after} AND {HAS_MESSAGES}
         ORDER BY {ORDER.format(t="s")} LIMIT $3)
        UNION ALL
        (SELECT s.* FROM chat_sessions s
         WHERE s.peer_agent_id = $2 AND s.session_type = 'a2a'
           AND s.agent_id IS DISTINCT FROM $2 AND {ACTIVE} {after} AND {HAS_MESSAGES}
         ORDER BY {ORDER.format(t="s")} LIMIT $3)
    ) legs ORDER BY {ORDER.format(t="legs")} LIMIT $3"""


def _mine_page(after: str) -> str:
    return f"""
    SELECT s.* FROM chat_sessions s
    WHERE s.agent_id = $2 AND s.user_id = $1 AND s.session_type = 'direct' AND {ACTIVE}
      {after} AND {HAS_MESSAGES}
    ORDER BY {ORDER.format(t="s")} LIMIT $3"""


TOTALS = {
    SessionScope.ALL: f"""(SELECT count(*) FROM chat_sessions s
        WHERE (s.agent_id = $2 OR (s.peer_agent_id = $2 AND s.session_type = 'a2a'))
          AND {ACTIVE} AND {HAS_MESSAGES})""",
    SessionScope.MINE: f"""(SELECT count(*) FROM chat_sessions s
        WHERE s.agent_id = $2 AND s.user_id = $1 AND s.session_type = 'direct'
          AND {ACTIVE} AND {HAS_MESSAGES})""",
}


_MINE = f"""s.agent_id = $2 AND s.user_id = $1 AND s.session_type = 'direct' AND {ACTIVE}
    AND {HAS_MESSAGES}"""
_OWN = f"s.agent_id = $2 AND {ACTIVE} AND {HAS_MESSAGES}"
_PEER = f"""s.peer_agent_id = $2 AND s.session_type = 'a2a' AND s.agent_id IS DISTINCT FROM $2
    AND {ACTIVE} AND {HAS_MESSAGES}"""
_UP_TO = f"LIMIT {COUNT_LIMIT + 1}"
_IN_ORDER = f"ORDER BY {ORDER.format(t='s')} {_UP_TO}"
"""Each leg in its list index's order, as db.sessions counts, so that it stops at the limit."""
BOUNDED = {
    SessionScope.ALL: f"""(SELECT count(*) FROM (SELECT 1 FROM (
        (SELECT s.id FROM chat_sessions s WHERE {_OWN} {_IN_ORDER})
        UNION ALL (SELECT s.id FROM chat_sessions s WHERE {_PEER} {_IN_ORDER})
    ) parts {_UP_TO}) listed)""",
    SessionScope.MINE: f"""(SELECT count(*) FROM (
        SELECT 1 FROM chat_sessions s WHERE {_MINE} {_IN_ORDER}) listed)""",
}


def session_list_sql(scope: SessionScope, after: bool, counted: str) -> str:
    """`counted`: "total" (exact), "count" (up to COUNT_LIMIT + 1) or "" (no count)."""
    page = (_all_page if scope is SessionScope.ALL else _mine_page)(AFTER if after else "")
    count = {"total": TOTALS, "count": BOUNDED}.get(counted, {}).get(scope, "NULL::bigint")
    return f"""{HEADER}, page AS ({page})
SELECT {HEADER_COLUMNS}, {count} AS total, {SESSION_COLUMNS},
    (SELECT count(*) FROM chat_messages c WHERE c.conversation_id = p.id::varchar) AS message_count,
    {UNREAD} AS unread_count
FROM viewer v CROSS JOIN target t
LEFT JOIN page p ON true {SESSION_JOINS}
ORDER BY {ORDER.format(t="p")}"""


SHIPPED_CHAT = f"""
    (SELECT count(*) FROM (
        SELECT 1 FROM chat_messages c WHERE c.conversation_id = $4 {_UP_TO}) counted) AS counted,
    {UNREAD} AS unread_count,
    (SELECT count(*) FROM agent_runs r WHERE r.session_id = p.id AND r.tenant_id = p.tenant_id
        AND r.lane_held AND r.source_type = 'chat' AND r.run_kind = 'foreground'
        AND r.runtime_type = 'langgraph') AS lane_holders,
    (SELECT count(*) FROM agent_runs r JOIN agent_run_events e
        ON e.run_id = r.id AND e.tenant_id = r.tenant_id
        WHERE r.session_id = p.id AND e.event_type = 'delivery_succeeded'
          AND e.payload->>'lifecycle_status' = 'failed') AS failures,"""
"""What the shipped ChatView reads besides the bench's: the bounded count, the unread
count, the session's lane holders and failed deliveries."""


EXACT_TOTAL = "(SELECT count(*) FROM chat_messages c WHERE c.conversation_id = $4) AS total,"


def chat_view_sql(before: bool, shipped: bool = False) -> str:
    condition = "AND (m.created_at, m.id) < ($6, $7)" if before else ""
    return f"""{HEADER}, p AS (
    SELECT s.* FROM chat_sessions s WHERE s.id = $3 AND (s.agent_id = $2 OR s.peer_agent_id = $2)
      AND {ACTIVE}
), page AS (
    SELECT m.id AS message_id, m.role::text AS role, m.content, m.thinking,
        m.created_at AS message_created_at, m.participant_id
    FROM chat_messages m WHERE m.conversation_id = $4 {condition}
    ORDER BY m.created_at DESC, m.id DESC LIMIT $5
)
SELECT {HEADER_COLUMNS}, {SESSION_COLUMNS}, {SHIPPED_CHAT if shipped else EXACT_TOTAL}
    page.*, sender.display_name AS sender_name, sender.id AS sender_found
FROM viewer v CROSS JOIN target t
LEFT JOIN p ON true {SESSION_JOINS}
LEFT JOIN page ON p.id IS NOT NULL
LEFT JOIN participants sender ON sender.id = page.participant_id
ORDER BY page.message_created_at DESC, page.message_id DESC"""


class Refused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _header(row: asyncpg.Record, viewer_id: uuid.UUID) -> tuple[str, bool]:
    """The viewer's access to the agent and whether it sees all sessions (auth/access.py)."""
    if not row["viewer_active"]:
        raise Refused("UNAUTHENTICATED")
    tenant = row["viewer_tenant"]
    if row["agent_deleted_at"] is not None or tenant is None or row["agent_tenant"] != tenant:
        raise Refused("NOT_FOUND")
    mode = row["access_mode"] or "company"
    creator = row["creator_id"] == viewer_id
    admin = row["viewer_role"] in ("platform_admin", "org_admin")
    custom = mode == "custom"
    if creator or (admin and mode != "private") or (custom and "manage" in row["levels"]):
        access = "MANAGE"
    elif (custom and "use" in row["levels"]) or mode == "company":
        access = "USE"
    else:
        raise Refused("FORBIDDEN")
    sees_all = row["viewer_role"] in ("platform_admin", "org_admin", "agent_admin")
    return access, sees_all or creator


def _user_name(row: asyncpg.Record) -> str:
    if row["owner_found"] is None:
        return "Unknown"
    name = row["owner_name"] if row["owner_name"] is not None else row["owner_username"]
    return name or "Unknown"  # the platform's coalesce(display_name, username)


KINDS = {"direct": "DIRECT", "group": "GROUP", "a2a": "AGENT_TO_AGENT", "trigger": "TRIGGER"}


def _session_labels(row: asyncpg.Record, agent_id: uuid.UUID) -> dict[str, Any]:
    """Labels as read through `agent_id`: the peer is the other agent of an a2a session."""
    kind = row["session_type"]
    peer_name = None
    if kind == "a2a":
        agent_name, peer = row["session_agent_name"], row["peer_name"]
        display = f"Agent {agent_name or 'Agent'} - {peer or 'Agent'}"
        through_peer = row["agent_id"] != agent_id and row["peer_agent_id"] == agent_id
        peer_name = (agent_name if through_peer else peer) or "Agent"
    elif kind == "group":
        display = row["group_name"] or row["title"] or "Group Chat"
    else:
        display = _user_name(row) if row["user_id"] is not None else "Unknown"
    return {
        "displayName": display,
        "participantType": {"a2a": "AGENT", "group": "GROUP"}.get(kind, "USER"),
        "peerAgentName": peer_name,
    }


def _session_node(row: asyncpg.Record, agent_id: uuid.UUID) -> dict[str, Any]:
    labels = _session_labels(row, agent_id)
    user = row["owner_found"]
    return {
        "id": str(row["id"]),
        "title": row["title"],
        "displayName": labels["displayName"],
        "sourceChannel": row["source_channel"],
        "participantType": labels["participantType"],
        "peerAgentName": labels["peerAgentName"],
        "isGroup": row["session_type"] == "group",
        "kind": KINDS[row["session_type"]],
        "isPrimary": row["is_primary"],
        "unreadCount": row["unread_count"],
        "lastMessageAt": _iso(row["last_message_at"]),
        "messageCount": row["message_count"],
        "user": {"id": str(user), "displayName": _user_name(row)} if user else None,
    }


def _count(found: int) -> dict[str, Any]:
    """`schema.counts.Count.of` for the default limit."""
    if found > COUNT_LIMIT:
        return {"count": COUNT_LIMIT, "precision": "AT_LEAST"}
    return {"count": found, "precision": "EXACT"}


def _shipped_session_node(row: asyncpg.Record, agent_id: uuid.UUID) -> dict[str, Any]:
    """clients/operations/session_list.graphql's SessionListItem."""
    labels = _session_labels(row, agent_id)
    return {
        "id": str(row["id"]),
        "title": row["title"],
        "displayName": labels["displayName"],
        "kind": KINDS[row["session_type"]],
        "participantType": labels["participantType"],
        "sourceChannel": row["source_channel"],
        "messageCount": row["message_count"],
        "unreadCount": row["unread_count"],
        "isPrimary": row["is_primary"],
        "createdAt": _iso(row["created_at"]),
        "lastMessageAt": _iso(row["last_message_at"]),
    }


async def session_list(
    connection: asyncpg.Connection,
    viewer_id: uuid.UUID,
    variables: dict[str, Any],
    counted: str = "",
    shipped: bool = False,
) -> dict[str, Any]:
    """The bench's SessionList (`counted` "total": SessionListWithTotal), or the shipped one."""
    agent_id = uuid.UUID(variables["agentId" if shipped else "agent"])
    scope = SessionScope[variables["scope"]]
    first = variables["first"]
    after = variables.get("after")
    arguments: list[Any] = [viewer_id, agent_id, first + 1]
    if after is not None:
        key = parse_session_cursor(after, agent_id, scope)
        arguments += [key.last_message_at or EARLIEST, key.created_at, key.id]
    sql = session_list_sql(scope, after is not None, counted)
    rows = await connection.fetch(sql, *arguments)
    if not rows:
        raise Refused("NOT_FOUND")
    access, sees_all = _header(rows[0], viewer_id)
    if scope is SessionScope.ALL and not sees_all:
        raise Refused("FORBIDDEN")
    page = [row for row in rows if row["id"] is not None]
    node = _shipped_session_node if shipped else _session_node
    nodes = [node(row, agent_id) for row in page[:first]]
    end = page[: len(nodes)][-1] if nodes else None
    sessions: dict[str, Any] = {}
    if counted == "total":
        sessions["totalCount"] = rows[0]["total"]
    elif counted == "count":
        sessions["count"] = _count(rows[0]["total"])
    sessions["pageInfo"] = {
        "hasNextPage": len(page) > first,
        "endCursor": make_session_cursor(
            agent_id, scope, SessionKey(end["last_message_at"], end["created_at"], end["id"])
        )
        if end
        else None,
    }
    sessions["nodes"] = nodes
    if shipped:
        agent = {"id": str(agent_id), "name": rows[0]["agent_name"]}
        return {"agent": {**agent, "viewerCanSeeAllSessions": sees_all, "sessions": sessions}}
    return {
        "agent": {
            "id": str(agent_id),
            "name": rows[0]["agent_name"],
            "viewerAccess": access,
            "viewerCanSeeAllSessions": sees_all,
            "sessions": sessions,
        }
    }


def _tool_call(call: ToolCallData, shipped: bool = False) -> dict[str, Any]:
    built = {"name": call.name, "args": call.args, "status": call.status, "result": call.result}
    return {"callId": call.call_id, **built, "thinking": call.thinking} if shipped else built


def _parts(row: asyncpg.Record, in_agent_session: bool, shipped: bool) -> list[dict[str, Any]]:
    content = row["content"]
    call = parse_tool_call(content) if row["role"] == "tool_call" else None
    if call is not None:
        return [{"__typename": "ToolCallPart", "toolCall": _tool_call(call, shipped)}]
    if row["role"] == "assistant" and in_agent_session and INLINE_MARKER in content:
        return [
            {"__typename": "TextPart", "text": part}
            if isinstance(part, str)
            else {"__typename": "ToolCallPart", "toolCall": _tool_call(part, shipped)}
            for part in split_inline_tool_calls(content)
        ]
    return [{"__typename": "TextPart", "text": content}]


def _message_node(row: asyncpg.Record, in_agent_session: bool, shipped: bool) -> dict[str, Any]:
    sender = None
    if row["participant_id"] is not None:
        sender = row["sender_name"] if row["sender_found"] is not None else "Unknown"
    node = {
        "id": str(row["message_id"]),
        "role": row["role"].upper(),
        "createdAt": _iso(row["message_created_at"]),
        "senderName": sender,
    }
    parts = _parts(row, in_agent_session, shipped)
    if shipped:  # clients/operations/chat_view.graphql's ChatMessage
        return {**node, "runtimeError": None, "parts": parts}
    call = parse_tool_call(row["content"]) if row["role"] == "tool_call" else None
    return {
        **node,
        "content": row["content"],
        "thinking": row["thinking"],
        "toolCall": _tool_call(call) if call else None,
        "parts": parts,
    }


async def chat_view(
    connection: asyncpg.Connection,
    viewer_id: uuid.UUID,
    variables: dict[str, Any],
    shipped: bool = False,
) -> dict[str, Any]:
    """The bench's ChatView, or the shipped one (its runs read, see the module's doc)."""
    agent_id = uuid.UUID(variables["agentId" if shipped else "agent"])
    session_id = uuid.UUID(variables["sessionId" if shipped else "session"])
    last = variables["last"]
    before = variables.get("before")
    arguments: list[Any] = [viewer_id, agent_id, session_id, str(session_id), last + 1]
    if before is not None:
        key = parse_message_cursor(before, session_id)
        arguments += [key.created_at, key.id]
    rows = await connection.fetch(chat_view_sql(before is not None, shipped), *arguments)
    if not rows:
        raise Refused("NOT_FOUND")
    _, sees_all = _header(rows[0], viewer_id)
    head = rows[0]
    if head["id"] is None:
        raise Refused("NOT_FOUND")
    if head["user_id"] != viewer_id and not sees_all:
        raise Refused("FORBIDDEN")
    if shipped and (head["lane_holders"] or head["failures"]):
        raise Refused("FLOOR_BUILDS_NO_RUNS")
    page = [row for row in reversed(rows) if row["message_id"] is not None]
    more = len(page) > last
    page = page[1:] if more else page
    in_agent_session = head["session_type"] == "a2a"
    start = (
        message_cursor(session_id, MessageKey(page[0]["message_created_at"], page[0]["message_id"]))
        if page
        else None
    )
    labels = _session_labels(head, agent_id)
    messages = {
        "pageInfo": {"hasPreviousPage": more, "startCursor": start},
        "nodes": [_message_node(row, in_agent_session, shipped) for row in page],
    }
    session = {"id": str(session_id), "title": head["title"], "displayName": labels["displayName"]}
    if not shipped:
        session["participantType"] = labels["participantType"]
        session["messages"] = {"totalCount": head["total"], **messages}
        return {"agent": {"session": session}}
    session["kind"] = KINDS[head["session_type"]]
    session["unreadCount"] = head["unread_count"]
    session["messages"] = {"count": _count(head["counted"]), **messages}
    session["activeRun"] = None
    return {"agent": {"id": str(agent_id), "session": session}}


VIEWER_SQL = """
SELECT u.display_name, i.username, u.role::text AS role, u.is_active
FROM users u LEFT JOIN identities i ON i.id = u.identity_id WHERE u.id = $1"""


async def viewer_query(
    connection: asyncpg.Connection, viewer_id: uuid.UUID, _variables: dict[str, Any]
) -> dict[str, Any]:
    """The shipped Viewer: the viewer's row (the floor of `{ viewer { id } }` is /healthz)."""
    row = await connection.fetchrow(VIEWER_SQL, viewer_id)
    if row is None or not row["is_active"]:
        raise Refused("UNAUTHENTICATED")
    name = row["display_name"] if row["display_name"] is not None else row["username"]
    user = {"id": str(viewer_id), "displayName": name or "Unknown", "role": row["role"].upper()}
    return {"viewer": user}


MARK_READ_SQL = """
UPDATE chat_sessions s SET last_read_at_by_user = now(), updated_at = now()
FROM users u
WHERE u.id = $1 AND u.is_active AND s.id = $2 AND s.tenant_id = u.tenant_id
  AND s.user_id = u.id AND s.session_type = 'direct' AND s.deleted_at IS NULL
  AND EXISTS (SELECT 1 FROM agents a WHERE a.id = s.agent_id AND a.tenant_id = u.tenant_id
              AND a.deleted_at IS NULL)
RETURNING s.last_read_at_by_user"""


async def mark_session_read(
    connection: asyncpg.Connection, viewer_id: uuid.UUID, variables: dict[str, Any]
) -> dict[str, Any]:
    """The shipped MarkSessionRead: one UPDATE ... RETURNING."""
    session_id = uuid.UUID(variables["id"])
    read = await connection.fetchval(MARK_READ_SQL, viewer_id, session_id)
    if read is None:
        raise Refused("NOT_FOUND")
    session = {"id": str(session_id), "unreadCount": 0, "lastReadAt": _iso(read)}
    return {"markSessionRead": {"__typename": "Session", **session}}


Handler = Callable[[asyncpg.Connection, uuid.UUID, dict[str, Any]], Awaitable[dict[str, Any]]]
HANDLERS: dict[str, Handler] = {
    "SessionList": session_list,
    "SessionListWithTotal": lambda c, v, variables: session_list(c, v, variables, "total"),
    "ChatView": chat_view,
}
SHIPPED: dict[str, Handler] = {
    shipped.documents()["SessionList"]: lambda c, v, variables: session_list(
        c, v, variables, "count", shipped=True
    ),
    shipped.documents()["ChatView"]: lambda c, v, variables: chat_view(c, v, variables, True),
    shipped.documents()["Viewer"]: viewer_query,
    shipped.documents()["MarkSessionRead"]: mark_session_read,
}
"""The shipped operations' handlers, by document."""


class FloorApp:
    def __init__(self, database_url: str, secret: str) -> None:
        self.database_url = database_url
        self.secret = secret
        self.pool: asyncpg.Pool | None = None

    def viewer(self, headers: list[tuple[bytes, bytes]]) -> uuid.UUID:
        authorization = dict(headers).get(b"authorization", b"").decode()
        _, _, token = authorization.partition(" ")
        try:
            claims = jwt.decode(
                token, self.secret, algorithms=["HS256"], options={"require": ["exp", "sub"]}
            )
            return uuid.UUID(claims["sub"])
        except (jwt.InvalidTokenError, ValueError):
            raise Refused("UNAUTHENTICATED") from None

    async def answer(self, headers: list[tuple[bytes, bytes]], body: bytes) -> dict[str, Any]:
        try:
            viewer = self.viewer(headers)
            request = orjson.loads(body)
            handler = SHIPPED.get(request["query"]) or HANDLERS[request["operationName"]]
            assert self.pool is not None
            async with self.pool.acquire() as connection:
                return {"data": await handler(connection, viewer, request["variables"])}
        except Refused as refusal:
            return {"errors": [{"message": refusal.code, "extensions": {"code": refusal.code}}]}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    self.pool = await asyncpg.create_pool(self.database_url, min_size=2)
                    await send({"type": "lifespan.startup.complete"})
                else:
                    if self.pool is not None:
                        await self.pool.close()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if scope["path"] == "/healthz":
            payload = b'{"status":"ok"}'
        else:
            payload = orjson.dumps(await self.answer(scope["headers"], body))
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def create_app() -> FloorApp:
    return FloorApp(os.environ["BENCH_DATABASE_URL"], os.environ["JWT_SECRET_KEY"])
