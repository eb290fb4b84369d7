"""The transports of subscriptions: graphql-transport-ws over WebSocket, multipart HTTP.

WebSocket (`/graphql`, subprotocol graphql-transport-ws, the `graphql-ws` library's):
- Authentication: the bearer token in `connection_init`'s payload (`{"Authorization":
  "Bearer …"}`, any case of the key) or in the upgrade's Authorization header. A token
  that is malformed or expired there closes the connection with 4403 Forbidden; no
  token at all is let in (introspection needs none) and every operation that needs a
  viewer answers UNAUTHENTICATED. When the token expires, the connection is closed with
  4403 ("the token has expired"): the client reconnects with a fresh one.
- Each operation starts fresh: its own loaders, the viewer read again (`for_operation`).
  Access is checked when each subscription starts (`resolvers/subscriptions.py`), and
  again while it runs: a subscription whose viewer lost the right ends with an `error`
  message (UNAUTHENTICATED, FORBIDDEN or NOT_FOUND); when the user is no longer active,
  the connection closes with 4403.
- At most `max_subscriptions_per_connection` operations at once per connection (an
  `error` message with SERVICE_UNAVAILABLE for one more), and `max_subscriptions` per
  process (the broker's cap).
- A message the protocol does not specify closes the socket with 4400 and the reason
  (`web/ws_messages.py`).
- Keep-alive: a `ping` every `ws_keep_alive` seconds; graphql-ws clients answer `pong`.
- A client too slow to read its events is closed with 1008 and the reason.
- Every error carries `extensions.code`; unexpected ones are masked, as over HTTP.

Multipart HTTP (`POST /graphql` with `Accept: multipart/mixed;subscriptionSpec=1.0`,
Apollo Client's own transport): the request's Authorization header; Strawberry's
heartbeat every 5 s; a token that expires, or a client too slow, ends the stream with an
error payload (UNAUTHENTICATED, SLOW_CONSUMER). Such streams are long-lived: they hold
no request slot and have no request deadline (`web/admission.py`).
"""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from graphql import GraphQLError
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema import BaseSchema
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage

from auth.expiry import token_expiry
from auth.tokens import user_id_from_authorization
from auth.watching import AccessLost
from context import Context
from db.engine import Database
from errors import SERVICE_UNAVAILABLE, ApiError, Unauthenticated
from loaders import Loaders
from schema.extensions import with_code
from settings import Settings
from web.ws_messages import protocol_violation

EXPIRED_CLOSE = (4403, "Forbidden: the token has expired")
INACTIVE_CLOSE = (4403, "Forbidden: the user does not exist or is no longer active")


def _access_lost(result: Any) -> AccessLost | None:
    """The refusal that ends a subscription whose viewer lost the right to it, if that is
    what this result carries."""
    for error in getattr(result, "errors", None) or ():
        if isinstance(error.original_error, AccessLost):
            return error.original_error
    return None


def wants_multipart_subscription(accept: str | None) -> bool:
    """Whether Accept asks for Apollo's multipart subscriptions (`subscriptionSpec=1.0`)."""
    if accept is None or "multipart" not in accept.lower():
        return False  # most requests: no need to parse the header
    for item in accept.split(","):
        kind, parameters = parse_content_type(item)
        if kind == "multipart/mixed" and parameters.get("subscriptionspec", "").strip(
            "'\""
        ).startswith("1.0"):
            return True
    return False


def _authorization(payload: dict[str, Any] | None) -> str | None:
    for key, value in (payload or {}).items():
        if key.lower() == "authorization" and isinstance(value, str):
            return value
    return None


@dataclass
class LiveContext(Context):
    """One WebSocket connection's context; each of its operations runs with a copy of its
    own (`for_operation`)."""

    connection_params: dict[str, Any] | None = None
    expires_at: datetime | None = field(default=None, init=False)
    connection: "LiveContext" = field(init=False)
    """The connection's own context (itself, or the one an operation's was made from)."""
    _closing: asyncio.Task[None] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.connection = self

    @property
    def authorization(self) -> str | None:
        return _authorization(self.connection_params) or self.request.headers.get("authorization")

    def for_operation(self) -> "LiveContext":
        """The context of one operation on the connection: its own loaders, so the viewer
        and every row are read again, as each HTTP request reads them."""
        operation = self.fresh()
        operation.expires_at = self.expires_at
        operation.connection = self
        return operation

    def disconnect_soon(self, code: int, reason: str) -> None:
        if self.connection is not self:
            self.connection.disconnect_soon(code, reason)
            return
        """Close the connection (all its operations) without waiting for a blocked send."""
        if self._closing is None:
            websocket = self.request
            assert isinstance(websocket, WebSocket)
            self._closing = asyncio.create_task(_close(websocket, code, reason))


