"""The GraphQL schema: the contract's types, with the server's limits and error rules."""

import logging
import re
from collections.abc import Callable
from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError
from graphql.utilities.print_schema import print_schema_definition
from opentelemetry.trace import Tracer
from strawberry.extensions import (
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from execution import executor_class
from schema.cost import CostLimit
from schema.extensions import ErrorCodes, is_unexpected
from schema.limits import AliasLimit, IntrospectionLimit, IntrospectionNeedsToken, QueryDepthLimit
from schema.mutations import Mutation
from schema.operation_choice import NamedOperationChoice
from schema.operation_log import OperationLog
from schema.operation_span import OperationSpan
from schema.query import Query
from schema.read_retry import LostConnectionRetry
from schema.run_events import RUN_EVENT_TYPES
from schema.scalars import SCALARS
from schema.subscriptions import StreamErrorCodes, Subscription
from settings import Settings

logger = logging.getLogger("chat_api.errors")

DESCRIPTION = """\
The chat sessions of the AI-agent platform: list an agent's sessions, read their messages \
(tool calls parsed), create, rename, delete and mark sessions read, and follow them live.

Every operation but introspection needs `Authorization: Bearer <token>`, a token the \
platform issued. Everything read is scoped to the viewer's tenant. A query error carries \
extensions.code: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (also for another tenant's \
objects), BAD_USER_INPUT or INTERNAL_SERVER_ERROR; a mutation returns the failures a user \
can cause as members of its result union. Ids are the platform's UUIDs: every Node can be \
fetched again by its id alone with Query.node or Query.nodes."""


class ChatSchema(strawberry.Schema):
    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # Strawberry takes no schema description: graphql-core's schema holds it, so that
        # introspection (GraphiQL's docs pane) shows it.
        self._schema.description = DESCRIPTION

    def as_str(self) -> str:
        """The SDL, with the schema's description, which Strawberry's printer leaves out."""
        sdl = super().as_str()
        if re.search(r"^schema[ @{]", sdl, re.MULTILINE):
            return sdl  # Strawberry printed a schema definition itself (it has no description)
        return f"{print_schema_definition(self._schema)}\n\n{sdl}"

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log unexpected errors whole, with the request id; expected ones are the client's."""
        context = execution_context.context if execution_context else None
        request_id = getattr(context, "request_id", None)
        for error in errors:
            if is_unexpected(error):
                logger.error(
                    "unexpected error in request %s at %s",
                    request_id,
                    error.path,
                    exc_info=error.original_error,
                )


def create_schema(settings: Settings, tracer: Tracer | None = None) -> ChatSchema:
    # Factories, not instances: Strawberry builds fresh extensions for every request
    # (the parser and validation caches themselves are process-wide). OperationLog comes
    # first so that it sees the result last, with its final error codes.
    extensions: list[Callable[[], SchemaExtension]] = [
        OperationLog,
        ErrorCodes,
        LostConnectionRetry,
        NamedOperationChoice,
        partial(ParserCache, maxsize=1024),
        partial(ValidationCache, maxsize=1024),
        partial(QueryDepthLimit, max_depth=settings.max_query_depth),
        partial(AliasLimit, max_aliases=settings.max_aliases),
        partial(MaxTokensLimiter, max_token_count=settings.max_tokens),
        partial(CostLimit, max_cost=settings.max_query_cost),
        StreamErrorCodes,
    ]
    if tracer is not None:
        extensions.insert(0, partial(OperationSpan, tracer=tracer))  # ends last
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    else:
        extensions.append(IntrospectionLimit)
        if settings.introspection_requires_token:
            extensions.append(partial(IntrospectionNeedsToken, settings=settings))
    # Batching stays off (no batching_config): a JSON array of operations is refused.
    # Without introspection, "Did you mean …?" suggestions would leak field names.
    config = StrawberryConfig(
        disable_field_suggestions=not settings.introspection, scalar_map=SCALARS
    )
    return ChatSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=RUN_EVENT_TYPES,
        extensions=extensions,
        config=config,
        execution_context_class=executor_class(settings.executor),
    )
