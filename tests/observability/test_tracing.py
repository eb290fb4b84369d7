"""Traces, exported to opentelemetry-sdk's in-memory exporter: the tree of a real request."""

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, Tracer

from auth.tokens import issue_token
from db.engine import Database
from observability.tracing import exporters_from_env
from server import create_app
from settings import Settings
from tests.api import count_statements
from tests.clients.live_server import live_server
from tests.factories import Factory
from tests.subscriptions.client import ws_connection
from tests.subscriptions.world import World, make_world
from tests.web.test_request_log import line_for, request_lines

OPERATIONS = Path(__file__).resolve().parents[2] / "clients/operations"
SESSION_LIST = (OPERATIONS / "session_list.graphql").read_text()
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_ID}-01"


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    yield exporter
    exporter.shutdown()


@pytest.fixture
def tracer(exporter: InMemorySpanExporter) -> Tracer:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider.get_tracer("test")


@pytest.fixture
async def client(
    database: Database, settings: Settings, tracer: Tracer
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, database, tracer=tracer)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        yield client


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="chat_api.requests")
    return caplog


def children(spans: list[ReadableSpan], parent: ReadableSpan) -> list[ReadableSpan]:
    return [span for span in spans if span.parent and span.parent.span_id == parent.context.span_id]


def tree(spans: list[ReadableSpan]) -> str:
    """The spans as an indented outline, for failure messages (and the docs)."""
    ids = {span.context.span_id for span in spans}
    lines: list[str] = []

    def walk(span: ReadableSpan, depth: int) -> None:
        lines.append("  " * depth + f"{span.name} [{span.kind.name}]")
        for child in children(spans, span):
            walk(child, depth + 1)

    for root in [span for span in spans if span.parent is None or span.parent.span_id not in ids]:
        walk(root, 0)
    return "\n".join(lines)


async def session_list(client: httpx.AsyncClient, world: World, settings: Settings) -> Any:
    return await client.post(
        "/graphql",
        json={
            "query": SESSION_LIST,
            "variables": {"agentId": str(world.atlas.id), "scope": "ALL", "first": 10},
        },
        headers={
            "Authorization": f"Bearer {issue_token(world.ada.id, settings)}",
            "traceparent": TRACEPARENT,
        },
    )


async def test_a_request_is_a_tree_of_request_operation_and_statements(
    client: httpx.AsyncClient,
    database: Database,
    factory: Factory,
    settings: Settings,
    exporter: InMemorySpanExporter,
    logs: pytest.LogCaptureFixture,
) -> None:
    """The request's span continues the caller's trace; the operation's span is its child,
    named after the operation; each SQL statement is one child of that, and nothing else."""
    world = await make_world(factory)
    with count_statements(database) as statements:
        response = await session_list(client, world, settings)

    assert response.status_code == 200 and "errors" not in response.json()
    spans = list(exporter.get_finished_spans())
    outline = tree(spans)
    (request,) = [span for span in spans if span.kind is SpanKind.SERVER]
    assert request.name == "POST /graphql", outline
    assert request.parent is not None and request.parent.is_remote
    assert format(request.parent.span_id, "016x") == PARENT_ID
    assert {format(span.context.trace_id, "032x") for span in spans} == {TRACE_ID}
    assert request.attributes["http.response.status_code"] == 200
    (operation,) = children(spans, request)
    assert operation.name == "query SessionList", outline
    assert dict(operation.attributes) == {
        "graphql.operation.type": "query",
        "graphql.operation.name": "SessionList",
        "graphql.outcome": "ok",
    }
    sql = children(spans, operation)
    assert len(sql) == len(statements) >= 3, outline
    assert all(span.kind is SpanKind.CLIENT and not children(spans, span) for span in sql)
    assert sorted(
        " ".join(str(span.attributes["db.query.text"]).split()) for span in sql
    ) == sorted(statements.statements)
    assert {span.attributes["db.system.name"] for span in sql} == {database.dialect}
    assert len(spans) == 2 + len(statements), outline
    assert line_for(logs, response)["trace_id"] == TRACE_ID


