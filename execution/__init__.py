"""How the server runs a validated query: a plan compiled once per document
(`compiled.py`), checked against graphql-core's executor by the test suite (`compare.py`)."""

from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from execution.compare import ComparingExecutor
from execution.compiled import CompiledExecutor

EXECUTORS: dict[str, type[StrawberryGraphQLCoreExecutionContext]] = {
    "compiled": CompiledExecutor,
    "graphql-core": StrawberryGraphQLCoreExecutionContext,
    "compare": ComparingExecutor,
}


def executor_class(name: str) -> type[StrawberryGraphQLCoreExecutionContext]:
    """The executor named by GRAPHQL_EXECUTOR."""
    if name not in EXECUTORS:
        raise ValueError(f"GRAPHQL_EXECUTOR must be one of {', '.join(EXECUTORS)}, not {name!r}")
    return EXECUTORS[name]
