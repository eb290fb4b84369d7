"""Agent.sessions and Agent.session."""

import asyncio
import uuid
from collections.abc import Sequence

from auth.access import check_may_list, check_session_access
from context import Info
from db.agents import AnyAgent
from db.messages import agent_unread
from db.sessions import (
    AnySession,
    ListedSession,
    SessionKey,
    SessionRow,
    SessionScope,
    conversation_id,
    count_sessions,
    count_sessions_up_to,
    is_agent_to_agent,
    list_sessions,
    session_of_agent,
)
from db.users import AnyUser
from errors import NotFound
from loaders import Loaders
from resolvers.cursors import parse_session_cursor, session_cursor
from resolvers.ids import parse_id
from resolvers.pages import check_page_size
from resolvers.selection import selected
from schema.pagination import PageInfo
from schema.sessions import Session, SessionConnection, SessionEdge

MAX_PAGE = 200


async def resolve_sessions(
    info: Info,
    agent: AnyAgent,
    viewer: AnyUser,
    *,
    scope: SessionScope,
    first: int,
    after: str | None,
) -> SessionConnection:
    check_page_size("first", first, MAX_PAGE)
    check_may_list(viewer, agent, all_sessions=scope is SessionScope.ALL)
    key = parse_session_cursor(after, agent.id, scope) if after is not None else None

    database = info.context.database
    fields = selected(info, "nodes") | selected(info, "edges", "node")
    tenant = _tenant_of(agent)

    async def page() -> Sequence[SessionRow]:
        counts = bool({"messageCount", "unreadCount"} & fields)
        async with database.connection() as db:
            listed = await list_sessions(
                db, agent.id, viewer.id, scope, first + 1, key, tenant_id=tenant, counts=counts
            )
        if counts:
            _prime_counts(info.context.loaders, listed)
        rows = [session.row for session in listed]
        await _load_for_fields(info.context.loaders, rows[:first], fields, agent.id)
        return rows

    async def count() -> int:
        async with database.connection() as db:
            return await count_sessions(db, agent.id, viewer.id, scope, tenant_id=tenant)

    # The count, when asked for, runs alongside the page rather than after it.
    total: int | None = None
    if "totalCount" in selected(info):
        rows, total = await asyncio.gather(page(), count())
    else:
        rows = await page()

    async def count_all() -> int:
        return total if total is not None else await count()

    async def count_up_to(limit: int) -> int:
        async with database.connection() as db:
            return await count_sessions_up_to(
                db, agent.id, viewer.id, scope, limit, tenant_id=tenant
            )

    def cursor(row: AnySession) -> str:
        return session_cursor(agent.id, scope, SessionKey.of(row))

    shown = rows[:first]
    # A cursor per row only when edges ask for it (an unselected field is never read).
    cursors = "cursor" in selected(info, "edges")
    edges = [
        SessionEdge(cursor=cursor(row) if cursors else "", node=Session.from_model(row, agent.id))
        for row in shown
    ]
    return SessionConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > first,
            has_previous_page=key is not None,
            start_cursor=cursor(shown[0]) if shown else None,
            end_cursor=cursor(shown[-1]) if shown else None,
        ),
        count_all=count_all,
        count_up_to=count_up_to,
    )


def _prime_counts(loaders: Loaders, listed: Sequence[ListedSession]) -> None:
    """The counts a list page read with its rows, where Session's fields look for them."""
    for session in listed:
        if session.message_count is not None:
            loaders.message_count_by_conversation.prime(
                conversation_id(session.row.id), session.message_count
            )
        if session.unread is not None:
            loaders.unread_count_by_session.prime(session.row.id, session.unread)


async def _load_for_fields(
    loaders: Loaders, rows: Sequence[AnySession], fields: set[str], agent_id: uuid.UUID
) -> None:
    """Load, one batch per loader, the users and agents the selected fields of the rows
    may read (their counts came with the page).

    A superset is fine (a user row loaded for a group session's label goes unread); the
    point is that each loader runs once, before the rows resolve. The agent the list is
    read through is already loaded.
    """
    users: set[uuid.UUID] = set()
    if {"user", "displayName"} & fields:
        users = {row.user_id for row in rows if row.user_id is not None}
    agents: set[uuid.UUID] = set()
    if {"displayName", "peerAgentName"} & fields:
        for row in filter(is_agent_to_agent, rows):
            agents |= {row.agent_id, row.peer_agent_id} - {None, agent_id}
    await asyncio.gather(
        loaders.user_by_id.load_many(users),
        loaders.agent_by_id.load_many(agents),
    )


def _tenant_of(agent: AnyAgent) -> uuid.UUID:
    """The viewer's tenant: `auth.access` lets a viewer reach only their own tenant's agents."""
    assert agent.tenant_id is not None
    return agent.tenant_id


async def resolve_session(info: Info, agent: AnyAgent, viewer: AnyUser, id: str) -> Session:
    session_id = parse_id(id, "session id")
    async with info.context.database.connection() as db:
        row = await session_of_agent(db, session_id, agent.id, _tenant_of(agent))
    if row is None:  # unknown, deleted, or another tenant's: the same answer
        raise NotFound("Session not found.")
    check_session_access(viewer, agent, row)
    return Session.from_model(row, agent.id)


async def resolve_agent_unread_count(info: Info, agent: AnyAgent, viewer: AnyUser) -> int:
    """Agent.unreadCount: bounded, so a badge costs the same whatever the backlog."""
    async with info.context.database.connection() as db:
        return await agent_unread(db, agent.id, viewer.id, _tenant_of(agent))
