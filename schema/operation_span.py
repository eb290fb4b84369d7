"""A span around each GraphQL operation (observability/tracing.py has the whole tree)."""

from collections.abc import Iterator

from opentelemetry.trace import Status, StatusCode, Tracer
from strawberry.extensions import SchemaExtension

from errors import INTERNAL_SERVER_ERROR, excerpt
from observability.request_record import current_request
from observability.tracing import trace_id
from schema.extensions import error_codes


class OperationSpan(SchemaExtension):
    """A span around each operation, named `<type> <name>` once the document is known.

    Listed first among the extensions, so that it ends last, with the final errors."""

    def __init__(self, *, tracer: Tracer) -> None:
        self.tracer = tracer

    def on_operation(self) -> Iterator[None]:
        with self.tracer.start_as_current_span(
            "graphql.operation", record_exception=False, set_status_on_exception=False
        ) as span:
            record = current_request()
            if record is not None:
                record.trace_id = trace_id(span)  # a WebSocket operation's own trace
            yield
            context = self.execution_context
            try:
                kind = context.operation_type.value
            except Exception:  # the document did not parse, or names no operation
                kind = "unknown"
            name = context.operation_name
            span.update_name(f"{kind} {excerpt(name)}" if name else kind)
            span.set_attribute("graphql.operation.type", kind)
            if name:
                span.set_attribute("graphql.operation.name", excerpt(name))
            result = context.result
            errors = (result.errors if result is not None else None) or []
            codes = error_codes(errors)
            span.set_attribute("graphql.outcome", "errors" if codes else "ok")
            if codes:
                span.set_attribute("graphql.error_codes", codes)
            if INTERNAL_SERVER_ERROR in codes:
                span.set_status(Status(StatusCode.ERROR, INTERNAL_SERVER_ERROR))
