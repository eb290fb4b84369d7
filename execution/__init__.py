"""How the server runs a validated query: a plan compiled once per document
(`compiled.py`), checked against graphql-core's executor by the test suite (`compare.py`).

The compiled executor reads graphql-core's internals (field collection, argument values,
its error helpers), which any release may change. It runs only on the graphql-core
releases it was tested on, SUPPORTED_GRAPHQL_CORE; on any other the server says so in
its log and runs every query on graphql-core's own executor, as Strawberry does.
"""

import logging
from importlib.metadata import version

from packaging.specifiers import SpecifierSet
from packaging.version import Version
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

SUPPORTED_GRAPHQL_CORE = SpecifierSet(">=3.3.2,<3.4")
EXECUTORS = ("compiled", "graphql-core", "compare")

logger = logging.getLogger("chat_api.execution")


def executor_class(
    name: str, graphql_core: str | None = None
) -> type[StrawberryGraphQLCoreExecutionContext]:
    """The executor named by GRAPHQL_EXECUTOR, on this graphql-core (the installed one)."""
    if name not in EXECUTORS:
        raise ValueError(f"GRAPHQL_EXECUTOR must be one of {', '.join(EXECUTORS)}, not {name!r}")
    if name == "graphql-core":
        return StrawberryGraphQLCoreExecutionContext
    installed = graphql_core or version("graphql-core")
    if Version(installed) not in SUPPORTED_GRAPHQL_CORE:
        logger.warning(
            "graphql-core %s is outside the range the compiled executor supports (%s): "
            "queries run on graphql-core's own executor instead (GRAPHQL_EXECUTOR=%s ignored).",
            installed,
            SUPPORTED_GRAPHQL_CORE,
            name,
        )
        return StrawberryGraphQLCoreExecutionContext
    # Imported only here: on another graphql-core, the import itself may fail.
    if name == "compare":
        from execution.compare import ComparingExecutor

        return ComparingExecutor
    from execution.compiled import CompiledExecutor

    return CompiledExecutor
