"""The request being served, wherever its work runs.

A context variable holds the request's `RequestRecord` while it runs. Context variables
follow the request into every task it starts (dataloader batches) and into SQLAlchemy's
greenlets, so that whatever counts or names the request's work (the SQL statement
counter, the GraphQL layer's operation name and error codes, the request log in `web/`)
finds the one record, even with many requests in flight.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class RequestRecord:
    request_id: str
    statements: int = 0
    operation: str | None = None
    error_codes: list[str] = field(default_factory=list)
    trace_id: str | None = None


_current: ContextVar[RequestRecord | None] = ContextVar("request_record", default=None)


def current_request() -> RequestRecord | None:
    return _current.get()


@contextmanager
def recording(record: RequestRecord) -> Iterator[None]:
    """`record` is the current request's in the block, and in every task started there."""
    token = _current.set(record)
    try:
        yield
    finally:
        _current.reset(token)
