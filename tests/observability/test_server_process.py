"""What an operator sets on `python server.py`: log level and format, uvicorn's log config,
the proxies trusted for X-Forwarded-For, and metrics summed across `--workers`."""

import asyncio
import json
import sys
from pathlib import Path

import httpx
import pytest

from tests.clients.tools import REPO
from tests.observability.scrape import scrape
from tests.observability.server_process import server

FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}


async def post(url: str, headers: dict[str, str] | None = None) -> httpx.Response:
    async with httpx.AsyncClient(base_url=url) as client:
        return await client.post(
            "/graphql", json={"query": "query Probe { __typename }"}, headers=headers or {}
        )


async def logged(served: object, response: httpx.Response) -> dict[str, object]:
    """The request log's JSON line for `response` (the log is written just after it)."""
    request_id = response.headers["x-request-id"]
    for _ in range(50):
        lines = [line for line in served.requests() if line["request_id"] == request_id]  # type: ignore[attr-defined]
        if lines:
            return lines[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no log line for {request_id}")


async def test_json_logs_and_a_forwarded_address_from_a_trusted_proxy(tmp_path: Path) -> None:
    """LOG_FORMAT=json: every line on stderr is a JSON object, uvicorn's too; a request
    that came through a proxy in FORWARDED_ALLOW_IPS is logged with the client's address."""
    async with server(tmp_path, LOG_FORMAT="json", FORWARDED_ALLOW_IPS="127.0.0.1") as served:
        response = await post(served.url, FORWARDED)
        line = await logged(served, response)

    assert line["client"] == "203.0.113.9"
    assert line["operation"] == "Probe" and line["status"] == 200
    assert {"time", "level", "logger"} <= set(line)
    assert "message" not in line  # the fields are the line, not a JSON string inside it
    loggers = {entry["logger"] for entry in served.json_lines()}
    assert {"chat_api.requests", "uvicorn.error"} <= loggers
    assert all(entry.startswith("{") for entry in served.lines() if entry.strip())


@pytest.mark.parametrize(
    ("args", "env"),
    [
        pytest.param((), {"FORWARDED_ALLOW_IPS": "10.1.2.3"}, id="variable"),
        pytest.param(("--forwarded-allow-ips", "10.1.2.3"), {}, id="flag"),
    ],
)
async def test_a_forwarded_address_from_an_untrusted_peer_is_ignored(
    tmp_path: Path, args: tuple[str, ...], env: dict[str, str]
) -> None:
    """The same headers from a peer that is not an allowed proxy change nothing."""
    async with server(tmp_path, *args, LOG_FORMAT="json", **env) as served:
        response = await post(served.url, FORWARDED)
        line = await logged(served, response)

    assert line["client"] == "127.0.0.1"


async def test_log_level_leaves_out_what_is_below_it(tmp_path: Path) -> None:
    """LOG_LEVEL=WARNING: no request lines (INFO), the server still answers."""
    async with server(tmp_path, LOG_LEVEL="WARNING", LOG_FORMAT="json") as served:
        response = await post(served.url)
        await asyncio.sleep(0.3)

    assert response.status_code == 200
    levels = {line["level"] for line in served.json_lines()}
    assert levels <= {"WARNING", "ERROR", "CRITICAL"} and not served.requests()


async def test_a_log_config_file_is_uvicorns_to_apply(tmp_path: Path) -> None:
    """`--log-config FILE` is accepted and decides the handlers: here, pure request lines
    in a file of their own."""
    requests = tmp_path / "requests.jsonl"
    config = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"bare": {"format": "%(message)s"}},
        "handlers": {
            "requests": {
                "class": "logging.FileHandler",
                "filename": str(requests),
                "formatter": "bare",
            }
        },
        "loggers": {
            "chat_api.requests": {"handlers": ["requests"], "level": "INFO", "propagate": False}
        },
    }
    path = tmp_path / "logging.json"
    path.write_text(json.dumps(config))

    async with server(tmp_path, "--log-config", str(path)) as served:
        response = await post(served.url)
        for _ in range(100):  # the line is written just after the response
            lines = [json.loads(line) for line in requests.read_text().splitlines()]
            if response.headers["x-request-id"] in {line["request_id"] for line in lines}:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError(f"no line for the request in {requests}")
    assert not any(line.startswith("{") for line in served.lines())  # not on stderr too


@pytest.mark.parametrize(
    ("env", "args", "message"),
    [
        pytest.param({"LOG_FORMAT": "xml"}, (), "LOG_FORMAT", id="format"),
        pytest.param({"LOG_LEVEL": "LOUD"}, (), "LOG_LEVEL", id="level"),
        pytest.param({}, ("--log-config", "/no/such/file.json"), "log config", id="config"),
    ],
)
async def test_a_bad_log_setting_stops_the_server_with_a_message(
    tmp_path: Path, env: dict[str, str], args: tuple[str, ...], message: str
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "server.py",
        *args,
        cwd=REPO,
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "PATH": "/usr/bin", **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await process.communicate()

    assert process.returncode == 2
    assert message in stderr.decode() and "Traceback" not in stderr.decode()


@pytest.mark.parametrize("given", [False, True], ids=["own-directory", "operators-directory"])
async def test_metrics_are_summed_across_workers(tmp_path: Path, given: bool) -> None:
    """`--workers 2` with METRICS=true: each worker writes its metrics to the run's
    multiprocess directory (server.py's own, or PROMETHEUS_MULTIPROC_DIR), and any
    worker's /metrics counts every worker's requests."""
    directory = tmp_path / "metrics"
    env = {"PROMETHEUS_MULTIPROC_DIR": str(directory)} if given else {}
    if given:
        directory.mkdir()
        (directory / "histogram_1.db").write_bytes(b"stale")  # a previous run's: removed
    sent = 40
    async with server(tmp_path, "--workers", "2", METRICS="true", **env) as served:
        for _ in range(sent):  # a connection each, so the kernel spreads them over both
            async with httpx.AsyncClient(base_url=served.url) as client:
                response = await client.post("/graphql", json={"query": "{ __typename }"})
                assert response.status_code == 200
        totals = []
        for _ in range(100):  # each worker counts a request just after answering it
            async with httpx.AsyncClient(base_url=served.url) as client:
                scraped = await scrape(client)
            name = "chat_api_request_duration_seconds_count"
            if scraped.value(name, operation="anonymous", outcome="ok") == sent:
                break
            await asyncio.sleep(0.05)
        for _ in range(6):
            async with httpx.AsyncClient(base_url=served.url) as client:
                scraped = await scrape(client)
            totals.append(
                scraped.value(
                    "chat_api_request_duration_seconds_count", operation="anonymous", outcome="ok"
                )
            )
        written = sorted(path.name for path in directory.glob("histogram_*.db")) if given else []

    assert totals == [sent] * 6
    if given:
        assert "histogram_1.db" not in written
        assert len(written) == 2, written  # both workers counted requests
        # Stopped workers leave no gauge behind: a restarted one would not add to them.
        assert not list(directory.glob("gauge_livesum_*.db"))
