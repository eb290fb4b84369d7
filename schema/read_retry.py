"""A query whose database connection died is run once more, on a fresh connection.

A query only reads, so running it again is safe: the client gets the second run's answer
and never sees the first one's lost connection (a killed backend, a failover). This
extension only notes that the connection was lost; the view runs the operation again
(web/graphql_view.py), with fresh loaders, once. A mutation is never run again: its
first run may have committed (createSession's idempotencyKey covers a client's retry).
"""

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from db.lost_connections import connection_lost


class LostConnectionRetry(SchemaExtension):
    """Listed after ErrorCodes, so that it sees the errors before they are coded."""

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context
        result = context.result
        if context.operation_type is not OperationType.QUERY or result is None:
            return
        if any(connection_lost(error.original_error) for error in result.errors or ()):
            context.context.read_connection_lost = True
