"""The /graphql endpoint: Strawberry's ASGI view, given this server's context, JSON and
the GraphQL-over-HTTP transport rules of `web.http` (see there for each rule)."""

from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.http.base import BaseRequestProtocol
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from context import Context
from db.engine import Database
from errors import BadUserInput
from loaders import Loaders
from schema import ChatSchema
from schema.extensions import with_code
from settings import Settings
from web import http
from web.graphiql import graphiql_page, uses_cdn


class GraphQLView(GraphQL[Context, None]):
    def __init__(self, schema: ChatSchema, database: Database, settings: Settings) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=True,
        )
        self.database = database
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = await self.run(self.admit(request))
        except HTTPException as error:
            response = self.error_response(request, error)
        except ClientDisconnect:
            return
        await response(scope, receive, send)

    def admit(self, request: Request) -> Request:
        """The request, if the method, Accept and Content-Type rules let it in (rules 1-6);
        its body is then read within the size limit as Strawberry asks for it."""
        http.check_method(request.method)
        if self.should_render_graphql_ide(request):
            return request
        http.acceptable(request.headers.get("accept"))
        if request.method == "GET":
            return request
        http.check_content_type(request.headers.get("content-type"))
        limit = self.settings.max_body_bytes
        http.check_declared_length(request.headers.get("content-length"), limit)
        return Request(request.scope, http.limit_body(request.receive, limit))

    def error_response(self, request: Request, error: HTTPException) -> Response:
        """A refused request, answered as a GraphQL response with the refusal's status."""
        body = {"errors": [{"message": error.reason, "extensions": {"code": BadUserInput.code}}]}
        media_type = http.negotiate(request.headers.get("accept")) or http.JSON
        headers = error.headers if isinstance(error, http.TransportError) else {}
        response = Response(
            self.encode_json(body),
            status_code=error.status_code,
            headers=headers,
            media_type=http.content_type(media_type),
        )
        response.headers.add_vary_header("Accept")
        return response

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        # With GraphiQL off, a GET without a query is a malformed request (400), not a 404.
        return self.graphql_ide is not None and super().should_render_graphql_ide(request)

    async def render_graphql_ide(self, request: Request) -> Response:
        # Our own page: it loads GraphiQL from this server (web.graphiql), not from a CDN.
        return HTMLResponse(graphiql_page(cdn=uses_cdn(self.settings)))

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        if request.method == "GET":
            present = {name: value for name, value in request.query_params.items() if value}
            return http.request_parameters(self.parse_query_params(present))
        return http.request_parameters(self.parse_json(await request.get_body()))

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
            return await self.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=http.operation_types(request_adapter.method),
                operation_extensions=request_data.extensions,
            )
        except InvalidOperationTypeError as error:
            if error.operation_type is OperationType.MUTATION:
                raise http.mutation_over_get() from error
            return http.request_error("Subscriptions are not served over HTTP.")
        except CannotGetOperationTypeError as error:
            return http.request_error(error.as_http_error_reason())
        except MissingQueryError:
            return http.request_error("Syntax Error: the document is empty.")

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
        return sub_response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        assert isinstance(response_data, dict), "batching is off"
        media_type = sub_response.media_type or http.JSON
        response = Response(
            self.encode_json(response_data),
            status_code=sub_response.status_code or http.status_code(media_type, response_data),
            media_type=http.content_type(media_type),
        )
        response.headers.raw.extend(sub_response.headers.raw)
        response.headers.add_vary_header("Accept")
        response.background = sub_response.background
        return response

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        assert isinstance(request, Request) and isinstance(response, Response)
        return Context(
            request=request,
            response=response,
            database=self.database,
            settings=self.settings,
            loaders=Loaders.for_request(self.database),
            request_id=request.state.request_id,  # set by web.request_log.RequestLog
        )

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    def encode_json(self, data: Any) -> bytes:  # type: ignore[override]
        return orjson.dumps(data)