async def test_an_operation_with_errors_says_so(
    client: httpx.AsyncClient, exporter: InMemorySpanExporter, logs: pytest.LogCaptureFixture
) -> None:
    """Without a traceparent a request starts a trace of its own; its id is in the log."""
    response = await client.post("/graphql", json={"query": "query Viewer { viewer { id } }"})

    spans = list(exporter.get_finished_spans())
    (request,) = [span for span in spans if span.kind is SpanKind.SERVER]
    (operation,) = children(spans, request)
    assert request.parent is None
    assert operation.name == "query Viewer"
    assert operation.attributes["graphql.outcome"] == "errors"
    assert list(operation.attributes["graphql.error_codes"]) == ["UNAUTHENTICATED"]
    assert line_for(logs, response)["trace_id"] == format(request.context.trace_id, "032x")


async def test_with_tracing_off_the_callers_trace_id_is_still_logged(
    api: Any, logs: pytest.LogCaptureFixture
) -> None:
    """No tracer, no spans: the request's traceparent still ties its log line to the trace."""
    response = await api.post("{ __typename }", headers={"traceparent": TRACEPARENT})

    assert line_for(logs, response)["trace_id"] == TRACE_ID


@pytest.mark.parametrize(
    ("environ", "kinds"),
    [
        pytest.param({}, [], id="nothing-set"),
        pytest.param(
            {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, [OTLPSpanExporter], id="otlp"
        ),
        pytest.param({"OTEL_TRACES_EXPORTER": "console"}, [ConsoleSpanExporter], id="console"),
        pytest.param(
            {"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"},
            [],
            id="none",
        ),
        pytest.param(
            {"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, [], id="disabled"
        ),
    ],
)
def test_tracing_is_off_unless_the_otel_variables_ask(
    environ: dict[str, str], kinds: list[type]
) -> None:
    """The standard variables decide; with none of them set, nothing is exported."""
    assert [type(exporter) for exporter in exporters_from_env(environ)] == kinds


def test_an_unknown_exporter_is_refused() -> None:
    with pytest.raises(ValueError, match="OTEL_TRACES_EXPORTER"):
        exporters_from_env({"OTEL_TRACES_EXPORTER": "zipkin"})


async def test_a_request_outside_graphql_has_no_operation_span(
    client: httpx.AsyncClient, exporter: InMemorySpanExporter
) -> None:
    """A probe is one span; an unknown path is named by its method alone."""
    await client.get("/healthz")
    await client.get("/no/such/path/1234")

    names = sorted(span.name for span in exporter.get_finished_spans())
    assert names == ["GET", "GET /healthz"]


async def test_a_websocket_operation_continues_the_upgrades_trace(
    database: Database,
    factory: Factory,
    settings: Settings,
    tracer: Tracer,
    exporter: InMemorySpanExporter,
    logs: pytest.LogCaptureFixture,
) -> None:
    """An operation on a WebSocket is a span of its own (the connection has none), a child
    of the upgrade request's traceparent, with its statements under it; its log line
    carries the trace id."""
    world = await make_world(factory)
    app = create_app(settings, database, tracer=tracer)
    async with live_server(app) as url:
        token = issue_token(world.cleo.id, settings)
        async with ws_connection(url, token, headers={"traceparent": TRACEPARENT}) as ws:
            id = await ws.subscribe("query Me { viewer { displayName } }")
            assert (await ws.next_data(id))["viewer"]["displayName"] == "Cleo"
    await app.state.live.close()

    spans = list(exporter.get_finished_spans())
    (operation,) = [span for span in spans if span.name == "query Me"]
    assert operation.parent is not None and format(operation.parent.span_id, "016x") == PARENT_ID
    assert format(operation.context.trace_id, "032x") == TRACE_ID
    sql = children(spans, operation)
    assert sql and all(span.kind is SpanKind.CLIENT for span in sql)
    assert len(spans) == 1 + len(sql), tree(spans)
    (line,) = [line for line in request_lines(logs) if line.get("operation_id") == id]
    assert line["trace_id"] == TRACE_ID
