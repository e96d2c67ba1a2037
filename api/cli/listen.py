"""The socket a server listens on, bound before uvicorn starts so that a taken port is one line.

uvicorn reports a failed bind with a log record and a traceback, then exits 1 or 3 depending on
where it failed; binding here first turns that into :class:`~lcagraph.errors.PortInUse`.
"""

from __future__ import annotations

import errno
import socket

from lcagraph.errors import PortInUse


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: any free one); PortInUse where it is taken."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as e:
        raise PortInUse(f"cannot listen on {host}:{port}: {host!r} is not an address of this machine "
                        f"({e.strerror}); give --host 127.0.0.1 or an address of this machine") from e
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError as e:
        sock.close()
        if e.errno == errno.EADDRINUSE:
            raise PortInUse(f"port {port} on {host} is in use by another program: stop it or give "
                            "another --port (0 picks a free one)") from e
        raise PortInUse(f"cannot listen on {host}:{port}: {e.strerror}; give another --host or --port") from e
    sock.set_inheritable(True)
    return sock


def bound_port(sock: socket.socket) -> int:
    """The port a socket is bound to."""
    return int(sock.getsockname()[1])
