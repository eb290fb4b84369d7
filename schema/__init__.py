"""The GraphQL schema: the contract's types, with the server's limits and error rules."""

import logging
from collections.abc import Callable
from functools import partial

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.types import ExecutionContext

from schema.extensions import ErrorCodes, is_unexpected
from schema.mutations import Mutation
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
    # (the parser and validation caches themselves are process-wide).
    extensions: list[Callable[[], SchemaExtension]] = [
        ErrorCodes,
        partial(ParserCache, maxsize=1024),
        partial(ValidationCache, maxsize=1024),
        partial(QueryDepthLimiter, max_depth=settings.max_query_depth),
        partial(MaxAliasesLimiter, max_alias_count=settings.max_aliases),
        partial(MaxTokensLimiter, max_token_count=settings.max_tokens),
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    return ChatSchema(query=Query, mutation=Mutation, extensions=extensions)
