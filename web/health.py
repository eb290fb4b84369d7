"""Probes for orchestrators: /healthz says the process runs, /readyz that the database answers."""

import logging

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse

logger = logging.getLogger("chat_api.health")


async def healthz(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    try:
        async with request.app.state.database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:
        logger.warning("readiness check failed: the database does not answer", exc_info=True)
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "up"})
