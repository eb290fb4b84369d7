"""Agent.sessions and Agent.session."""

from auth.access import check_session_access, may_see_all_sessions
from context import Info
from db import models
from db.sessions import SessionKey, SessionScope, count_sessions, list_sessions, session_of_agent
from errors import Forbidden, NotFound
from resolvers.cursors import parse_session_cursor, session_cursor
from resolvers.ids import parse_id
from resolvers.pages import check_page_size
from schema.pagination import PageInfo
from schema.sessions import Session, SessionConnection, SessionEdge

MAX_PAGE = 200


async def resolve_sessions(
    info: Info,
    agent: models.Agent,
    viewer: models.User,
    *,
    scope: SessionScope,
    first: int,
    after: str | None,
) -> SessionConnection:
    check_page_size("first", first, MAX_PAGE)
    if scope is SessionScope.ALL and not may_see_all_sessions(viewer, agent):
        raise Forbidden("You may not see all sessions of this agent.")
    key = parse_session_cursor(after, agent.id, scope) if after is not None else None

    database = info.context.database
    async with database.session() as db:
        rows = await list_sessions(db, agent.id, viewer.id, scope, first + 1, key)

    async def count_all() -> int:
        async with database.session() as db:
            return await count_sessions(db, agent.id, viewer.id, scope)

    edges = [
        SessionEdge(
            cursor=session_cursor(agent.id, scope, SessionKey.of(row)),
            node=Session.from_model(row),
        )
        for row in rows[:first]
    ]
    return SessionConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > first,
            has_previous_page=key is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        count_all=count_all,
    )


async def resolve_session(info: Info, agent: models.Agent, viewer: models.User, id: str) -> Session:
    session_id = parse_id(id, "session id")
    async with info.context.database.session() as db:
        row = await session_of_agent(db, session_id, agent.id)
    if row is None:
        raise NotFound("Session not found.")
    check_session_access(viewer, agent, row)
    return Session.from_model(row)
