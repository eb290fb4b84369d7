"""The request id, one JSON log line per request, and the request's metrics and span.

`RequestLog` is a pure ASGI middleware. It keeps the caller's `X-Request-ID` when that
is short and plain (else it makes one), returns it in the response's `X-Request-ID`
header and stores it in `request.state.request_id`, where the GraphQL context (and so
the error log) picks it up.

While a request runs, its `RequestRecord` is the current one
(`observability/request_record.py`), so the engine's `before_cursor_execute` listener
counts each SQL statement against the request that sent it, even with many requests in
flight. The GraphQL layer adds the operation name and error codes
(`schema/operation_log.py`).

A WebSocket connection is logged when it opens and when it closes (its close code and
reason, and who closed it); each operation on it gets its own line
(`web/websocket_log.py`). A GraphQL request over HTTP is also counted in the metrics
(`observability/metrics.py`) and, with tracing on, is a span (`observability/tracing.py`)
whose trace id is in its line: the caller's `traceparent`'s, even with tracing off.
"""

import logging
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from opentelemetry.context import attach, detach
from opentelemetry.trace import (
    Span,
    SpanKind,
    Status,
    StatusCode,
    Tracer,
    get_current_span,
    set_span_in_context,
)
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from observability.metrics import WEBSOCKETS, observe_request, operation_label
from observability.request_record import RequestRecord, current_request, recording
from observability.tracing import current_tracer, remote_parent, trace_id, trace_statements

logger = logging.getLogger("chat_api.requests")

REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
GRAPHQL_PATH = "/graphql"
NORMAL_CLOSURES = (1000, 1001, 1005)


def request_id_from(headers: Headers) -> str:
    """The caller's id when it is safe to log and echo; a new one otherwise."""
    given = headers.get("x-request-id", "")
    return given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def _count_statement(*_: Any) -> None:
    record = current_request()
    if record is not None:
        record.statements += 1


def _outcome(status: int, record: RequestRecord) -> str:
    if not 200 <= status < 300:
        return f"http_{status}"
    return "errors" if record.error_codes else "ok"


def _client(scope: Scope) -> str | None:
    client = scope.get("client")
    return client[0] if client else None


def log_line(record: RequestRecord, started: float, **fields: Any) -> None:
    """One line of the request log: an HTTP request, a WebSocket's open or close, or one
    operation on a WebSocket (these have an `event` and fields of their own)."""
    line = {
        "request_id": record.request_id,
        "method": fields.pop("method"),
        "path": fields.pop("path"),
        "status": fields.pop("status"),
        "operation": record.operation,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        "sql_statements": record.statements,
        "outcome": fields.pop("outcome"),
        "error_codes": record.error_codes,
        "trace_id": record.trace_id,
        **fields,
    }
    logger.info(orjson.dumps(line).decode(), extra={"fields": line})


class RequestLog:
    def __init__(
        self,
        app: ASGIApp,
        engine: AsyncEngine,
        tracer: Tracer | None = None,
        known_operations: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.tracer = tracer
        self.known_operations = known_operations
        target = engine.sync_engine
        # Apps built on one engine (tests build many) share the listener: count once.
        if not event.contains(target, "before_cursor_execute", _count_statement):
            event.listen(target, "before_cursor_execute", _count_statement)
        if tracer is not None:
            trace_statements(engine)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self.websocket(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        record = RequestRecord(request_id_from(headers))
        scope.setdefault("state", {})["request_id"] = record.request_id
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = record.request_id
            await send(message)

        started = time.perf_counter()
        method, path = scope["method"], scope["path"]
        with self.traced(headers, f"{method} {path}", SpanKind.SERVER) as span:
            record.trace_id = trace_id(span)
            outcome = None
            try:
                with recording(record):
                    await self.app(scope, receive, send_with_id)
            except Exception:
                outcome = "exception"
                raise
            finally:
                outcome = outcome or _outcome(status, record)
                log_line(
                    record,
                    started,
                    method=method,
                    path=path,
                    status=status,
                    outcome=outcome,
                    client=_client(scope),
                )
                if path == GRAPHQL_PATH:
                    operation = operation_label(record.operation, self.known_operations)
                    elapsed = time.perf_counter() - started
                    observe_request(operation, outcome, elapsed, record.statements)
                if span.is_recording():
                    span.set_attribute("http.response.status_code", status)
                    span.set_attribute("outcome", outcome)
                    if status == 404:
                        span.update_name(method)  # unknown paths must not name spans
                    if status >= 500:
                        span.set_status(Status(StatusCode.ERROR))

    @contextmanager
    def traced(self, headers: Headers, name: str, kind: SpanKind) -> Iterator[Span]:
        """The request's span, current while it runs: a child of its `traceparent`. With
        tracing off, that remote parent only (its trace id goes to the log)."""
        parent = remote_parent(headers)
        if self.tracer is None:
            yield get_current_span(parent)
            return
        span = self.tracer.start_span(name, context=parent, kind=kind)
        attached = attach(set_span_in_context(span, parent))
        tracer = current_tracer.set(self.tracer)
        try:
            yield span
        finally:
            current_tracer.reset(tracer)
            detach(attached)
            span.end()

    async def websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A WebSocket connection: a line when it opens, one when it closes (code, reason,
        who closed it), and one per operation on it (`web/websocket_log.py`)."""
        headers = Headers(scope=scope)
        record = RequestRecord(request_id_from(headers))
        scope.setdefault("state", {})["request_id"] = record.request_id
        started = time.perf_counter()
        accepted = False
        closed: dict[str, Any] = {}
        common = {"method": "WEBSOCKET", "path": scope["path"], "client": _client(scope)}

        async def send_logged(message: Message) -> None:
            nonlocal accepted
            if message["type"] == "websocket.accept":
                accepted = True
                WEBSOCKETS.inc()
                log_line(record, started, **common, status=101, outcome="ok", event="open")
            elif message["type"] == "websocket.close" and not closed:
                closed.update(code=message.get("code", 1000), reason=message.get("reason") or "")
                closed["by"] = "server"
            await send(message)

        async def receive_logged() -> Message:
            message = await receive()
            if message["type"] == "websocket.disconnect" and not closed:
                closed.update(code=message.get("code", 1005), reason=message.get("reason") or "")
                closed["by"] = "client"
            return message

        # No span for the connection, which may live for hours: each operation has its
        # own, a child of the upgrade request's traceparent.
        parent = remote_parent(headers)
        record.trace_id = trace_id(get_current_span(parent))
        attached = attach(parent)
        tracer = current_tracer.set(self.tracer)
        outcome = None
        try:
            with recording(record):
                await self.app(scope, receive_logged, send_logged)
        except Exception:
            outcome = "exception"
            raise
        finally:
            current_tracer.reset(tracer)
            if accepted:
                WEBSOCKETS.dec()
            code = closed.get("code")
            log_line(
                record,
                started,
                **common,
                status=101 if accepted else 403,
                outcome=outcome or ("ok" if code in NORMAL_CLOSURES else f"ws_{code}"),
                event="close",
                close_code=code,
                close_reason=closed.get("reason"),
                closed_by=closed.get("by"),
            )
            detach(attached)
