"""Reads of chat messages, in chronological order (created time, then id), and their counts."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    Select,
    String,
    Subquery,
    any_,
    bindparam,
    cast,
    func,
    select,
    true,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from db.engine import Reader
from db.models import ChatMessage, ChatSession, Participant
from db.participants import ParticipantRow
from db.session_counts import UNREAD_LIMIT, messages_up_to, unread_conditions, unread_up_to
from db.types import GUID, UTCDateTime


class MessageRow(NamedTuple):
    """A chat_messages row as the API reads it (`ChatMessage`'s names), without the ORM:
    see `db.sessions.SessionRow`."""

    id: uuid.UUID
    agent_id: uuid.UUID | None
    user_id: uuid.UUID | None
    role: str
    content: str
    conversation_id: str
    participant_id: uuid.UUID | None
    thinking: str | None
    created_at: datetime


_COLUMNS = tuple(ChatMessage.__table__.c[name] for name in MessageRow._fields)
AnyMessage = ChatMessage | MessageRow
"""What the schema layer reads a message from: a page's row, or a write's instance."""


@dataclass(frozen=True)
class MessageKey:
    """Where a message stands in chronological order."""

    created_at: datetime
    id: uuid.UUID

    @classmethod
    def of(cls, row: AnyMessage) -> "MessageKey":
        return cls(row.created_at, row.id)


_CONVERSATION = bindparam("conversation_id", type_=String())
_KEY = tuple_(ChatMessage.created_at, ChatMessage.id)
# Bound with the columns' types: on SQLite a GUID is hyphenated text and a time naive text.
_BOUND_KEY = tuple_(bindparam("key_time", type_=UTCDateTime()), bindparam("key_id", type_=GUID()))
_FORWARD = (ChatMessage.created_at, ChatMessage.id)
_BACKWARD = (ChatMessage.created_at.desc(), ChatMessage.id.desc())


_COUNTED = aliased(ChatMessage)
_TOTAL = select(func.count()).where(_COUNTED.conversation_id == _CONVERSATION).scalar_subquery()
_SENDER_COLUMNS = tuple(Participant.__table__.c[name] for name in ParticipantRow._fields)
_PARTICIPANT_AT = MessageRow._fields.index("participant_id")


@cache
def _page(forward: bool, keyed: bool, total: bool, senders: bool) -> Select:
    """A page of a conversation's messages, built once per shape (see `db.sessions`): with
    the conversation's message count (computed once per statement) and the messages'
    senders when asked for, so that a chat view reads its page in one statement."""
    columns = [*_COLUMNS, *([_TOTAL.label("total")] if total else [])]
    statement = select(*columns, *(_SENDER_COLUMNS if senders else ()))
    if senders:
        statement = statement.join_from(
            ChatMessage, Participant, Participant.id == ChatMessage.participant_id, isouter=True
        )
    statement = statement.where(ChatMessage.conversation_id == _CONVERSATION)
    if keyed:
        statement = statement.where(_KEY > _BOUND_KEY if forward else _KEY < _BOUND_KEY)
    order = _FORWARD if forward else _BACKWARD
    return statement.order_by(*order).limit(bindparam("limit", type_=Integer()))


class MessagePage(NamedTuple):
    rows: list[MessageRow]
    """Oldest first."""
    total: int | None
    """The conversation's number of messages, when asked for and the page holds a row."""
    senders: dict[uuid.UUID, ParticipantRow | None]
    """The page's senders by id, when asked for (None for an id with no participant)."""


async def message_page(
    reader: Reader,
    conversation_id: str,
    limit: int,
    key: MessageKey | None = None,
    *,
    forward: bool,
    total: bool = False,
    senders: bool = False,
) -> MessagePage:
    """The oldest `limit` messages after `key` (forward), or the newest before it, in one
    statement, with what else a page shows when asked for (see `MessagePage`)."""
    values: dict[str, object] = {"conversation_id": conversation_id, "limit": limit}
    if key is not None:
        values |= {"key_time": key.created_at, "key_id": key.id}
    statement = _page(forward, key is not None, total, senders)
    result = (await reader.execute(statement, values)).all()
    return _read_page(result, forward=forward, total=total, senders=senders)


def _read_page(result: Sequence[Any], *, forward: bool, total: bool, senders: bool) -> MessagePage:
    """A page from its rows in page order: the message's columns, then its conversation's
    count if asked for, then its sender's columns if asked for."""
    width = len(_COLUMNS)
    rows = [MessageRow._make(row[:width]) for row in result]
    if not forward:
        rows.reverse()
    count = result[0][width] if total and result else None
    found: dict[uuid.UUID, ParticipantRow | None] = {}
    if senders:
        at = width + total
        for row in result:
            sent_by, sender = row[_PARTICIPANT_AT], row[at:]
            if sent_by is not None:
                found[sent_by] = ParticipantRow._make(sender) if sender[0] is not None else None
    return MessagePage(rows, count, found)


_CONVERSATIONS = bindparam("conversation_ids", expanding=True)


def _with_counts_and_senders(
    statement: Select,
    page: Subquery,
    counted: ColumnElement[bool],
    total: bool,
    senders: bool,
) -> Select:
    """The pages' rows with, when asked, each conversation's message count (over the
    conversations `counted` picks) and each row's sender."""
    if total:
        counts = (
            select(_COUNTED.conversation_id, func.count().label("total"))
            .where(counted)
            .group_by(_COUNTED.conversation_id)
            .subquery("counts")
        )
        statement = statement.add_columns(counts.c.total).join(
            counts, counts.c.conversation_id == page.c.conversation_id
        )
    if senders:
        statement = statement.add_columns(*_SENDER_COLUMNS).join(
            Participant, Participant.id == page.c.participant_id, isouter=True
        )
    return statement


@cache
def _pages(forward: bool, keyed: bool, total: bool, senders: bool) -> Select:
    """The same page of several conversations in one statement (SQLite's form): each
    conversation's messages numbered in page order (ROW_NUMBER() OVER (PARTITION BY
    conversation)) and the first `limit` of each kept; the counts, when asked for, grouped
    once for all of them."""
    order = _FORWARD if forward else _BACKWARD
    place = func.row_number().over(partition_by=ChatMessage.conversation_id, order_by=order)
    ranked = select(*_COLUMNS, place.label("place")).where(
        ChatMessage.conversation_id.in_(_CONVERSATIONS)
    )
    if keyed:
        ranked = ranked.where(_KEY > _BOUND_KEY if forward else _KEY < _BOUND_KEY)
    page = ranked.subquery("page")
    columns = [page.c[name] for name in MessageRow._fields]
    statement = select(*columns)
    statement = _with_counts_and_senders(
        statement, page, _COUNTED.conversation_id.in_(_CONVERSATIONS), total, senders
    )
    statement = statement.where(page.c.place <= bindparam("limit", type_=Integer()))
    return statement.order_by(page.c.conversation_id, page.c.place)


_CONVERSATION_ARRAY = bindparam("conversation_ids", type_=ARRAY(String()))


@cache
def _lateral_pages(forward: bool, keyed: bool, total: bool, senders: bool) -> Select:
    """PostgreSQL's form of `_pages`: each conversation's page read by its own index range
    and LIMIT (a LATERAL join over the conversations), so that it costs the page's rows
    however long the conversation is; the window of `_pages` numbers all of them."""
    wanted = (
        func.unnest(_CONVERSATION_ARRAY)
        .table_valued("conversation_id")
        .render_derived(name="wanted")
    )
    order = _FORWARD if forward else _BACKWARD
    ranged = select(*_COLUMNS).where(ChatMessage.conversation_id == wanted.c.conversation_id)
    if keyed:
        ranged = ranged.where(_KEY > _BOUND_KEY if forward else _KEY < _BOUND_KEY)
    page = ranged.order_by(*order).limit(bindparam("limit", type_=Integer())).lateral("page")
    statement = select(*(page.c[name] for name in MessageRow._fields)).select_from(wanted)
    statement = statement.join(page, true())
    statement = _with_counts_and_senders(
        statement, page, _COUNTED.conversation_id == any_(_CONVERSATION_ARRAY), total, senders
    )
    in_page_order = (
        (page.c.created_at, page.c.id) if forward else (page.c.created_at.desc(), page.c.id.desc())
    )
    return statement.order_by(page.c.conversation_id, *in_page_order)


async def message_pages(
    reader: Reader,
    conversation_ids: Sequence[str],
    limit: int,
    key: MessageKey | None = None,
    *,
    forward: bool,
    total: bool = False,
    senders: bool = False,
) -> dict[str, MessagePage]:
    """`message_page` of each conversation, in one statement whatever their number."""
    if len(conversation_ids) == 1:  # the chat view's page, the cheaper plain statement
        (only,) = conversation_ids
        page = await message_page(
            reader, only, limit, key, forward=forward, total=total, senders=senders
        )
        return {only: page}
    values: dict[str, object] = {"conversation_ids": list(conversation_ids), "limit": limit}
    if key is not None:
        values |= {"key_time": key.created_at, "key_id": key.id}
    dialect = reader.get_bind().dialect if isinstance(reader, AsyncSession) else reader.dialect
    pages = _lateral_pages if dialect.name == "postgresql" else _pages
    statement = pages(forward, key is not None, total, senders)
    result = (await reader.execute(statement, values)).all()
    by_conversation: dict[str, list] = {conversation: [] for conversation in conversation_ids}
    at = MessageRow._fields.index("conversation_id")
    for row in result:
        by_conversation[row[at]].append(row)
    return {
        conversation: _read_page(rows, forward=forward, total=total, senders=senders)
        for conversation, rows in by_conversation.items()
    }


async def messages_after(
    session: Reader, conversation_id: str, limit: int, after: MessageKey | None = None
) -> list[MessageRow]:
    """The oldest `limit` messages after `after` (from the start when None), oldest first."""
    return (await message_page(session, conversation_id, limit, after, forward=True)).rows


async def messages_before(
    session: Reader, conversation_id: str, limit: int, before: MessageKey | None = None
) -> list[MessageRow]:
    """The newest `limit` messages before `before` (from the end when None), oldest first."""
    return (await message_page(session, conversation_id, limit, before, forward=False)).rows


_COUNT_BY_CONVERSATION = (
    select(ChatMessage.conversation_id, func.count())
    .where(ChatMessage.conversation_id.in_(bindparam("conversation_ids", expanding=True)))
    .group_by(ChatMessage.conversation_id)
)


async def count_by_conversation(session: Reader, conversation_ids: Sequence[str]) -> dict[str, int]:
    values = {"conversation_ids": list(conversation_ids)}
    result = await session.execute(_COUNT_BY_CONVERSATION, values)
    return {conversation: count for conversation, count in result.all()}


_SESSION_IDS = ChatSession.id.in_(bindparam("session_ids", expanding=True))
_COUNT_UP_TO = select(
    ChatSession.id, messages_up_to(ChatSession.id, bindparam("limit", type_=Integer()))
).where(_SESSION_IDS)


async def count_by_session_up_to(
    session: Reader, session_ids: Sequence[uuid.UUID], limit: int
) -> dict[uuid.UUID, int]:
    """Per session, its number of messages, reading at most `limit` of each."""
    values = {"session_ids": list(session_ids), "limit": limit}
    return {id: n for id, n in (await session.execute(_COUNT_UP_TO, values)).all()}


_UNREAD_BY_SESSION = select(
    ChatSession.id, unread_up_to(ChatSession.id, ChatSession.last_read_at_by_user)
).where(_SESSION_IDS)


async def unread_by_session(
    session: Reader, session_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """Per session, its agent-side messages newer than the owner's last read (all when never),
    up to `UNREAD_LIMIT`.

    Whose session it is, and of what kind, is the caller's question: this only counts.
    """
    result = await session.execute(_UNREAD_BY_SESSION, {"session_ids": list(session_ids)})
    return {session_id: n for session_id, n in result.all()}


async def agent_unread(
    reader: Reader, agent_id: uuid.UUID, viewer_id: uuid.UUID, tenant_id: uuid.UUID
) -> int:
    """The viewer's unread messages over their own active direct sessions of the agent,
    up to UNREAD_LIMIT: at most that many rows are read, whatever the backlog."""
    unread = (
        select(ChatMessage.id)
        .join(ChatSession, ChatMessage.conversation_id == cast(ChatSession.id, String))
        .where(
            ChatSession.agent_id == agent_id,
            ChatSession.user_id == viewer_id,
            ChatSession.tenant_id == tenant_id,
            ChatSession.session_type == "direct",
            ChatSession.deleted_at.is_(None),
            *unread_conditions(ChatSession.last_read_at_by_user),
        )
        .limit(UNREAD_LIMIT)
        .subquery()
    )
    return (await reader.execute(select(func.count()).select_from(unread))).scalar_one()


async def messages_by_ids(reader: Reader, ids: Sequence[uuid.UUID]) -> list[MessageRow]:
    statement = select(*_COLUMNS).where(ChatMessage.id.in_(ids))
    return [MessageRow._make(row) for row in (await reader.execute(statement)).all()]
