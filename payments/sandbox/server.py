"""Serving the sandbox over HTTP: stdlib wsgiref with a thread per request."""

import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from .app import Sandbox


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        if self.server.verbose:  # type: ignore[attr-defined]
            super().log_message(format, *args)


def make(sandbox: Sandbox, *, host: str = "127.0.0.1", port: int = 0, verbose: bool = False):
    """A server bound to host:port (0 picks a free port); call serve_forever() on it."""
    server = make_server(
        host, port, sandbox, server_class=_ThreadingServer, handler_class=_QuietHandler
    )
    server.verbose = verbose  # type: ignore[attr-defined]
    return server


def start_in_thread(sandbox: Sandbox, *, host: str = "127.0.0.1", port: int = 0):
    """Serve in a daemon thread; returns (server, base url). Stop with server.shutdown()."""
    server = make(sandbox, host=host, port=port)
    threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},  # so that shutdown() returns at once in tests
        daemon=True,
        name="stripe-sandbox",
    ).start()
    return server, f"http://{host}:{server.server_port}"
