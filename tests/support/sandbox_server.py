"""The sandbox over real HTTP: its fake server as an ASGI app under uvicorn on 127.0.0.1,
its state in a SQLite file so that a server killed with SIGKILL restarts with it.

Test tooling, not part of smmkit. Nothing here re-implements the sandbox: requests are
served by :class:`smmkit.platforms._sandbox_server.SandboxServer` itself (routing, limits,
idempotency keys, rate limits and its :class:`~smmkit.platforms.FaultPlan`);
:class:`PersistentSandbox` only makes its tables durable and :class:`SandboxASGI` only
turns ASGI into ``httpx`` requests and back.

* **Durable state.** Posts, idempotency keys and media are written to SQLite in one
  transaction per request, committed *before* the answer leaves (WAL,
  ``synchronous=NORMAL``: a killed process loses nothing it committed; only a power cut
  could). The request counter is kept too, so a :class:`~smmkit.platforms.Storm` is not
  replayed after a restart. Access and refresh tokens live in memory: a restarted server
  has forgotten every session, and clients log in again (a platform revoking sessions).
* **Faults on the wire.** 429 and 5xx are answered as the sandbox answers them. A
  connection reset (or a refused connection) sends the status line and then closes the
  connection mid-answer; a timeout holds the answer ``hang_seconds`` first. Faults that
  may follow a commit apply the write first, exactly as in the in-memory sandbox.

Run one by hand::

    python tests/support/sandbox_server.py --db /tmp/sbx.sqlite3 --port 8765

:class:`SandboxProcess` starts that in a subprocess on a free loopback port, waits until
it answers, kills it (SIGKILL) and restarts it on the same port and file.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import itertools
import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from pathlib import Path
from typing import IO, Any, TypeVar

import httpx

from smmkit.models.content import MediaAsset
from smmkit.platforms import FaultPlan, SystemClock
from smmkit.platforms._sandbox_server import SandboxPost, SandboxServer, _Media

__all__ = [
    "HEALTH_PATH",
    "PersistentSandbox",
    "SandboxASGI",
    "SandboxProcess",
    "free_port",
    "server_counts",
]

HEALTH_PATH = "/_sandbox/health"
"""Answered by the wrapper itself: no fault, no token, not counted as a request."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS posts (
    id TEXT PRIMARY KEY, text TEXT NOT NULL, title TEXT, account TEXT NOT NULL,
    created_at REAL NOT NULL, ready_at REAL NOT NULL, client_ref TEXT,
    idempotency_key TEXT, media_ids TEXT NOT NULL, deleted INTEGER NOT NULL,
    replies TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS posts_by_key ON posts (idempotency_key);
