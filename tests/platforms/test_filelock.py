"""The cross-platform file lock behind FileTokenStore: POSIX flock and Windows msvcrt.

There is no Windows machine here, so the Windows branch runs against stand-ins for the
``msvcrt`` module: one that records calls and one built on ``flock(LOCK_NB)`` that
really excludes other processes, so the polling loop is exercised across processes.
"""

from __future__ import annotations

import errno
import fcntl
import os
import subprocess
import sys
import threading
import types
from pathlib import Path

import pytest

from smmkit.exceptions import ConfigurationError
from smmkit.platforms import FileTokenStore, Token
from smmkit.platforms import _filelock as filelock
from smmkit.platforms._filelock import _backend, _FlockBackend, _MsvcrtBackend, exclusive_lock

LK_UNLCK, LK_LOCK, LK_NBLCK = 0, 1, 2  # the values msvcrt has on Windows


class FlockMsvcrt(types.ModuleType):
    """An ``msvcrt`` stand-in whose ``locking`` really excludes, via ``flock(LOCK_NB)``."""

    LK_UNLCK, LK_LOCK, LK_NBLCK = LK_UNLCK, LK_LOCK, LK_NBLCK

    def __init__(self) -> None:
        super().__init__("msvcrt")
        self.calls: list[tuple[int, int, int]] = []

    def locking(self, fd: int, mode: int, nbytes: int, /) -> None:
        self.calls.append((mode, nbytes, os.lseek(fd, 0, os.SEEK_CUR)))
        if mode == LK_UNLCK:
            fcntl.flock(fd, fcntl.LOCK_UN)
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OSError(errno.EACCES, "Permission denied") from None  # what Windows says


# A child process: say "ready", wait for "go", then take the lock `rounds` times and log
# "<id> in" / "<id> out" around a short sleep. Overlapping holders interleave the log.
# The worker loads _filelock.py by path: it imports nothing from smmkit, so each worker
# starts in milliseconds instead of importing pydantic and httpx.
WORKER = """
import errno, fcntl, importlib.util, os, sys, time
spec = importlib.util.spec_from_file_location("filelock_under_test", sys.argv[6])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
exclusive_lock, _MsvcrtBackend, _FlockBackend = (
    module.exclusive_lock, module._MsvcrtBackend, module._FlockBackend
)

class FlockMsvcrt:
    LK_UNLCK, LK_NBLCK = 0, 2
    def locking(self, fd, mode, nbytes):
        if mode == 0:
            fcntl.flock(fd, fcntl.LOCK_UN)
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OSError(errno.EACCES, "Permission denied") from None

class NoLock:
    def acquire(self, fd): pass
    def release(self, fd): pass

lock_path, log_path, ident, kind, rounds = sys.argv[1:6]
backend = {"flock": _FlockBackend(fcntl), "msvcrt": _MsvcrtBackend(FlockMsvcrt()),
           "none": NoLock()}[kind]
print("ready", flush=True)
sys.stdin.readline()
for _ in range(int(rounds)):
    with exclusive_lock(lock_path, backend=backend):
        with open(log_path, "a") as log:
            log.write(f"{ident} in\\n")
        time.sleep(0.03)
        with open(log_path, "a") as log:
            log.write(f"{ident} out\\n")
"""


def _race(tmp_path: Path, kind: str, *, processes: int = 4, rounds: int = 3) -> list[str]:
    """Run ``processes`` workers released at once; the log lines they wrote."""
    log = tmp_path / f"{kind}.log"
    source = filelock.__file__
    assert source is not None
    lock = str(tmp_path / "x.lock")
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, lock, str(log), str(i), kind, str(rounds), source],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(processes)
    ]
    try:
        for worker in workers:  # every worker has started and imported smmkit
            assert worker.stdout is not None
            assert worker.stdout.readline().strip() == "ready"
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        for worker in workers:
            assert worker.wait(timeout=60) == 0
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
            for stream in (worker.stdin, worker.stdout):
                if stream is not None:
                    stream.close()
    return log.read_text().splitlines()


def _exclusive(lines: list[str]) -> bool:
    """True when every "in" is followed by the same worker's "out"."""
    pairs = list(zip(lines[::2], lines[1::2], strict=True))
    return all(a.endswith(" in") and b == a.replace(" in", " out") for a, b in pairs)


