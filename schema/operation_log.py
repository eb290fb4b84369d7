"""Tell the request log which GraphQL operation ran and which error codes it answered."""

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from observability.request_record import current_request
from schema.extensions import error_codes


class OperationLog(SchemaExtension):
    """Listed first, so it looks at the result after the other extensions are done with it."""

    def on_operation(self) -> Iterator[None]:
        yield
        record = current_request()
        if record is None:
            return
        record.operation = self.execution_context.operation_name
        result = self.execution_context.result
        if result is not None and result.errors:
            record.error_codes = error_codes(result.errors)