CREATE TABLE IF NOT EXISTS idempotency_keys (
    key TEXT PRIMARY KEY, post_id TEXT NOT NULL, seen_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS media (id TEXT PRIMARY KEY, asset TEXT NOT NULL, ready_at REAL);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""

V = TypeVar("V")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class _Table(dict[str, V]):
    """A dict that remembers which entries a request wrote or may have changed."""

    def __init__(self, rows: Iterable[tuple[str, V]]) -> None:
        super().__init__(rows)
        self.touched: set[str] = set()

    def __setitem__(self, key: str, value: V) -> None:
        super().__setitem__(key, value)
        self.touched.add(key)

    def __getitem__(self, key: str) -> V:
        self.touched.add(key)  # the caller may change it (a delete, a reply)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        if key in self:
            self.touched.add(key)
        return super().get(key, default)


def connect(path: str | os.PathLike[str]) -> sqlite3.Connection:
    """A connection to the sandbox's database: WAL, ``synchronous=NORMAL``, autocommit."""
    db = sqlite3.connect(os.fspath(path), isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA busy_timeout=5000")
    return db


class PersistentSandbox(SandboxServer):
    """:class:`SandboxServer` on the real clock whose posts, keys and media live in SQLite.

    Every keyword but ``clock`` configures the sandbox as usual.
    """

    def __init__(self, path: str | os.PathLike[str], **options: Any) -> None:
        super().__init__(clock=SystemClock(), **options)
        self.path = Path(path)
        self._db = connect(self.path)
        self._db.executescript(_SCHEMA)
        meta = dict(self._db.execute("SELECT name, value FROM meta"))
        self.starts = int(meta.get("starts", 0)) + 1
        self.requests_seen = int(meta.get("requests_seen", 0))
        self.replays = int(meta.get("replays", 0))
        """Creates answered with the post an earlier request made (a known key)."""
        # A new generation of faults after a restart, not a replay of the first one.
        self._rng = random.Random(f"{self.faults.seed}:{self.starts}")
        self._posts = self._table_posts()
        self._keys = _Table(
            (key, (post_id, seen_at))
            for key, post_id, seen_at in self._db.execute(
                "SELECT key, post_id, seen_at FROM idempotency_keys"
            )
        )
        self._media = _Table(
            (row[0], _Media(row[0], MediaAsset.model_validate_json(row[1]), row[2]))
            for row in self._db.execute("SELECT id, asset, ready_at FROM media")
        )
        numbers = [int(name[1:]) for name in itertools.chain(self._posts, self._media)]
        self._ids = itertools.count(max(numbers, default=0) + 1)
        self._save_meta()

    def _table_posts(self) -> _Table[SandboxPost]:
        rows = self._db.execute(
            "SELECT id, text, title, account, created_at, ready_at, client_ref,"
            " idempotency_key, media_ids, deleted, replies FROM posts ORDER BY rowid"
        )
        return _Table(
            (
                row[0],
                SandboxPost(
                    id=row[0],
                    text=row[1],
                    title=row[2],
                    account=row[3],
                    created_at=row[4],
                    ready_at=row[5],
                    client_ref=row[6],
                    idempotency_key=row[7],
                    media_ids=tuple(json.loads(row[8])),
                    deleted=bool(row[9]),
                    replies=json.loads(row[10]),
                ),
            )
            for row in rows
        )

    def _create_post(self, request: httpx.Request, account: str) -> httpx.Response:
        if request.headers.get("idempotency-key") in self._keys:
            self.replays += 1
        return super()._create_post(request, account)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        # One transaction per request, committed before the answer (or the injected
        # fault that loses it) leaves: a write is durable exactly when it was applied.
        with self._lock:
            self._db.execute("BEGIN")
            try:
                return super()._handle(request)
            finally:
                self._flush()
                self._db.execute("COMMIT")

    def _flush(self) -> None:
        posts, keys, media = self._posts, self._keys, self._media
        assert isinstance(posts, _Table) and isinstance(keys, _Table)
        assert isinstance(media, _Table)
        for post_id in posts.touched:
            p = posts[post_id]
            self._db.execute(
                "INSERT INTO posts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id)"
                " DO UPDATE SET deleted = excluded.deleted, replies = excluded.replies",
                (
                    p.id,
                    p.text,
                    p.title,
                    p.account,
                    p.created_at,
                    p.ready_at,
                    p.client_ref,
                    p.idempotency_key,
                    json.dumps(list(p.media_ids)),
                    int(p.deleted),
                    json.dumps(p.replies),
                ),
            )
        for key in keys.touched:
            post_id, seen_at = dict.__getitem__(keys, key)
            self._db.execute(
                "INSERT OR REPLACE INTO idempotency_keys VALUES (?, ?, ?)", (key, post_id, seen_at)
            )
        for media_id in media.touched:
            item = dict.__getitem__(media, media_id)
            self._db.execute(
                "INSERT OR REPLACE INTO media VALUES (?, ?, ?)",
                (item.id, item.asset.model_dump_json(), item.ready_at),
            )
        for table in (posts, keys, media):
            table.touched.clear()
        self._save_meta()

    def _save_meta(self) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)",
            (
                ("starts", self.starts),
                ("requests_seen", self.requests_seen),
                ("replays", self.replays),
            ),
        )

    def close_database(self) -> None:
        """Close the database (``close``, the transport's, leaves it open for the next use)."""
        self._db.close()


class SandboxASGI:
    """An ASGI app serving a :class:`~smmkit.platforms._sandbox_server.SandboxServer`.

    Each HTTP request becomes an ``httpx.Request`` handed to the sandbox, whose answer
    goes back as it is; the ``httpx`` errors its faults raise become a connection closed
    mid-answer (after ``hang_seconds`` for a timeout).
    """

    def __init__(self, server: SandboxServer, *, hang_seconds: float = 2.0) -> None:
        self.server = server
        self.hang_seconds = hang_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body = bytearray()
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if scope["path"] == HEALTH_PATH:
            await _answer(send, httpx.Response(200, json={"ok": True, "starts": _starts(self)}))
            return
        request = httpx.Request(
            scope["method"],
            httpx.URL(
                scheme=scope.get("scheme", "http"),
                host="127.0.0.1",
                port=(scope.get("server") or ("127.0.0.1", 80))[1],
                path=scope["path"],
                query=scope.get("query_string", b""),
            ),
            headers=[(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"],
            content=bytes(body),
        )
        try:
            response = self.server.handle_request(request)
        except httpx.TimeoutException:
            await asyncio.sleep(self.hang_seconds)
            await _cut(send)
            return
        except httpx.TransportError:
            await _cut(send)
            return
        await _answer(send, response)


def _starts(app: SandboxASGI) -> int:
    return int(getattr(app.server, "starts", 1))


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _answer(send: Send, response: httpx.Response) -> None:
    content = response.content
    headers = [
        (k, v) for k, v in response.headers.raw if k.lower() not in (b"content-length", b"date")
    ]
    headers.append((b"content-length", str(len(content)).encode()))
    await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": content})


async def _cut(send: Send) -> None:
    # The status line and a promise of 64 bytes, then nothing: uvicorn closes the
    # connection ("returned without completing response") and the client has no answer.
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"64")]}
    )


