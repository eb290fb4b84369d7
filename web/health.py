"""Probes for orchestrators: /healthz says the process runs, /readyz that the database answers.

/readyz answers within READY_TIMEOUT, whatever the database does: a database that stalls
(rather than refusing) is as unready as one that is down, and a probe that hangs would
tell the orchestrator nothing. Its check runs on a connection of its own (`Database.ping`),
never a pooled one that a stalled request may hold, and in a task of its own: the answer
does not wait for a stalled connection to be torn down either; that goes on behind it.
"""

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse

logger = logging.getLogger("chat_api.health")

READY_TIMEOUT = 1.5
"""Seconds /readyz waits for the database; orchestrators' probes time out at 1 to 2 s."""
_abandoned: set[asyncio.Task[None]] = set()
"""Checks that outlived their probe, still tearing down: kept until they end."""


async def healthz(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    check = asyncio.create_task(request.app.state.database.ping())
    done, _ = await asyncio.wait({check}, timeout=READY_TIMEOUT)
    if not done:
        check.cancel()
        _abandoned.add(check)
        check.add_done_callback(_forget)
        logger.warning("readiness check failed: the database gave no answer in %s s", READY_TIMEOUT)
        return _down()
    if check.exception() is not None:
        logger.warning(
            "readiness check failed: the database does not answer", exc_info=check.exception()
        )
        return _down()
    return JSONResponse({"status": "ok", "database": "up"})


def _down() -> JSONResponse:
    return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)


def _forget(check: asyncio.Task[None]) -> None:
    _abandoned.discard(check)
    if not check.cancelled():
        check.exception()  # retrieved: its failure was logged already, as a timeout
