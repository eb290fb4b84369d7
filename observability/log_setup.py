"""Logging as the operator chose it: `LOG_LEVEL` and `LOG_FORMAT`, or uvicorn's `--log-config`.

`text` keeps the classic `LEVEL logger: message` lines (the request log's message is its
JSON). `json` writes one JSON object per line for every logger, uvicorn's included: the
time, level, logger and message, a request line's own fields at the top level instead of
its message, the current trace id (when a span is current) and any traceback.
"""

import logging
from datetime import UTC, datetime

import orjson
from opentelemetry import trace

from settings import Settings

LOG_FORMATS = ("json", "text")
TEXT_FORMAT = "%(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        else:
            line["message"] = record.getMessage()
        if line.get("trace_id") is None:
            span = trace.get_current_span().get_span_context()
            if span.is_valid:
                line["trace_id"] = trace.format_trace_id(span.trace_id)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """Ours, so that configuring again replaces it and leaves any other handler alone."""


def configure_logging(settings: Settings) -> None:
    """Send every log to stderr at LOG_LEVEL in LOG_FORMAT; with LOG_CONFIG, uvicorn has
    applied that file (in each worker too) and it decides everything."""
    if settings.log_config:
        return
    if settings.log_format not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT is json or text, not {settings.log_format!r}.")
    level = logging.getLevelName(settings.log_level)
    if not isinstance(level, int):
        raise ValueError(f"LOG_LEVEL is DEBUG, INFO, WARNING or ERROR, not {settings.log_level!r}.")
    handler = _Handler()
    handler.setFormatter(
        JsonFormatter() if settings.log_format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    root = logging.getLogger()
    for old in [old for old in root.handlers if isinstance(old, _Handler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
