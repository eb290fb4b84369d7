"""The request id, and one JSON log line per request.

`RequestLog` is a pure ASGI middleware. It keeps the caller's `X-Request-ID` when that
is short and plain (else it makes one), returns it in the response's `X-Request-ID`
header and stores it in `request.state.request_id`, where the GraphQL context (and so
the error log) picks it up.

While a request runs, a context variable holds its `RequestRecord`. Context variables
follow the request into every task it starts (dataloader batches) and into SQLAlchemy's
greenlets, so the engine's `before_cursor_execute` listener counts each SQL statement
against the request that sent it, even with many requests in flight. The GraphQL layer
adds the operation name and error codes (`schema/operation_log.py`).
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("chat_api.requests")

REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


@dataclass
class RequestRecord:
    request_id: str
    statements: int = 0
    operation: str | None = None
    error_codes: list[str] = field(default_factory=list)


_current: ContextVar[RequestRecord | None] = ContextVar("request_record", default=None)


def current_request() -> RequestRecord | None:
    return _current.get()


def request_id_from(headers: Headers) -> str:
    """The caller's id when it is safe to log and echo; a new one otherwise."""
    given = headers.get("x-request-id", "")
    return given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def _count_statement(*_: Any) -> None:
    record = _current.get()
    if record is not None:
        record.statements += 1


def _outcome(status: int, record: RequestRecord) -> str:
    if not 200 <= status < 300:
        return f"http_{status}"
    return "errors" if record.error_codes else "ok"


class RequestLog:
    def __init__(self, app: ASGIApp, engine: AsyncEngine) -> None:
        self.app = app
        target = engine.sync_engine
        # Apps built on one engine (tests build many) share the listener: count once.
        if not event.contains(target, "before_cursor_execute", _count_statement):
            event.listen(target, "before_cursor_execute", _count_statement)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        record = RequestRecord(request_id_from(Headers(scope=scope)))
        scope.setdefault("state", {})["request_id"] = record.request_id
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = record.request_id
            await send(message)

        started = time.perf_counter()
        token = _current.set(record)
        outcome = None
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            outcome = "exception"
            raise
        finally:
            _current.reset(token)
            line = {
                "request_id": record.request_id,
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "operation": record.operation,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "sql_statements": record.statements,
                "outcome": outcome or _outcome(status, record),
                "error_codes": record.error_codes,
            }
            logger.info(orjson.dumps(line).decode())
