"""The real server over TCP: uvicorn on a free port, inside the test's own event loop.

Running in the test's loop lets the server share the test's Database (and its connection
pool), and lets a test await a client (Python, Node, a browser) while the server answers.
"""

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from starlette.types import ASGIApp


@asynccontextmanager
async def live_server(app: ASGIApp, http: Any = "auto") -> AsyncIterator[str]:
    """The base URL of `app` served by uvicorn (with the `http` protocol given: the guarded
    one of `web.slow_clients`, as `server.py` serves); the app's lifespan is the caller's
    concern."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, lifespan="off", log_level="warning", timeout_graceful_shutdown=10, http=http
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if serving.done():
                serving.result()  # raises what stopped the server
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving
        sock.close()
