"""The /graphql endpoint: Strawberry's ASGI view, given this server's context and JSON."""

import uuid
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from context import Context
from db.engine import Database
from loaders import Loaders
from schema import ChatSchema
from settings import Settings


class GraphQLView(GraphQL[Context, None]):
    def __init__(self, schema: ChatSchema, database: Database, settings: Settings) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=True,
        )
        self.database = database
        self.settings = settings

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
            request_id=request.headers.get("x-request-id") or uuid.uuid4().hex,
        )

    def encode_json(self, data: Any) -> bytes:  # type: ignore[override]
        return orjson.dumps(data)