@pytest.mark.parametrize("kind", ["flock", "msvcrt"])
def test_lock_excludes_other_processes(tmp_path: Path, kind: str) -> None:
    lines = _race(tmp_path, kind)
    assert len(lines) == 4 * 3 * 2
    assert _exclusive(lines), lines


def test_the_race_shows_overlap_without_a_lock(tmp_path: Path) -> None:
    # The check has teeth: the same workers without a lock interleave.
    assert not _exclusive(_race(tmp_path, "none"))


def test_lock_excludes_other_handles_in_this_process(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    entered = threading.Event()
    with exclusive_lock(path):
        thread = threading.Thread(target=lambda: _hold(path, entered))
        thread.start()
        assert not entered.wait(0.2)  # blocked while this handle holds the lock
    assert entered.wait(10)
    thread.join(10)


def _hold(path: Path, entered: threading.Event) -> None:
    with exclusive_lock(path):
        entered.set()


def test_lock_is_released_when_the_block_raises(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    with pytest.raises(RuntimeError), exclusive_lock(path):
        raise RuntimeError("boom")
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # would raise if still held
    finally:
        os.close(fd)


def test_lock_file_is_private(tmp_path: Path) -> None:
    with exclusive_lock(tmp_path / "x.lock"):
        pass
    assert (tmp_path / "x.lock").stat().st_mode & 0o077 == 0


def test_msvcrt_backend_locks_byte_zero_and_polls(tmp_path: Path) -> None:
    refusals = [2]

    class Busy(FlockMsvcrt):
        def locking(self, fd: int, mode: int, nbytes: int, /) -> None:
            if mode == LK_NBLCK and refusals[0]:
                refusals[0] -= 1
                self.calls.append((mode, nbytes, os.lseek(fd, 0, os.SEEK_CUR)))
                os.lseek(fd, 7, os.SEEK_SET)  # a lock call may move the position
                raise OSError(errno.EDEADLK, "Resource deadlock avoided")
            super().locking(fd, mode, nbytes)

    fake = Busy()
    with exclusive_lock(tmp_path / "x.lock", backend=_MsvcrtBackend(fake, poll=0.001)):
        pass
    # two refusals, then the lock, then the unlock: always 1 byte at offset 0
    assert fake.calls == [(LK_NBLCK, 1, 0)] * 3 + [(LK_UNLCK, 1, 0)]


def test_backend_is_chosen_when_locking_not_at_import(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(_backend(), _FlockBackend)
    monkeypatch.setitem(sys.modules, "fcntl", None)  # as on Windows
    monkeypatch.setitem(sys.modules, "msvcrt", FlockMsvcrt())
    assert isinstance(_backend(), _MsvcrtBackend)
    monkeypatch.setitem(sys.modules, "msvcrt", None)
    with pytest.raises(ConfigurationError, match="no file locking"):
        _backend()


def test_file_token_store_on_windows(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Windows: no fcntl, an msvcrt, and no os.fchmod before Python 3.13.
    fake = FlockMsvcrt()
    monkeypatch.setitem(sys.modules, "fcntl", None)
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    monkeypatch.delattr(os, "fchmod", raising=False)
    store = FileTokenStore(tmp_path / "tokens.json")
    with store.lock("x:brand"):
        store.put("x:brand", Token(access_token="t", refresh_token="r"))
    token = FileTokenStore(tmp_path / "tokens.json").get("x:brand")
    assert token is not None
    assert token.refresh_token is not None
    assert token.refresh_token.get_secret_value() == "r"
    assert [mode for mode, _, _ in fake.calls] == [LK_NBLCK, LK_UNLCK]


def test_put_retries_a_rename_that_windows_refuses(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    real_replace = os.replace
    refusals = [3]

    def replace(source: str, target: Path) -> None:
        if refusals[0]:
            refusals[0] -= 1
            raise PermissionError(13, "Access is denied")  # a reader has the file open
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr("smmkit.platforms._auth.time.sleep", lambda _: None)
    store = FileTokenStore(tmp_path / "tokens.json")
    store.put("k", Token(access_token="t"))
    assert refusals == [0]
    assert store.get("k") is not None

    refusals[0] = 10**6  # never succeeds: the error surfaces and no temporary file remains
    with pytest.raises(PermissionError):
        store.put("k", Token(access_token="u"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tokens.json"]
