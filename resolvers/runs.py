"""Session.activeRun and Session.runs."""

from collections.abc import Awaitable
from typing import Any

from auth.access import is_own_direct_web
from context import Info
from db.runs import RunRow, is_chat_run_of
from errors import Conflict
from loaders.ready import then
from resolvers.cursors import parse_run_cursor, run_cursor
from resolvers.pages import check_page_size
from schema.pagination import PageInfo
from schema.runs import Run, RunConnection, RunEdge

MAX_RUNS = 100


def resolve_active_run(info: Info, session: Any) -> Run | Awaitable[Run | None] | None:
    """The run holding the session's chat lane, as the platform's runtime-state finds it;
    only for the owner of an active direct web session."""
    viewer_id = info.context.viewer_id
    if viewer_id is None or not is_own_direct_web(viewer_id, session):
        return None

    def holder(runs: list[RunRow]) -> Run | None:
        mine = [run for run in runs if is_chat_run_of(run, session, viewer_id)]
        if len(mine) > 1:
            raise Conflict("More than one run holds this session's lane.")
        return Run.of(mine[0], session, viewer_id) if mine else None

    return then(holder, info.context.loaders.lane_holders.load((session.id, session.tenant_id)))


async def resolve_runs(info: Info, session: Any, first: int, after: str | None) -> RunConnection:
    check_page_size("first", first, MAX_RUNS)
    key = parse_run_cursor(after, session.id) if after is not None else None
    loader = info.context.loaders.runs_by_session
    rows = await loader.load((session.id, session.tenant_id, first, key))
    shown = rows[:first]
    viewer_id = info.context.viewer_id

    def cursor(row: RunRow) -> str:
        return run_cursor(session.id, row.created_at, row.id)

    return RunConnection(
        edges=[RunEdge(cursor=cursor(row), node=Run.of(row, session, viewer_id)) for row in shown],
        page_info=PageInfo(
            has_next_page=len(rows) > first,
            has_previous_page=key is not None,
            start_cursor=cursor(shown[0]) if shown else None,
            end_cursor=cursor(shown[-1]) if shown else None,
        ),
    )
