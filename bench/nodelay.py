"""uvicorn's command line, with Nagle's algorithm off on a multi-worker server's connections.

`uvicorn --workers N` binds the listening socket itself, without IPPROTO_TCP, so asyncio
never sets TCP_NODELAY on the connections it accepts (uvicorn issue #3149): on Linux every
keep-alive response smaller than a TCP segment then waits about 40 ms for the client's
delayed ACK. Linux copies TCP_NODELAY from a listening socket to the sockets it accepts,
so setting it on the listener is enough.

    python -m bench.nodelay --factory server:app_from_env --workers 2 ...
"""

import socket

import uvicorn.config
from uvicorn.main import main

_bind_socket = uvicorn.config.Config.bind_socket


def _bind_socket_without_nagle(self: uvicorn.config.Config) -> socket.socket:
    sock = _bind_socket(self)
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


uvicorn.config.Config.bind_socket = _bind_socket_without_nagle  # type: ignore[method-assign]

if __name__ == "__main__":
    main()