# -- the process ------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class SandboxProcess:
    """The server in a subprocess: started, killed with SIGKILL, restarted on its file.

    ``faults`` go to every start; the request counter persists, so storms are not
    replayed after a restart.
    """

    def __init__(
        self,
        db: Path,
        *,
        faults: FaultPlan | None = None,
        hang_seconds: float = 2.0,
        log: Path | None = None,
        port: int | None = None,
    ) -> None:
        self.db = db
        self.faults = faults or FaultPlan()
        self.hang_seconds = hang_seconds
        self.log_path = log or db.with_suffix(".log")
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.kills = 0
        self.downtime = 0.0
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self, *, timeout: float = 30.0) -> None:
        """Start the server and wait until it answers."""
        if self._log is None:
            self._log = self.log_path.open("ab")
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--db",
            str(self.db),
            "--port",
            str(self.port),
            "--faults",
            self.faults.model_dump_json(),
            "--hang",
            str(self.hang_seconds),
        ]
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        self._process = subprocess.Popen(
            command, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
        )
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float) -> None:
        """Poll the health path until it answers; raise if the process died or it is late."""
        deadline = time.monotonic() + timeout
        while True:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"sandbox server exited: see {self.log_path}")
            try:
                if httpx.get(self.url + HEALTH_PATH, timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"sandbox server not up after {timeout:g} s")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush; whatever was committed is all that survives."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self.kills += 1

    def restart(self, *, down_for: float = 0.5) -> None:
        """Kill, stay down ``down_for`` seconds (connections are refused), start again."""
        began = time.monotonic()
        self.kill()
        time.sleep(down_for)
        self.start()
        self.downtime += time.monotonic() - began

    async def arestart(self, *, down_for: float = 0.5) -> None:
        """:meth:`restart` in a thread, so that an event loop running a batch goes on."""
        await asyncio.to_thread(self.restart, down_for=down_for)

    def stop(self) -> None:
        """Terminate the server (if running) and close the log."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None


def server_counts(db: Path) -> dict[str, int]:
    """What the server's file says: posts, distinct keys, keys posted more than once.

    ``replays`` counts creates answered with the post an earlier request made: answers
    lost after the write, resent with the same key.
    """
    conn = connect(db)
    try:
        (posts,) = conn.execute("SELECT COUNT(*) FROM posts").fetchone()
        (keys,) = conn.execute("SELECT COUNT(DISTINCT idempotency_key) FROM posts").fetchone()
        (texts,) = conn.execute("SELECT COUNT(DISTINCT text) FROM posts").fetchone()
        (duplicated,) = conn.execute(
            "SELECT COUNT(*) FROM (SELECT idempotency_key FROM posts"
            " GROUP BY idempotency_key HAVING COUNT(*) > 1)"
        ).fetchone()
        (stored_keys,) = conn.execute("SELECT COUNT(*) FROM idempotency_keys").fetchone()
        meta = dict(conn.execute("SELECT name, value FROM meta"))
    finally:
        conn.close()
    return {
        "posts": posts,
        "keys": keys,
        "texts": texts,
        "duplicated_keys": duplicated,
        "stored_keys": stored_keys,
        "starts": int(meta.get("starts", 0)),
        "requests_seen": int(meta.get("requests_seen", 0)),
        "replays": int(meta.get("replays", 0)),
    }


def main(argv: list[str] | None = None) -> None:
    """Serve the sandbox on a loopback address until killed."""
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", required=True, type=int)
    parser.add_argument("--faults", default="{}", help="a FaultPlan as JSON")
    parser.add_argument("--hang", type=float, default=2.0, help="seconds a timeout holds")
    args = parser.parse_args(argv)
    if not ipaddress.ip_address(args.host).is_loopback:
        parser.error("the sandbox serves loopback addresses only")
    server = PersistentSandbox(args.db, faults=FaultPlan.model_validate_json(args.faults))
    app = SandboxASGI(server, hang_seconds=args.hang)
    uvicorn.run(
        app, host=args.host, port=args.port, log_level="warning", access_log=False, lifespan="on"
    )


if __name__ == "__main__":
    main()
