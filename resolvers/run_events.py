"""Run.events: one keyset page of a run's log, oldest first."""

from typing import Any

from context import Info
from db.run_log import EventKey, typed
from db.runs import RunRow
from resolvers.cursors import event_cursor, parse_event_cursor
from resolvers.pages import check_page_size
from schema.pagination import PageInfo
from schema.run_events import RunEventConnection, RunEventEdge, run_event

MAX_EVENTS = 500


async def resolve_events(
    info: Info, run: RunRow, session: Any, first: int, after: str | None
) -> RunEventConnection:
    check_page_size("first", first, MAX_EVENTS)
    key = parse_event_cursor(after, session.id, run.id) if after is not None else None
    rows = await info.context.loaders.events_by_run.load((run.id, first, key))
    page = rows[:first]
    events = [event for event in map(typed, page) if event is not None]
    edges = [
        RunEventEdge(cursor=node.cursor, node=node)
        for node in (run_event(event, session) for event in events)
    ]

    def cursor(index: int) -> str | None:
        if not page:
            return None
        row = page[index]
        return event_cursor(session.id, run.id, EventKey(row.created_at, row.id))

    return RunEventConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > first,
            has_previous_page=key is not None,
            start_cursor=cursor(0),
            end_cursor=cursor(-1),
        ),
    )
