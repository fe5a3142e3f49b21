"""An exclusive lock on a file, shared by every process on one machine: POSIX and Windows.

POSIX uses ``fcntl.flock`` (whole file, released by the kernel when the process dies);
Windows uses ``msvcrt.locking`` on the file's first byte (also released when the handle
closes). The backend is chosen when a lock is first taken, never at import time, so
importing :mod:`smmkit.platforms` works on every platform. Why not the ``filelock``
package: core dependencies are deliberately few and this is the whole of it (see
docs/design.md, "Dependencies and why").
"""

from __future__ import annotations

import contextlib
import importlib
import os
import time
from collections.abc import Iterator
from typing import Protocol, cast

__all__ = ["exclusive_lock"]


class _Fcntl(Protocol):
    """The part of the ``fcntl`` module the lock uses."""

    LOCK_EX: int
    LOCK_UN: int

    def flock(self, fd: int, operation: int, /) -> None: ...


class _Msvcrt(Protocol):
    """The part of the ``msvcrt`` module the lock uses."""

    LK_NBLCK: int
    LK_UNLCK: int

    def locking(self, fd: int, mode: int, nbytes: int, /) -> None: ...


class _Backend(Protocol):
    def acquire(self, fd: int) -> None: ...

    def release(self, fd: int) -> None: ...


class _FlockBackend:
    """``flock(LOCK_EX)``: blocks until the lock is free."""

    def __init__(self, fcntl: _Fcntl) -> None:
        self._fcntl = fcntl

    def acquire(self, fd: int) -> None:
        self._fcntl.flock(fd, self._fcntl.LOCK_EX)

    def release(self, fd: int) -> None:
        self._fcntl.flock(fd, self._fcntl.LOCK_UN)


class _MsvcrtBackend:
    """``msvcrt.locking`` on byte 0, polled: ``LK_LOCK`` gives up after 10 seconds."""

    def __init__(self, msvcrt: _Msvcrt, *, poll: float = 0.01, max_poll: float = 0.1) -> None:
        self._msvcrt = msvcrt
        self._poll = poll
        self._max_poll = max_poll

    def acquire(self, fd: int) -> None:
        delay = self._poll
        while True:
            os.lseek(fd, 0, os.SEEK_SET)  # locking() locks from the current position
            try:
                self._msvcrt.locking(fd, self._msvcrt.LK_NBLCK, 1)
            except OSError:  # held by another handle (EACCES / EDEADLOCK)
                time.sleep(delay)
                delay = min(delay * 2, self._max_poll)
            else:
                return

    def release(self, fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        self._msvcrt.locking(fd, self._msvcrt.LK_UNLCK, 1)


def _backend() -> _Backend:
    """``fcntl`` where it exists (POSIX), else ``msvcrt`` (Windows)."""
    try:
        fcntl = importlib.import_module("fcntl")
    except ImportError:
        pass
    else:
        return _FlockBackend(cast(_Fcntl, fcntl))
    try:
        msvcrt = importlib.import_module("msvcrt")
    except ImportError:
        pass
    else:
        return _MsvcrtBackend(cast(_Msvcrt, msvcrt))
    from smmkit.exceptions import ConfigurationError  # here: this module imports no smmkit

    raise ConfigurationError(
        "no file locking on this platform (neither fcntl nor msvcrt): "
        "use InMemoryTokenStore or a TokenStore of your own"
    )


@contextlib.contextmanager
def exclusive_lock(
    path: str | os.PathLike[str], *, backend: _Backend | None = None
) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created, mode ``0600``) for the ``with`` block.

    Excludes every other holder: other processes, and other calls in this process (each
    call opens its own handle). Blocks until the lock is free. The file's content is
    never read or written; it only carries the lock. ``backend`` is for tests.

    Example:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "tokens.json.lock"
        >>> with exclusive_lock(path):
        ...     path.exists()
        True
    """
    chosen = backend if backend is not None else _backend()
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        chosen.acquire(fd)
        try:
            yield
        finally:
            chosen.release(fd)
    finally:
        os.close(fd)
