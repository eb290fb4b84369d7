"""Probes for orchestrators: /healthz says the process runs, /readyz that the database answers.

/readyz answers within READY_TIMEOUT: a database that stalls (rather than refusing) is as
unready as one that is down, and a probe that hangs would tell the orchestrator nothing.
"""

import asyncio
import logging

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse

logger = logging.getLogger("chat_api.health")

READY_TIMEOUT = 1.5
"""Seconds /readyz waits for the database; orchestrators' probes time out at 1 to 2 s."""


async def healthz(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    try:
        async with (
            asyncio.timeout(READY_TIMEOUT),
            request.app.state.database.engine.connect() as connection,
        ):
            await connection.execute(text("SELECT 1"))
    except Exception:
        logger.warning("readiness check failed: the database does not answer", exc_info=True)
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "up"})
