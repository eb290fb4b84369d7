"""The compiled executor runs only on the graphql-core releases it supports."""

import logging

import pytest
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from execution import SUPPORTED_GRAPHQL_CORE, executor_class
from execution.compare import ComparingExecutor
from execution.compiled import CompiledExecutor


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("compiled", CompiledExecutor),
        ("compare", ComparingExecutor),
        ("graphql-core", StrawberryGraphQLCoreExecutionContext),
    ],
)
def test_the_installed_graphql_core_runs_the_executor_asked_for(
    name: str, expected: type, caplog: pytest.LogCaptureFixture
) -> None:
    assert executor_class(name) is expected
    assert caplog.records == []


@pytest.mark.parametrize("release", ["3.3.1", "3.4.0", "3.2.6", "4.0.0a1"])
@pytest.mark.parametrize("name", ["compiled", "compare"])
def test_another_graphql_core_falls_back_with_a_warning(
    release: str, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    assert release not in SUPPORTED_GRAPHQL_CORE
    with caplog.at_level(logging.WARNING, logger="chat_api.execution"):
        assert executor_class(name, release) is StrawberryGraphQLCoreExecutionContext

    [record] = caplog.records
    assert f"graphql-core {release} is outside the range" in record.getMessage()
    assert f"GRAPHQL_EXECUTOR={name} ignored" in record.getMessage()


def test_an_unknown_executor_is_refused() -> None:
    with pytest.raises(ValueError, match="GRAPHQL_EXECUTOR must be one of"):
        executor_class("fast")
