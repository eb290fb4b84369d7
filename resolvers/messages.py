"""Session.messages: one keyset page of a session's history, either way."""

import asyncio
import uuid
from collections.abc import Sequence

from context import Info
from db.messages import AnyMessage, MessageKey, MessageRow, messages_after, messages_before
from db.run_events import MessageRef, may_fail
from db.sessions import AnySession, conversation_id
from errors import BadUserInput
from loaders import Loaders
from resolvers.cursors import message_cursor, parse_message_cursor
from resolvers.pages import check_page_size
from resolvers.selection import selected
from schema.messages import Message, MessageConnection, MessageEdge
from schema.pagination import PageInfo

MAX_PAGE = 500
DEFAULT_PAGE = 100


async def resolve_messages(
    info: Info,
    session: AnySession,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> MessageConnection:
    if first is not None and last is not None:
        raise BadUserInput("Give 'first' or 'last', not both.")
    if (first is not None or after is not None) and before is not None:
        raise BadUserInput(
            "'before' pages back with 'last'; it cannot be combined with 'first' or 'after'."
        )
    if last is not None and after is not None:
        raise BadUserInput("'after' pages forward with 'first'; it cannot be combined with 'last'.")

    forward = first is not None or after is not None
    size = first if forward else last
    size = (
        DEFAULT_PAGE
        if size is None
        else check_page_size("first" if forward else "last", size, MAX_PAGE)
    )
    cursor = after if forward else before
    key = parse_message_cursor(cursor, session.id) if cursor is not None else None

    conversation = conversation_id(session.id)
    loaders = info.context.loaders
    fields = selected(info, "nodes") | selected(info, "edges", "node")

    async def page() -> Sequence[MessageRow]:
        async with info.context.database.connection() as db:
            if forward:
                rows = await messages_after(db, conversation, size + 1, key)
            else:
                rows = await messages_before(db, conversation, size + 1, key)
        await _load_for_fields(loaders, session, rows, fields)
        return rows

    # The count, when asked for, loads alongside the page rather than after it.
    if "totalCount" in selected(info):
        rows, _ = await asyncio.gather(
            page(), loaders.message_count_by_conversation.load(conversation)
        )
    else:
        rows = await page()
    more = len(rows) > size
    if forward:
        rows = rows[:size]
        has_next_page, has_previous_page = more, key is not None
    else:
        rows = rows[1:] if more else rows
        has_next_page, has_previous_page = key is not None, more

    def cursor(row: AnyMessage) -> str:
        return message_cursor(session.id, MessageKey.of(row))

    # A cursor per row only when edges ask for it (an unselected field is never read).
    cursors = "cursor" in selected(info, "edges")
    edges = [
        MessageEdge(cursor=cursor(row) if cursors else "", node=Message.from_model(row, session))
        for row in rows
    ]
    return MessageConnection(
        edges=edges,
        page_info=PageInfo(
            start_cursor=cursor(rows[0]) if rows else None,
            end_cursor=cursor(rows[-1]) if rows else None,
            has_next_page=has_next_page,
            has_previous_page=has_previous_page,
        ),
        conversation_id=conversation,
    )


async def _load_for_fields(
    loaders: Loaders,
    session: AnySession,
    rows: Sequence[AnyMessage],
    fields: set[str],
) -> None:
    """Load, one batch per loader, what the selected fields of the page may read.

    The page may hold one row more than it returns; loading it too costs nothing extra.
    """
    senders: set[uuid.UUID] = set()
    if "senderName" in fields:
        senders = {row.participant_id for row in rows if row.participant_id is not None}
    failures: list[MessageRef] = []
    if "runtimeError" in fields:
        failures = [(session.id, row.id) for row in rows if may_fail(row, session)]
    await asyncio.gather(
        loaders.participant_by_id.load_many(senders),
        loaders.runtime_failure_by_message.load_many(failures),
    )
