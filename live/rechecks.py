"""Access re-checked while subscriptions run: one statement per re-check for all of them.

Every `recheck_interval` seconds the broker hands the `Watched` of each running
subscription here; the rows they need are read at once (`db/watched_access.py`) and each
is asked `auth.watching.refusal`, the rules a query is held to. A subscription whose
viewer lost the right ends with that refusal (`live.broker.Watch.revoke`).
"""

from collections.abc import Set

from sqlalchemy.ext.asyncio import AsyncConnection

from auth.watching import AccessLost, refusal
from db.watched_access import Watched, access_rows


async def refusals(connection: AsyncConnection, watched: Set[Watched]) -> dict[Watched, AccessLost]:
    """The watched things their viewers may no longer watch, each with the reason (each
    asked once, however many subscriptions watch it)."""
    rows = await access_rows(connection, watched)
    found = {each: refusal(each, rows) for each in watched}
    return {each: AccessLost(error) for each, error in found.items() if error is not None}
