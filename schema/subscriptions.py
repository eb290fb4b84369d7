"""The Subscription type: live messages of a session, and live changes of a session list.

Served over WebSocket (graphql-transport-ws) and multipart HTTP (`web/subscriptions.py`);
fed by the process's broker (`live/`); access, replay and limits in
`resolvers/subscriptions.py`.
"""

from collections.abc import AsyncGenerator, Iterator
from contextlib import aclosing
from typing import Annotated, Any

import strawberry
from strawberry.extensions import SchemaExtension

from context import Info
from db.sessions import SessionScope as Scope
from resolvers import subscriptions as resolvers
from resolvers.subscriptions import SessionEventKind
from schema.extensions import with_code
from schema.messages import Message
from schema.run_events import RunEvent, run_event
from schema.sessions import Session, SessionScope


@strawberry.type(description="A session entered the list: its first message was written.")
class SessionAdded:
    session: Session = strawberry.field(description="The session, as the list shows it.")


@strawberry.type(
    description=(
        "A listed session changed: its title, last activity, unread count, read mark or "
        "primary flag. A client that does not list the session yet adds it."
    )
)
class SessionChanged:
    session: Session = strawberry.field(description="The session, as it is now.")


@strawberry.type(description="A session left the list: it was deleted.")
class SessionRemoved:
    id: strawberry.ID = strawberry.field(description="The removed session's id.")


SessionEvent = Annotated[
    SessionAdded | SessionChanged | SessionRemoved,
    strawberry.union("SessionEvent", description="A change of a session list."),
]


@strawberry.type(
    description=(
        "Live updates, over WebSocket (graphql-transport-ws) or multipart HTTP, with the same "
        "bearer token as queries."
    )
)
class Subscription:
    @strawberry.subscription(
        description=(
            "Each new message of the session, in order (created time, then id). With `after`, "
            "a message cursor (an edge's from Session.messages, or a previous event's "
            "`cursor`), the messages after it are replayed first, then live ones follow, with "
            "no gap or duplicate: a reconnecting client passes its last cursor and misses "
            "nothing. Without it, the messages written after it started. Completes when the "
            "session is deleted. Same access as Agent.session."
        )
    )
    async def message_added(
        self,
        info: Info,
        session_id: Annotated[
            strawberry.ID, strawberry.argument(description="The session to follow.")
        ],
        after: Annotated[
            str | None,
            strawberry.argument(description="Replay the messages after this message cursor first."),
        ] = None,
    ) -> AsyncGenerator[Message, None]:
        feed = await resolvers.open_message_feed(info, session_id, after)
        return _messages(feed)

    @strawberry.subscription(
        description=(
            "Changes of the agent's session list with that scope: SessionAdded when a session "
            "enters it (its first message), SessionChanged for a title, last activity, unread "
            "count or primary flag change, SessionRemoved when one is deleted. Same access as "
            "Agent.sessions."
        )
    )
    async def session_events(
        self,
        info: Info,
        agent_id: Annotated[
            strawberry.ID, strawberry.argument(description="The agent whose list to follow.")
        ],
        scope: Annotated[
            SessionScope, strawberry.argument(description="Which list: MINE (default) or ALL.")
        ] = SessionScope.MINE,
    ) -> AsyncGenerator[SessionEvent, None]:
        feed = await resolvers.open_session_feed(info, agent_id, Scope(scope.value))
        return _session_events(feed)

    @strawberry.subscription(
        description=(
            "Every event of the session's runs, in order (created time, then id): what the "
            "agent thinks, writes and calls while it works, and how each run ends. With "
            "`after` (an event's cursor) the events after it are replayed first, then live "
            "ones follow, with no gap or duplicate; without it, the events written after the "
            "subscription started. Completes when the session is deleted; same access as the "
            "session's messages."
        )
    )
    async def run_events(
        self,
        info: Info,
        session_id: Annotated[
            strawberry.ID, strawberry.argument(description="The session whose runs to follow.")
        ],
        after: Annotated[
            str | None,
            strawberry.argument(description="Replay the events after this event cursor first."),
        ] = None,
    ) -> AsyncGenerator[RunEvent, None]:
        feed = await resolvers.open_run_event_feed(info, session_id, after)
        return _run_events(feed)


async def _messages(feed: resolvers.MessageFeed) -> AsyncGenerator[Message, None]:
    async with aclosing(feed.messages) as rows:
        async for row in rows:
            yield Message.from_model(row, feed.session)


async def _run_events(feed: resolvers.RunEventFeed) -> AsyncGenerator[RunEvent, None]:
    async with aclosing(feed.events) as events:
        async for event in events:
            yield run_event(event, feed.session)


async def _session_events(feed: resolvers.SessionFeed) -> AsyncGenerator[SessionEvent, None]:
    async with aclosing(feed.events) as events:
        async for event in events:
            yield _session_event(event, feed)


def _session_event(event: resolvers.SessionEvent, feed: resolvers.SessionFeed) -> SessionEvent:
    if event.kind is SessionEventKind.REMOVED:
        return SessionRemoved(id=strawberry.ID(str(event.session.id)))
    session = Session.from_model(event.session, feed.agent.id)
    if event.kind is SessionEventKind.ADDED:
        return SessionAdded(session=session)
    return SessionChanged(session=session)


class StreamErrorCodes(SchemaExtension):
    """Every error of a streamed result (WebSocket, multipart) leaves with a code, and
    unexpected ones masked: what `ErrorCodes` does for a single result."""

    def on_stream_result(self, result: Any) -> Iterator[None]:  # type: ignore[override]
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = [with_code(error) for error in errors]
        yield