async def _close(websocket: WebSocket, code: int, reason: str) -> None:
    with contextlib.suppress(Exception):
        await websocket.close(code=code, reason=reason)


def websocket_context(websocket: WebSocket, database: Database, settings: Settings) -> LiveContext:
    # The connection's id in the request log (web.request_log.RequestLog), when it set one.
    request_id = websocket.scope.get("state", {}).get("request_id") or uuid.uuid4().hex
    return LiveContext(
        request=websocket,  # type: ignore[arg-type]
        response=websocket,  # type: ignore[arg-type]
        database=database,
        settings=settings,
        loaders=Loaders.for_request(database),
        request_id=request_id,
    )


def accept_connection(context: LiveContext) -> None:
    """connection_init: refuse (4403) a token that is there but not valid now."""
    authorization = context.authorization
    if authorization is None:
        return
    try:
        user_id_from_authorization(authorization, context.settings)
    except ApiError:
        raise ConnectionRejectionError from None
    context.expires_at = token_expiry(authorization)


class TextWebSocketAdapter(ASGIWebSocketAdapter):
    """Messages as text frames: the view's JSON is bytes (orjson), which Strawberry would
    send as binary frames, and graphql-transport-ws clients read text only."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(orjson.dumps(message).decode())
        except WebSocketDisconnect as error:
            raise WebSocketDisconnected from error


class _OperationContexts:
    """The schema as a connection's operations run it: each with a context of its own."""

    def __init__(self, schema: BaseSchema) -> None:
        self.schema = schema

    async def stream(self, query: str | None, *, context_value: LiveContext, **rest: Any) -> Any:
        return await self.schema.stream(query, context_value=context_value.for_operation(), **rest)


class LiveTransportWSHandler(BaseGraphQLTransportWSHandler[LiveContext, None]):
    """Strawberry's graphql-transport-ws handler, with this server's caps, pings and expiry;
    each operation starts fresh (`LiveContext.for_operation`)."""

    keep_alive_task: asyncio.Task[None] | None = None
    expiry_task: asyncio.Task[None] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schema = _OperationContexts(self.schema)  # type: ignore[assignment]

    @property
    def settings(self) -> Settings:
        return self.context.settings

    async def handle_message(self, message: Any) -> None:
        reason = protocol_violation(message)
        if reason is not None:
            await self.handle_invalid_message(reason)
            return
        if message["type"] == "connection_init" and message.get("payload") is None:
            message = {**message, "payload": {}}  # null is as good as none
        await super().handle_message(message)

    async def handle_connection_init(self, message: Any) -> None:
        await super().handle_connection_init(message)
        if not self.connection_acknowledged:
            return
        self.keep_alive_task = asyncio.create_task(self.keep_alive())
        if self.context.expires_at is not None:
            self.expiry_task = asyncio.create_task(self.expire(self.context.expires_at))

    async def keep_alive(self) -> None:
        while True:
            await asyncio.sleep(self.settings.ws_keep_alive)
            with contextlib.suppress(Exception):
                await self.send_message({"type": "ping"})

    async def expire(self, at: datetime) -> None:
        await asyncio.sleep(max((at - datetime.now(UTC)).total_seconds(), 0))
        self.context.disconnect_soon(*EXPIRED_CLOSE)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        cap = self.settings.max_subscriptions_per_connection
        if (
            self.connection_acknowledged
            and len(self.operations) >= cap
            and (message["id"] not in self.operations)
        ):
            error = GraphQLError(
                f"At most {cap} subscriptions run at once on one connection.",
                extensions={"code": SERVICE_UNAVAILABLE},
            )
            await self.send_message(
                {"id": message["id"], "type": "error", "payload": [error.formatted]}
            )
            return
        await super().handle_subscribe(message)

    async def _send_result_stream(self, operation: Operation, result_source: Any) -> None:
        """A subscription that ends because its viewer lost the right to it (a refusal from
        its source, `resolvers/subscriptions.py`) ends with an `error` message, not a
        `next`; when the user is no longer active, the whole connection closes (4403)."""

        async def until_refused() -> AsyncIterator[Any]:
            async for result in result_source:
                lost = _access_lost(result)
                if lost is None:
                    yield result
                    continue
                errors = [with_code(error).formatted for error in result.errors]
                message = {"id": operation.id, "type": "error", "payload": errors}
                await operation.send_operation_message(message)  # type: ignore[arg-type]
                if isinstance(lost.refusal, Unauthenticated):
                    self.context.disconnect_soon(*INACTIVE_CLOSE)
                return

        await super()._send_result_stream(operation, until_refused())  # type: ignore[arg-type]

    async def shutdown(self) -> None:
        for task in (self.keep_alive_task, self.expiry_task):
            if task is not None:
                task.cancel()
        await super().shutdown()
