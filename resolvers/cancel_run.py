"""cancelRun: the Stop button, as the platform's web chat abort (`_cancel_runtime_run`).

Who may: the owner of the run's active direct web session, for its chat run (auth/access).
Anyone who cannot read the session gets the NotFoundError of an unknown run; one who can
read it but may not stop the run gets ForbiddenError. The owner's run that no longer
holds its lane, and was never asked to stop, is a ValidationError on runId. Asking again
finds the first command by its key and changes nothing.
"""

from auth.access import check_may_cancel, session_read_through
from context import Info
from db.nodes import agents_with_grants_by_ids
from db.runs import enqueue_web_cancel, has_web_cancel, is_chat_run_of, runs_by_ids
from db.sessions import session_by_id
from errors import BadUserInput, Forbidden, NotFound
from resolvers.ids import parse_id
from schema.errors import ForbiddenError, NotFoundError, ValidationError, error_member
from schema.runs import Run

RUN_NOT_FOUND = "Run not found."


async def resolve_cancel_run(
    info: Info, run_id: str
) -> Run | NotFoundError | ForbiddenError | ValidationError:
    viewer = await info.context.viewer()
    try:
        parsed = parse_id(run_id, "run id")
    except BadUserInput:
        return NotFoundError(message=RUN_NOT_FOUND)
    database = info.context.database
    async with database.session() as db:
        found = await runs_by_ids(db, [parsed], viewer.tenant_id)
        session = (
            await session_by_id(db, found[0].session_id) if found and found[0].session_id else None
        )
        agents = (
            await agents_with_grants_by_ids(db, (), (session.id,), viewer.id) if session else {}
        )
    if session is None:
        return NotFoundError(message=RUN_NOT_FOUND)
    try:
        session_read_through(viewer, session, agents)
    except (NotFound, Forbidden):
        return NotFoundError(message=RUN_NOT_FOUND)
    try:
        check_may_cancel(viewer, session, is_chat_run_of(found[0], session, viewer.id))
    except Forbidden as error:
        return error_member(error)  # type: ignore[return-value]
    async with database.transaction() as db:
        (run,) = await runs_by_ids(db, [parsed], viewer.tenant_id)
        asked = await has_web_cancel(db, run)
        if not run.lane_held and not asked:
            return ValidationError(
                message="The run no longer holds the session's lane: there is nothing to stop.",
                field="runId",
            )
        if not asked:
            await enqueue_web_cancel(db, run, viewer.id)
    return Run.of(run, session, viewer.id)
