"""The GraphQL schema: the contract's types, with the server's limits and error rules."""

import logging
from collections.abc import Callable
from functools import partial

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from schema.cost import CostLimit
from schema.extensions import ErrorCodes, is_unexpected
from schema.limits import AliasLimit, QueryDepthLimit
from schema.mutations import Mutation
from schema.operation_choice import NamedOperationChoice
from schema.operation_log import OperationLog
from schema.query import Query
from settings import Settings

logger = logging.getLogger("chat_api.errors")


class ChatSchema(strawberry.Schema):
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


def create_schema(settings: Settings) -> ChatSchema:
    # Factories, not instances: Strawberry builds fresh extensions for every request
    # (the parser and validation caches themselves are process-wide). OperationLog comes
    # first so that it sees the result last, with its final error codes.
    extensions: list[Callable[[], SchemaExtension]] = [
        OperationLog,
        ErrorCodes,
        NamedOperationChoice,
        partial(ParserCache, maxsize=1024),
        partial(ValidationCache, maxsize=1024),
        partial(QueryDepthLimit, max_depth=settings.max_query_depth),
        partial(AliasLimit, max_aliases=settings.max_aliases),
        partial(MaxTokensLimiter, max_token_count=settings.max_tokens),
        partial(CostLimit, max_cost=settings.max_query_cost),
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    # Batching stays off (no batching_config): a JSON array of operations is refused.
    # Without introspection, "Did you mean …?" suggestions would leak field names.
    config = StrawberryConfig(disable_field_suggestions=not settings.introspection)
    return ChatSchema(query=Query, mutation=Mutation, extensions=extensions, config=config)
