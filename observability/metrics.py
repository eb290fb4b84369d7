"""Prometheus metrics, and `/metrics` to scrape them (with METRICS=true; off by default).

Every metric is a module-level prometheus-client object that the parts of the server
update as things happen (never computed at scrape time), so that under
`server.py --workers N` each worker writes its own values into PROMETHEUS_MULTIPROC_DIR
(server.py makes one for the run) and any worker's `/metrics` sums them all. A worker
that stops removes its gauges' files (`process_exiting`, gauges are `livesum`).

Labels stay bounded: `operation` is the name of one of the server's own operations
(clients/operations, the trusted documents' manifest, GraphiQL's IntrospectionQuery),
`other` for any other name and `anonymous` without one; `outcome` is the request log's
(`ok`, `errors`, `http_<status>`, `exception`).
"""

import json
import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from graphql import OperationDefinitionNode, parse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import Response

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
MANIFEST = (
    Path(__file__).resolve().parents[1] / "clients/typescript/src/gql/persisted-documents.json"
)

REQUESTS = Histogram(
    "chat_api_request_duration_seconds",
    "GraphQL requests over HTTP by operation and outcome (_count), and their latency.",
    ["operation", "outcome"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
SQL_STATEMENTS = Histogram(
    "chat_api_request_sql_statements",
    "SQL statements each GraphQL request over HTTP sent, dataloader batches included.",
    ["operation"],
    buckets=(0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 50),
)
POOL_IN_USE = Gauge(
    "chat_api_db_pool_connections_in_use",
    "Connections of the database pool checked out now.",
    multiprocess_mode="livesum",
)
POOL_WAITING = Gauge(
    "chat_api_db_pool_waiting",
    "Callers waiting for a connection of the database pool now.",
    multiprocess_mode="livesum",
)
ADMISSION_QUEUE = Gauge(
    "chat_api_admission_queue_length",
    "GraphQL requests waiting for a request slot (MAX_IN_FLIGHT) now.",
    multiprocess_mode="livesum",
)
ADMISSION_REFUSALS = Counter(
    "chat_api_admission_refusals",
    "Requests refused by admission: busy (503), body_timeout (408), deadline (504).",
    ["reason"],
)
WEBSOCKETS = Gauge(
    "chat_api_websockets_open",
    "WebSocket connections open now.",
    multiprocess_mode="livesum",
)
SUBSCRIPTIONS = Gauge(
    "chat_api_subscriptions_active",
    "Subscriptions served now (WebSocket and multipart HTTP).",
    multiprocess_mode="livesum",
)
POLL_TICK = Histogram(
    "chat_api_live_poll_tick_seconds",
    "How long each tick of the live-updates poller took (its statements included).",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)
POLL_LAG = Histogram(
    "chat_api_live_poll_lag_seconds",
    "How late each poller tick started after it was due (a busy event loop shows here).",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
APQ = Counter(
    "chat_api_apq_lookups",
    "Automatic persisted queries sent by hash alone: hit (stored) or miss (NotFound).",
    ["result"],
)


for reason in ("busy", "body_timeout", "deadline"):
    ADMISSION_REFUSALS.labels(reason)  # each series at 0 from the start, for rate()
for result in ("hit", "miss"):
    APQ.labels(result)


def operation_names(documents: Iterable[str]) -> set[str]:
    names: set[str] = set()
    for document in documents:
        for definition in parse(document).definitions:
            if isinstance(definition, OperationDefinitionNode) and definition.name:
                names.add(definition.name.value)
    return names


@lru_cache(maxsize=1)
def known_operations(trusted: tuple[str, ...] = ()) -> frozenset[str]:
    """The server's own operation names: the committed manifest's and the trusted ones."""
    documents = list(trusted)
    if MANIFEST.exists():
        documents += json.loads(MANIFEST.read_text(encoding="utf-8")).values()
    return frozenset(operation_names(documents) | {"IntrospectionQuery"})


def operation_label(name: str | None, known: frozenset[str]) -> str:
    if name is None:
        return "anonymous"
    return name if name in known else "other"


def observe_request(operation: str, outcome: str, seconds: float, statements: int) -> None:
    REQUESTS.labels(operation, outcome).observe(seconds)
    SQL_STATEMENTS.labels(operation).observe(statements)


def exposition() -> bytes:
    """Every metric in Prometheus' text format: all workers' under multiprocess mode."""
    if os.environ.get(MULTIPROCESS_DIR):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def process_exiting() -> None:
    """A worker that stops leaves the sums: its live gauges' files go (multiprocess mode)."""
    if os.environ.get(MULTIPROCESS_DIR):
        multiprocess.mark_process_dead(os.getpid())


async def metrics_endpoint(_: Request) -> Response:
    return Response(exposition(), media_type=CONTENT_TYPE_LATEST)
