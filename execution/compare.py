"""The proof that the compiled executor answers as graphql-core does.

With `GRAPHQL_EXECUTOR=compare` (the test suite's setting), every query runs twice: on
the compiled plan, then on Strawberry's own graphql-core executor with a fresh context
(fresh loaders, so that each run reads and batches for itself). The data must be equal,
key order included, and so must the errors: message, path, locations, extensions and
the kind of exception behind each. A difference is an `ExecutorMismatch`: the request
fails with an internal error and the difference is kept in `MISMATCHES`, which the
test suite checks after every test. The compiled result is the one answered.

A run that meets a database failure (a timeout, a lost connection) is not compared: the
two runs would not see the same database. Nor is a run inside `comparison_paused()`,
where a test counts the statements a request sends: it counts the compiled run's alone.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol, Self

import orjson
from graphql import GraphQLError
from graphql.execution import ExecutionResult
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from db.failures import database_failure
from db.lost_connections import connection_lost
from execution.compiled import CompiledExecutor

MISMATCHES: list[str] = []
"""Every difference found in this process, for the test suite to report."""

_paused: ContextVar[bool] = ContextVar("comparison_paused", default=False)


@contextmanager
def comparison_paused() -> Iterator[None]:
    """Queries run once, compiled, in this block (and the tasks it starts)."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


class FreshContext(Protocol):
    def fresh(self) -> Self:
        """The same request's context, with nothing cached: for a second run."""


class ExecutorMismatch(AssertionError):
    """The compiled executor and graphql-core's answered the same query differently."""


class ComparingExecutor(CompiledExecutor):
    def execute_operation(self, serially: bool | None = None) -> Any:
        if _paused.get() or self._root_plan() is None:
            return super().execute_operation(serially)
        compiled = super().execute_operation(serially)
        if self.is_awaitable(compiled):
            return self._compare_later(compiled)
        return self._compare(compiled, self._reference().execute_operation(serially))

    async def _compare_later(self, compiled: Any) -> ExecutionResult:
        result = await compiled
        if _met_database_failure(result):
            return result
        reference = self._reference().execute_operation()
        if self.is_awaitable(reference):
            reference = await reference
        return self._compare(result, reference)

    def _compare(self, compiled: ExecutionResult, reference: Any) -> ExecutionResult:
        if self.is_awaitable(reference):
            raise ExecutorMismatch("graphql-core's run was asynchronous, the compiled one not")
        if _met_database_failure(compiled) or _met_database_failure(reference):
            return compiled
        expected, found = _comparable(reference), _comparable(compiled)
        if expected != found:
            document = self.operation.loc.source.body if self.operation.loc else ""
            difference = (
                f"the compiled executor differs from graphql-core's on\n{document}"
                f"\n  graphql-core: {expected}\n  compiled:     {found}"
            )
            MISMATCHES.append(difference)
            raise ExecutorMismatch(difference)
        return compiled

    def _reference(self) -> StrawberryGraphQLCoreExecutionContext:
        context: FreshContext = self.context_value
        return StrawberryGraphQLCoreExecutionContext(
            self.schema,
            self.fragment_definitions,
            self.fragments,
            self.root_value,
            context.fresh(),
            self.operation,
            self.variable_values,
            self.field_resolver,
            self.type_resolver,
            self.subscribe_field_resolver,
            self.enable_early_execution,
            self.middleware_manager,
            self.is_awaitable,
            self.is_async_iterable,
            self.hide_suggestions,
            self.abort_signal,
            self.hooks,
            operation_extensions=self.operation_extensions,
        )


def _comparable(result: ExecutionResult) -> tuple[bytes, list[bytes]]:
    """The data as its JSON (so key order counts) and the errors as a sorted list: their
    order follows the order awaitables finish in, which the spec leaves open."""
    errors = sorted(_error(error) for error in result.errors or ())
    return orjson.dumps(result.data), errors


def _error(error: GraphQLError) -> bytes:
    original = error.original_error
    kind = None if original is None else f"{type(original).__module__}.{type(original).__name__}"
    return orjson.dumps({**error.formatted, "original": kind}, option=orjson.OPT_SORT_KEYS)


def _met_database_failure(result: ExecutionResult) -> bool:
    return any(
        database_failure(error.original_error) or connection_lost(error.original_error)
        for error in result.errors or ()
    )
