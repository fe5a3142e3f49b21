"""A loopback HTTP server answering JSON, for tests that need real sockets (httpcore's
debug logs, cookies, headers on the wire) rather than a mock transport.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

__all__ = ["JsonHandler", "serving"]


class JsonHandler(BaseHTTPRequestHandler):
    """Answers every GET and POST with ``200`` and :meth:`body` of the path as JSON,
    plus ``extra_headers``; a subclass gives :meth:`body`."""

    extra_headers: ClassVar[Mapping[str, str]] = {}

    def body(self, path: str) -> dict[str, Any]:
        raise NotImplementedError

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        data = json.dumps(self.body(self.path.split("?", 1)[0])).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in self.extra_headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = _answer
    do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base's name)
        del format, args  # the server's own access log is not under test


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """``http://127.0.0.1:<port>`` of a threaded server running ``handler`` meanwhile."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
