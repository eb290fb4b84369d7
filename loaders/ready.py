"""Loaded values at once, when the loader already holds them.

GraphQL awaits a resolver's result only when it is awaitable. A field that returns what
its loader already holds (a list resolver loads the whole page's keys in one batch
first) resolves without a task of its own; on a page of 200 rows, those tasks were most
of the request's time.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

Result = TypeVar("Result")


def _loaded(pending: Awaitable[Any]) -> bool:
    return (
        isinstance(pending, asyncio.Future)
        and pending.done()
        and not pending.cancelled()
        and pending.exception() is None
    )


def then(function: Callable[..., Result], *pending: Awaitable[Any]) -> Result | Awaitable[Result]:
    """`function` of the loaded values: at once when all are loaded, else once they are."""
    if len(pending) == 1:  # most fields read one loader: no generator for them
        if _loaded(pending[0]):
            return function(pending[0].result())  # type: ignore[attr-defined]
    elif all(_loaded(item) for item in pending):
        return function(*(item.result() for item in pending))  # type: ignore[attr-defined]

    async def later() -> Result:
        return function(*[await item for item in pending])

    return later()
