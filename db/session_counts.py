"""What a session's counts read: its messages, and the ones its owner has not read yet.

Each is a scalar subquery on the session's id (and last read time) wherever they come
from, a table or a list page's merged rows, so that the loaders' statements and a list
page's own columns count alike.
"""

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    ScalarSelect,
    String,
    cast,
    func,
    literal,
    literal_column,
    select,
)

from db.models import ChatMessage
from db.types import EARLIEST

UNREAD_ROLES = ("assistant", "system", "tool_call")
"""The roles of the agent side of a chat: what its owner has not read yet."""

UNREAD_LIMIT = 100
"""An unread count stops here: a badge shows "99+", and no count grows with the data."""


def _of_session(session_id: ColumnElement) -> ColumnElement[bool]:
    return ChatMessage.conversation_id == cast(session_id, String)


def message_count(session_id: ColumnElement) -> ScalarSelect[int]:
    """All of the session's messages, exactly."""
    return select(func.count()).where(_of_session(session_id)).scalar_subquery()


def messages_up_to(
    session_id: ColumnElement, limit: BindParameter[int], *conditions: ColumnElement[bool]
) -> ScalarSelect[int]:
    """How many of the session's messages meet `conditions`, reading at most `limit` of
    them: the subquery stops at the limit, however long the session.

    In the order of the platform's (conversation_id, created_at, id) index: the plan then
    walks it and stops, where a bitmap scan would read the whole session first. That is
    PostgreSQL's choice for a prepared statement's generic plan, which knows neither the
    session nor the limit.
    """
    read = (
        select(literal_column("1"))
        .where(_of_session(session_id), *conditions)
        .correlate_except(ChatMessage)
        .order_by(ChatMessage.created_at, ChatMessage.id)
        .limit(limit)
        .subquery()
    )
    return select(func.count()).select_from(read).scalar_subquery()


def unread_conditions(last_read: ColumnElement) -> tuple[ColumnElement[bool], ...]:
    """What makes a message unread: the agent side wrote it after the owner's last read
    (all of them when never read)."""
    return (
        ChatMessage.role.in_(UNREAD_ROLES),
        ChatMessage.created_at > func.coalesce(last_read, EARLIEST),
    )


def unread_up_to(session_id: ColumnElement, last_read: ColumnElement) -> ScalarSelect[int]:
    """The session's unread messages, up to UNREAD_LIMIT."""
    return messages_up_to(
        session_id, literal(UNREAD_LIMIT, Integer()), *unread_conditions(last_read)
    )
