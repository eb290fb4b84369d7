"""OpenTelemetry traces: off unless the standard variables ask for them.

On when `OTEL_TRACES_EXPORTER` is `otlp` or `console`, or when it is unset and
`OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set; the OTLP
exporter speaks HTTP/protobuf. The SDK reads the rest itself: `OTEL_SERVICE_NAME`,
`OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER[_ARG]`, `OTEL_BSP_*`, `OTEL_SDK_DISABLED`.

A trace has one span per HTTP request (SERVER, its parent the request's W3C
`traceparent`), one per GraphQL operation inside it (`query SessionList`, with its type
and outcome; WebSocket operations are children of the upgrade's `traceparent`), and one
per SQL statement under that (CLIENT), from the engine's cursor events: asyncpg and
aiosqlite alike. No span per field: a list would make thousands. The request's span is
made by `web.request_log`, the operation's by `schema.operation_span`.
"""

import os
from collections.abc import Mapping
from contextvars import ContextVar
from functools import cache
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine

SERVICE = "chat-sessions-graphql"
TRACER_NAME = "chat_api"
_SPAN = "_chat_api_span"
_propagator = TraceContextTextMapPropagator()

# The tracer of the request or WebSocket connection in progress: SQL statements sent
# outside one (migrations, the live poller) make no spans.
current_tracer: ContextVar[Tracer | None] = ContextVar("current_tracer", default=None)


def exporters_from_env(environ: Mapping[str, str]) -> list[SpanExporter]:
    """The exporters the OTEL_* variables ask for; none means tracing is off."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return []
    names = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    endpoint = environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or environ.get(
        "OTEL_EXPORTER_OTLP_ENDPOINT"
    )
    if not names:
        names = "otlp" if endpoint else "none"
    exporters: list[SpanExporter] = []
    for name in (name.strip() for name in names.split(",")):
        if name == "otlp":
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
                OTLPSpanExporter,
            )

            exporters.append(OTLPSpanExporter())
        elif name == "console":
            exporters.append(ConsoleSpanExporter())
        elif name != "none":
            raise ValueError(f"OTEL_TRACES_EXPORTER: otlp, console or none, not {name!r}.")
    return exporters


def tracer_provider(exporters: list[SpanExporter]) -> TracerProvider:
    attributes = {} if os.environ.get("OTEL_SERVICE_NAME") else {SERVICE_NAME: SERVICE}
    provider = TracerProvider(resource=Resource.create(attributes))
    for exporter in exporters:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


@cache
def tracer_from_env() -> Tracer | None:
    """This process's tracer when the environment turns tracing on (built once)."""
    exporters = exporters_from_env(os.environ)
    if not exporters:
        return None
    return tracer_provider(exporters).get_tracer(TRACER_NAME)


def remote_parent(headers: Mapping[str, str]) -> Context:
    """The context of the request's W3C `traceparent` (empty without a valid one)."""
    return _propagator.extract(headers)


def trace_id(span: trace.Span) -> str | None:
    context = span.get_span_context()
    return trace.format_trace_id(context.trace_id) if context.is_valid else None


# SQL statements, from the engine's cursor events.


def _statement_started(*args: Any) -> None:
    tracer = current_tracer.get()
    if tracer is None:
        return
    connection, _, statement, _, context, _ = args
    span = tracer.start_span(
        statement.split(None, 1)[0].upper() if statement.strip() else "SQL",
        kind=SpanKind.CLIENT,
        attributes={
            "db.system.name": connection.dialect.name,
            "db.query.text": statement,
        },
    )
    setattr(context, _SPAN, span)


def _statement_ended(*args: Any) -> None:
    span = getattr(args[4], _SPAN, None)
    if span is not None:
        span.end()


def _statement_failed(error: ExceptionContext) -> None:
    span = getattr(error.execution_context, _SPAN, None)
    if span is not None:
        span.record_exception(error.original_exception)
        span.set_status(Status(StatusCode.ERROR, type(error.original_exception).__name__))
        span.end()


def trace_statements(engine: AsyncEngine) -> None:
    """A span per statement this engine sends inside a traced request (listeners once)."""
    target = engine.sync_engine
    for name, listener in (
        ("before_cursor_execute", _statement_started),
        ("after_cursor_execute", _statement_ended),
        ("handle_error", _statement_failed),
    ):
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)
