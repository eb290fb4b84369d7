"""Session.messages: one keyset page of a session's history, either way."""

from collections.abc import Sequence

from context import Info
from db.messages import AnyMessage, MessageKey
from db.run_events import may_fail
from db.sessions import AnySession, conversation_id
from errors import BadUserInput
from loaders import Loaders
from loaders.messages import PageRequest
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

    # The page, with the count and the senders when they are asked for, in one statement
    # for every session of the request that asks the same (a list's); an empty page has no
    # row to carry the count: its loader reads it, if asked for.
    found = await loaders.message_page.load(
        PageRequest(
            conversation,
            size + 1,
            key,
            forward=forward,
            total="totalCount" in selected(info),
            senders="senderName" in fields,
        )
    )
    if found.total is not None:
        loaders.message_count_by_conversation.prime(conversation, found.total)
    for sender_id, sender in found.senders.items():
        loaders.participant_by_id.prime(sender_id, sender)
    rows = found.rows
    await _load_for_fields(loaders, session, rows, fields)
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
        session_id=session.id,
    )


async def _load_for_fields(
    loaders: Loaders,
    session: AnySession,
    rows: Sequence[AnyMessage],
    fields: set[str],
) -> None:
    """Load, in one batch, what the selected fields of the page may read and the page's
    statement did not (its senders it did).

    The page may hold one row more than it returns; loading it too costs nothing extra.
    """
    if "runtimeError" in fields:
        failures = [(session.id, row.id) for row in rows if may_fail(row, session)]
        await loaders.runtime_failure_by_message.load_many(failures)
