"""The /graphql endpoint: Strawberry's ASGI view, given this server's context, JSON and
the GraphQL-over-HTTP transport rules of `web.http` (see there for each rule), and a cap
on the size of every response."""

from datetime import timedelta
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.http.base import BaseRequestProtocol
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import (
    GRAPHQL_TRANSPORT_WS_PROTOCOL,
    MULTIPART_SUBSCRIPTION_PROTOCOL,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from context import Context
from db.engine import Database
from errors import RESPONSE_TOO_LARGE, BadUserInput
from loaders import Loaders
from observability.request_record import current_request
from schema import ChatSchema
from schema.extensions import with_code
from settings import Settings
from web import http
from web.graphiql import graphiql_page, uses_cdn
from web.persisted import PersistedOperations, Refusal
from web.subscriptions import (
    LiveContext,
    LiveTransportWSHandler,
    TextWebSocketAdapter,
    accept_connection,
    wants_multipart_subscription,
    websocket_context,
)
from web.websocket_log import LoggedOperations

API_PARAMETERS = ("query", "extensions", "documentId")
PRIVATE = "private, no-store"


def _authorized(request: Request) -> bool:
    return "authorization" in request.headers


class PersistedTransportWSHandler(LiveTransportWSHandler):
    """WebSocket operations pass web/persisted.py too: the allow-list holds there as well."""

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        persisted: PersistedOperations = self.view.persisted  # type: ignore[attr-defined]
        if self.connection_acknowledged and isinstance(message.get("payload"), dict):
            try:
                resolved = persisted.resolve(dict(message["payload"]))
            except Refusal as refusal:
                error = GraphQLError(refusal.reason, extensions={"code": refusal.code})
                await self.send_message(
                    {"id": message["id"], "type": "error", "payload": [error.formatted]}
                )
                return
            message = {**message, "payload": resolved}  # type: ignore[typeddict-item]
        await super().handle_subscribe(message)


class TransportWSHandler(LoggedOperations, PersistedTransportWSHandler):
    """Every operation on a WebSocket in the request log (web/websocket_log.py)."""


class GraphQLView(GraphQL[Context, None]):
    # Subscriptions: web/subscriptions.py; persisted operations over WebSocket just above.
    graphql_transport_ws_handler_class = TransportWSHandler  # type: ignore[assignment]
    websocket_adapter_class = TextWebSocketAdapter  # type: ignore[assignment]

    def __init__(self, schema: ChatSchema, database: Database, settings: Settings) -> None:
        # Persisted operations: web/persisted.py. With trusted documents on, GraphiQL could
        # run nothing, so it is not served.
        self.persisted = PersistedOperations(settings)
        super().__init__(
            schema,
            graphql_ide="graphiql"
            if settings.graphiql and self.persisted.trusted is None
            else None,
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, MULTIPART_SUBSCRIPTION_PROTOCOL),
            connection_init_wait_timeout=timedelta(seconds=settings.ws_init_timeout),
            max_subscriptions_per_connection=None,  # LiveTransportWSHandler applies the cap
        )
        self.database = database
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        # The request's reads share one connection (db/engine.py), given back as soon as
        # the response is made: a streamed subscription's later reads check out their own.
        request.state.database = database = self.database.one_connection()
        try:
            response = await self.run(self.admit(request))
        except HTTPException as error:
            response = self.error_response(request, error)
        except ClientDisconnect:
            return
        finally:
            await database.release()
        await response(scope, receive, send)

    def admit(self, request: Request) -> Request:
        """The request, if the method, Accept and Content-Type rules let it in (rules 1-6);
        its body is then read within the size limit as Strawberry asks for it."""
        preflight = "access-control-request-method" in request.headers  # CORS is off
        http.check_method(request.method, preflight=request.method == "OPTIONS" and preflight)
        if self.should_render_graphql_ide(request):
            return request
        if not wants_multipart_subscription(request.headers.get("accept")):
            http.acceptable(request.headers.get("accept"))
        if request.method == "GET":
            return request
        http.check_content_type(request.headers.get("content-type"))
        limit = self.settings.max_body_bytes
        http.check_declared_length(request.headers.get("content-length"), limit)
        return Request(request.scope, http.limit_body(request.receive, limit))

    def error_response(self, request: Request, error: HTTPException) -> Response:
        """A refused request, answered as a GraphQL response with the refusal's status."""
        code = error.code if isinstance(error, Refusal) else BadUserInput.code
        body = {"errors": [{"message": error.reason, "extensions": {"code": code}}]}
        media_type = http.negotiate(request.headers.get("accept")) or http.JSON
        headers = error.headers if isinstance(error, http.TransportError) else {}
        # A refused persisted operation is a request error (rule 9): its status follows
        # the media type, as for a document that does not validate.
        status = http.status_code(media_type, body) if isinstance(error, Refusal) else None
        record = current_request()
        if record is not None and status is not None:
            record.error_codes = [code]
        response = Response(
            self.encode_json(body),
            status_code=status or error.status_code,
            headers=headers,
            media_type=http.content_type(media_type),
        )
        response.headers.add_vary_header("Accept")
        if request.method == "GET" and _authorized(request):
            response.headers["Cache-Control"] = PRIVATE
        return response

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        """GraphiQL only for a browser's navigation: a GET that accepts HTML by name and
        carries none of a request's parameters. A GET with `query`, `extensions` or
        `documentId` (a hash-only APQ GET too) is an API request, whatever its Accept.
        With GraphiQL off, a GET without a query is a malformed request (400), not a 404."""
        if self.graphql_ide is None or request.method != "GET":
            return False
        if any(request.query_params.get(name) for name in API_PARAMETERS):
            return False
        return "text/html" in (request.headers.get("accept") or "").lower()

    async def render_graphql_ide(self, request: Request) -> Response:
        # Our own page: it loads GraphiQL from this server (web.graphiql), not from a CDN.
        return HTMLResponse(graphiql_page(cdn=uses_cdn(self.settings)))

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        if request.method == "GET":
            present = {name: value for name, value in request.query_params.items() if value}
            raw = self.parse_query_params(present)
        else:
            raw = self.parse_json(await request.get_body())
        data = http.request_parameters(self.persisted.resolve(raw))
        if request.method == "POST" and wants_multipart_subscription(request.headers.get("accept")):
            data.protocol = MULTIPART_SUBSCRIPTION_PROTOCOL  # web/subscriptions.py
        return data

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        # Strawberry turns these three into plain-text 400s; here they are GraphQL request
        # errors, except a mutation over GET, which the spec makes a 405.
        try:
            result = await self.execute_once(request_adapter, context, request_data)
            if context.read_connection_lost:
                # A query whose connection died: run it again, once, on a fresh connection
                # with fresh loaders (schema/read_retry.py); the pooled connections opened
                # before the loss are replaced as they are checked out (db/lost_connections.py).
                await request.state.database.release()
                context = context.fresh()
                result = await self.execute_once(request_adapter, context, request_data)
            self.persisted.remember(request_data, result, request)
            return result
        except InvalidOperationTypeError as error:
            if error.operation_type is OperationType.MUTATION:
                raise http.mutation_over_get() from error
            return http.request_error(
                "Subscriptions are served over WebSocket (graphql-transport-ws) and by POST "
                "with 'Accept: multipart/mixed;subscriptionSpec=1.0'."
            )
        except CannotGetOperationTypeError as error:
            return http.request_error(error.as_http_error_reason())
        except MissingQueryError:
            return http.request_error("Syntax Error: the document is empty.")

    async def execute_once(
        self,
        request_adapter: AsyncHTTPRequestAdapter,
        context: Context,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        return await self.schema.execute(
            request_data.query,
            variable_values=request_data.variables,
            context_value=context,
            operation_name=request_data.operation_name,
            allowed_operation_types=http.operation_types(request_adapter.method),
            operation_extensions=request_data.extensions,
        )

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        # Every error leaves with a code, even one that escaped the schema's ErrorCodes.
        errors = [with_code(error) for error in result.errors or []]
        body = process_result(ExecutionResult(result.data, errors or None, result.extensions))
        if http.is_request_error(result):
            del body["data"]
        return body

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        # Read back by create_response, which is not given the request.
        sub_response.media_type = http.negotiate(request.headers.get("accept")) or http.JSON
        # What a token reads is the viewer's: no shared cache may keep it, nor replay it to
        # another; anonymous GETs (hash-only APQ) stay cacheable.
        if isinstance(request, Request) and request.method == "GET" and _authorized(request):
            sub_response.headers["Cache-Control"] = PRIVATE
        return sub_response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        assert isinstance(response_data, dict), "batching is off"
        media_type = sub_response.media_type or http.JSON
        body = self.encode_json(response_data)
        if len(body) > self.settings.max_response_bytes:
            response_data = self.too_large()
            body = self.encode_json(response_data)
        status = sub_response.status_code or http.status_code(media_type, response_data)
        response = Response(body, status_code=status, media_type=http.content_type(media_type))
        response.headers.raw.extend(sub_response.headers.raw)
        response.headers.add_vary_header("Accept")
        if status == 503:
            response.headers["Retry-After"] = str(self.settings.retry_after)
        response.background = sub_response.background
        return response

    def too_large(self) -> GraphQLHTTPResponse:
        """The response that replaces one over the size cap (a request error, rule 9)."""
        record = current_request()
        if record is not None:
            record.error_codes = [RESPONSE_TOO_LARGE]
        limit = self.settings.max_response_bytes
        message = f"The response would be larger than {limit} bytes: ask for less."
        return {"errors": [{"message": message, "extensions": {"code": RESPONSE_TOO_LARGE}}]}

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        if isinstance(request, WebSocket):
            return websocket_context(request, self.database, self.settings)
        assert isinstance(request, Request) and isinstance(response, Response)
        # Every read of the request, a resolver's own or a loader batch, takes its turn on
        # the request's one connection (see __call__).
        database: Database = request.state.database
        return Context(
            request=request,
            response=response,
            database=database,
            settings=self.settings,
            loaders=Loaders.for_request(database),
            request_id=request.state.request_id,  # set by web.request_log.RequestLog
        )

    async def on_ws_connect(self, context: Context) -> None:
        assert isinstance(context, LiveContext)
        accept_connection(context)

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    def encode_json(self, data: Any) -> bytes:  # type: ignore[override]
        return orjson.dumps(data)
