"""A line of the request log for every operation on a WebSocket (graphql-transport-ws).

The connection's own lines (open, close) come from `web.request_log.RequestLog`. Each
`subscribe` message gets a `RequestRecord` of its own, current in the task Strawberry
starts for the operation, so its SQL statements, operation name and error codes are its
own; the line is written when the operation ends (completed, stopped by the client,
refused, or failed), with the connection's request id and the operation's id.
"""

import asyncio
import time
from typing import Any

from graphql import GraphQLError, get_operation_ast, parse
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage

from errors import INTERNAL_SERVER_ERROR
from observability.request_record import RequestRecord, current_request, recording
from web.request_log import log_line


def _codes(message: Any) -> set[str]:
    payload = message.get("payload")
    errors = payload if message.get("type") == "error" else (payload or {}).get("errors")
    if not isinstance(errors, list):
        return set()
    return {
        ((error.get("extensions") or {}).get("code") or INTERNAL_SERVER_ERROR)
        for error in errors
        if isinstance(error, dict)
    }


def _named(payload: object) -> str | None:
    """The name of the document's only operation, when the client did not send one."""
    query = payload.get("query") if isinstance(payload, dict) else None
    try:
        operation = get_operation_ast(parse(query)) if isinstance(query, str) else None
    except GraphQLError:
        return None
    return operation.name.value if operation is not None and operation.name else None


class LoggedOperations(BaseGraphQLTransportWSHandler):  # type: ignore[type-arg]
    """Listed first among a handler's bases, so that it sees refusals by the others too."""

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        id = message.get("id")
        connection = current_request()
        if connection is None or not isinstance(id, str) or id in self.operations:
            await super().handle_subscribe(message)  # a duplicate id closes the connection
            return
        record = RequestRecord(connection.request_id, trace_id=connection.trace_id)
        payload = message.get("payload")
        name = payload.get("operationName") if isinstance(payload, dict) else None
        record.operation = name if isinstance(name, str) else _named(payload)
        started = time.perf_counter()
        with recording(record):
            await super().handle_subscribe(message)
        operation = self.operations.get(id)
        if operation is None or operation.task is None:
            self._log(record, id, started, None)  # refused before it ran
        else:
            operation.task.add_done_callback(lambda task: self._log(record, id, started, task))

    async def send_message(self, message: Any) -> None:
        record = current_request()
        if record is not None and message.get("type") in ("next", "error"):
            codes = _codes(message)
            if codes:
                record.error_codes = sorted(set(record.error_codes) | codes)
        await super().send_message(message)

    def _log(
        self, record: RequestRecord, id: str, started: float, task: asyncio.Task[Any] | None
    ) -> None:
        failed = task is not None and not task.cancelled() and task.exception() is not None
        outcome = "exception" if failed else ("errors" if record.error_codes else "ok")
        scope = self.websocket.ws.scope  # type: ignore[attr-defined]
        client = scope.get("client")
        log_line(
            record,
            started,
            method="WEBSOCKET",
            path=scope["path"],
            status=None,
            outcome=outcome,
            client=client[0] if client else None,
            event="operation",
            operation_id=id,
        )
