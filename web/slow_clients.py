"""Slow clients and connection floods, stopped where uvicorn reads the socket.

uvicorn closes idle keep-alive connections (`timeout_keep_alive`) but gives a request's
headers all the time in the world: a client sending one byte a second holds its socket
forever, and enough of them run the process out of file descriptors. The app cannot help,
since it is called only once the headers are complete. So this protocol (uvicorn's h11
one) adds two rules:

- Headers complete within `header_timeout`: of the connection's opening, or of the
  previous response on a keep-alive connection. Else the connection is closed. A
  connection upgraded to a WebSocket has no such timer any more.
- At most `max_connections` open connections per process: one more is answered 503 and
  closed at once, before it is read.

Each closed connection is logged once. The body's own deadline is an ASGI rule
(`web/admission.py`), so it holds under any server.

The rules sit on both of uvicorn's HTTP parsers: httptools (C, the faster) when it is
installed, else h11. `python server.py` uses the guarded protocol, with one worker or
several; with uvicorn itself, pass `--http web.slow_clients:GuardedHttpToolsProtocol` (or
`GuardedH11Protocol`; the limits then come from the environment).
"""

import asyncio
import functools
import logging
from typing import TYPE_CHECKING, ClassVar

from uvicorn.protocols.http.h11_impl import H11Protocol

from settings import Settings

logger = logging.getLogger("chat_api.slow_clients")

TOO_MANY = (
    b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n"
    b"Content-Length: 0\r\nConnection: close\r\n\r\n"
)


@functools.cache
def _settings_from_env() -> Settings:
    return Settings.from_env()


if TYPE_CHECKING:
    _Protocol = H11Protocol
else:
    _Protocol = object


class _Guard(_Protocol):
    """The two rules, over either parser's protocol (both keep `cycle`, `connections`,
    `transport`, `loop` and call `on_response_complete` the same way)."""

    settings: ClassVar[Settings | None] = None
    """The limits; None reads them from the environment (for uvicorn's worker processes)."""

    header_timer: asyncio.TimerHandle | None = None

    @property
    def limits(self) -> Settings:
        return self.settings or _settings_from_env()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            self.close(f"more than {self.limits.max_connections} connections open", TOO_MANY)
            return
        self.arm_header_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self.arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self.cancel_header_timer()
        super().connection_lost(exc)

    def handle_websocket_upgrade(self, *event: object) -> None:
        # The socket is the WebSocket protocol's from now on: it lives until the client
        # closes it, its token expires or the server drains, not within a header timeout.
        self.cancel_header_timer()
        super().handle_websocket_upgrade(*event)  # type: ignore[arg-type]

    def cancel_header_timer(self) -> None:
        if self.header_timer is not None:
            self.header_timer.cancel()
            self.header_timer = None

    def arm_header_timer(self) -> None:
        self.cancel_header_timer()
        self.header_timer = self.loop.call_later(self.limits.header_timeout, self.headers_late)

    def headers_late(self) -> None:
        waiting_for_headers = self.cycle is None or self.cycle.response_complete
        if waiting_for_headers and not self.transport.is_closing():
            self.close(f"the request headers did not arrive within {self.limits.header_timeout} s")

    def close(self, reason: str, answer: bytes = b"") -> None:
        client = f"{self.client[0]}:{self.client[1]}" if self.client else "?"
        logger.warning("closed a connection from %s: %s", client, reason)
        self.transport.write(answer)
        self.transport.close()


class GuardedH11Protocol(_Guard, H11Protocol):
    pass


try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # httptools is not installed
    GuardedHttpToolsProtocol: type[_Guard] | None = None
else:

    class GuardedHttpToolsProtocol(_Guard, HttpToolsProtocol):  # type: ignore[no-redef]
        pass


PARSERS = {"h11": GuardedH11Protocol} | (
    {"httptools": GuardedHttpToolsProtocol} if GuardedHttpToolsProtocol else {}
)
"""The guarded protocols there are, by parser; `DEFAULT` the one servers use."""
DEFAULT = "httptools" if "httptools" in PARSERS else "h11"


def guarded_protocol(settings: Settings, parser: str = DEFAULT) -> type[_Guard]:
    """The protocol with the limits of `settings` (one process: tests, a single worker)."""
    base = PARSERS[parser]
    return type(base.__name__, (base,), {"settings": settings})
