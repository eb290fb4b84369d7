"""Slow clients and connection floods, stopped where uvicorn reads the socket.

uvicorn closes idle keep-alive connections (`timeout_keep_alive`) but gives a request's
headers all the time in the world: a client sending one byte a second holds its socket
forever, and enough of them run the process out of file descriptors. The app cannot help,
since it is called only once the headers are complete. So this protocol (uvicorn's h11
one) adds two rules:

- Headers complete within `header_timeout`: of the connection's opening, or of the
  previous response on a keep-alive connection. Else the connection is closed.
- At most `max_connections` open connections per process: one more is answered 503 and
  closed at once, before it is read.

Each closed connection is logged once. The body's own deadline is an ASGI rule
(`web/admission.py`), so it holds under any server.

`python server.py` uses it, with one worker or several; with uvicorn itself, pass
`--http web.slow_clients:GuardedH11Protocol` (the limits then come from the environment).
"""

import asyncio
import functools
import logging
from typing import ClassVar

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


class GuardedH11Protocol(H11Protocol):
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
        if self.header_timer is not None:
            self.header_timer.cancel()
        super().connection_lost(exc)

    def arm_header_timer(self) -> None:
        if self.header_timer is not None:
            self.header_timer.cancel()
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


def guarded_protocol(settings: Settings) -> type[GuardedH11Protocol]:
    """The protocol with the limits of `settings` (one process: tests, a single worker)."""
    return type("GuardedH11Protocol", (GuardedH11Protocol,), {"settings": settings})
