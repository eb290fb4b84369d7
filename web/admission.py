"""Admission: what a request gets through before the app spends anything on it.

1. Its body arrives within `body_timeout` (a slow body holds a socket, never a request
   slot): else 408, and the connection is closed. Bodies are buffered, up to the size
   limit that `web.http` enforces.
2. A request slot frees within `queue_timeout`: at most `max_in_flight` GraphQL requests
   run at once in a process, so that each gets a database connection (the pool is sized
   for them) instead of queueing in the pool: else 503 with `Retry-After`.
3. It runs within its deadline, `request_timeout` after it was admitted to the queue:
   else 504. The database's own timeouts (`db/engine.py`) end most waits before that.

Refusals are GraphQL responses with a code of their own (`errors.py`). Probes and
GraphiQL's files pass the queue and the deadline: a busy server still says it is alive.
"""

import asyncio
import logging

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from errors import DEADLINE_EXCEEDED, SERVICE_UNAVAILABLE, BadUserInput
from observability.metrics import ADMISSION_QUEUE, ADMISSION_REFUSALS
from observability.request_record import current_request
from settings import Settings
from web import http
from web.subscriptions import wants_multipart_subscription

logger = logging.getLogger("chat_api.slow_clients")

GRAPHQL_PATH = "/graphql"


class Admission:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.slots = asyncio.Semaphore(settings.max_in_flight)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        try:
            receive = await self.buffered_body(headers, receive)
        except TimeoutError:
            client = scope.get("client")
            logger.warning(
                "closed a connection from %s: the request body did not arrive within %s s",
                client[0] if client else "?",
                self.settings.body_timeout,
            )
            ADMISSION_REFUSALS.labels("body_timeout").inc()
            message = f"The request body did not arrive within {self.settings.body_timeout} s."
            await refuse(send, headers, 408, BadUserInput.code, message, {"Connection": "close"})
            return
        if scope["path"] != GRAPHQL_PATH or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        if wants_multipart_subscription(headers.get("accept")):
            # A subscription's stream lives as long as the client wants: it holds no
            # request slot and has no deadline (web/subscriptions.py has its own caps).
            await self.app(scope, receive, send)
            return
        deadline = asyncio.get_running_loop().time() + self.settings.request_timeout
        queued = self.slots.locked()  # no slot free: this request waits in the queue
        if queued:
            ADMISSION_QUEUE.inc()
        try:
            async with asyncio.timeout(self.settings.queue_timeout):
                await self.slots.acquire()
        except TimeoutError:
            ADMISSION_REFUSALS.labels("busy").inc()
            retry = {"Retry-After": str(self.settings.retry_after)}
            message = "The server is busy: retry shortly."
            await refuse(send, headers, 503, SERVICE_UNAVAILABLE, message, retry)
            return
        finally:
            if queued:
                ADMISSION_QUEUE.dec()
        try:
            await self.run_until(deadline, scope, receive, send, headers)
        finally:
            self.slots.release()

    async def buffered_body(self, headers: Headers, receive: Receive) -> Receive:
        """`receive`, replaying a body read within the body timeout (TimeoutError else)."""
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.settings.max_body_bytes:
            return receive  # refused by its declared length, before it is read
        messages: list[Message] = []
        size = 0
        async with asyncio.timeout(self.settings.body_timeout):
            while True:
                message = await receive()
                messages.append(message)
                if message["type"] != "http.request":
                    break
                size += len(message.get("body", b""))
                if not message.get("more_body") or size > self.settings.max_body_bytes:
                    break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        return replay

    async def run_until(
        self, deadline: float, scope: Scope, receive: Receive, send: Send, headers: Headers
    ) -> None:
        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            async with asyncio.timeout_at(deadline):
                await self.app(scope, receive, send_tracked)
        except TimeoutError:
            if started:
                raise
            ADMISSION_REFUSALS.labels("deadline").inc()
            message = f"The request did not complete within {self.settings.request_timeout} s."
            await refuse(send, headers, 504, DEADLINE_EXCEEDED, message)


async def refuse(
    send: Send,
    headers: Headers,
    status: int,
    code: str,
    message: str,
    extra: dict[str, str] | None = None,
) -> None:
    """Answer a GraphQL response of one error, before or instead of running the request."""
    record = current_request()
    if record is not None:
        record.error_codes = [code]
    media_type = http.negotiate(headers.get("accept")) or http.JSON
    body = http.error_body(message, code)
    response_headers = [
        (b"content-type", http.content_type(media_type).encode()),
        (b"content-length", str(len(body)).encode()),
        (b"vary", b"Accept"),
        *((name.lower().encode(), value.encode()) for name, value in (extra or {}).items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": response_headers})
    await send({"type": "http.response.body", "body": body})
