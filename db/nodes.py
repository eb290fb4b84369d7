"""Reads by id alone, for Query.node, Query.nodes and Query.session.

A refetch names bare UUIDs, so the table an id belongs to is found by looking in each,
every function one statement for any number of ids. Messages come first: their sessions
(`conversation_id`) are read with the sessions asked for, and the agents of all of those
with the agents asked for. Whether the viewer may see a row is for `auth.access` to say.
"""

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import select, union
from sqlalchemy.ext.asyncio import AsyncSession

from db.agents import AGENT_COLUMNS, AgentRow, grants_of
from db.engine import Reader
from db.models import Agent, AgentPermission, ChatMessage, ChatSession


async def messages_by_ids(
    session: AsyncSession, ids: Collection[uuid.UUID]
) -> Sequence[ChatMessage]:
    return (await session.scalars(select(ChatMessage).where(ChatMessage.id.in_(ids)))).all()


async def sessions_by_ids(
    session: AsyncSession, ids: Collection[uuid.UUID]
) -> Sequence[ChatSession]:
    """Deleted ones and other tenants' too: the caller tells the viewer NOT_FOUND for them."""
    return (await session.scalars(select(ChatSession).where(ChatSession.id.in_(ids)))).all()


async def agents_with_grants_by_ids(
    reader: Reader,
    agent_ids: Collection[uuid.UUID],
    session_ids: Collection[uuid.UUID],
    viewer_id: uuid.UUID,
) -> dict[uuid.UUID, tuple[AgentRow, list[str]]]:
    """The agents `agent_ids` and those of the sessions `session_ids` (both sides of an
    agent-to-agent one), each with the levels of the viewer's own permission rows.

    The candidates are one IN over a UNION, each part a primary-key lookup, so that the
    planner drives the read from them rather than scanning agents.
    """
    candidates = union(
        select(Agent.id).where(Agent.id.in_(agent_ids)),
        select(ChatSession.agent_id).where(ChatSession.id.in_(session_ids)),
        select(ChatSession.peer_agent_id).where(ChatSession.id.in_(session_ids)),
    )
    statement = (
        select(*AGENT_COLUMNS, AgentPermission.access_level)
        .select_from(Agent)
        .outerjoin(AgentPermission, grants_of(viewer_id))
        .where(Agent.id.in_(candidates))
    )
    found: dict[uuid.UUID, tuple[AgentRow, list[str]]] = {}
    for *columns, level in (await reader.execute(statement)).all():
        _, levels = found.setdefault(columns[0], (AgentRow._make(columns), []))
        if level is not None:
            levels.append(level)
    return found
