"""The sign-in rate limit, counted in a small SQLite file so that every server process
sees the same attempts.

`pprnet serve --workers N` answers from N processes; a limit kept in process memory would
give a client N times the attempts (the load balancer spreads them). So `pprnet serve`
gives its app ``LOGIN_LIMIT_FILE`` (``index/login-attempts.sqlite``): SQLite in WAL mode,
shared by all the workers, needs no extra service, and a sign-in
is rare enough that one small write transaction per attempt costs nothing. Without that
setting (an app made by `create_app` alone, as in tests), or when the file cannot be opened
(a read-only index folder), the count is kept in memory (`security.RateLimiter`).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

from explorer.web.security import RateLimiter

FILE_NAME = "login-attempts.sqlite"
log = logging.getLogger(__name__)


class SharedRateLimiter:
    """At most ``limit`` attempts per ``window`` seconds per key, across processes.

    The same interface as `security.RateLimiter`: ``hit`` returns 0 when the attempt is
    allowed, else the seconds until the next one is; ``reset`` forgets a key. Times are
    wall-clock (``time.time``): processes share no monotonic clock.
    """

    def __init__(self, path: Path, limit: int, window: float) -> None:
        self.path = Path(path)
        self.limit = limit
        self.window = window
        self._local = threading.local()
        with self._connect() as con:
            con.execute("CREATE TABLE IF NOT EXISTS attempts (key TEXT NOT NULL, "
                        "at REAL NOT NULL)")
            con.execute("CREATE INDEX IF NOT EXISTS attempts_key ON attempts (key, at)")

    def _connect(self) -> sqlite3.Connection:
        """One connection per thread (sqlite3 objects must not cross threads)."""
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(str(self.path), timeout=10.0, isolation_level=None)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            self._local.con = con
        return con

    def hit(self, key: str) -> float:
        now = time.time()
        con = self._connect()
        con.execute("BEGIN IMMEDIATE")  # one writer at a time: count and insert as one step
        try:
            con.execute("DELETE FROM attempts WHERE at <= ?", (now - self.window,))
            rows = con.execute("SELECT at FROM attempts WHERE key = ? ORDER BY at LIMIT ?",
                               (key, self.limit)).fetchall()
            if len(rows) >= self.limit:
                con.execute("COMMIT")
                return max(self.window - (now - rows[0][0]), 1.0)
            con.execute("INSERT INTO attempts (key, at) VALUES (?, ?)", (key, now))
            con.execute("COMMIT")
            return 0.0
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def reset(self, key: str) -> None:
        con = self._connect()
        con.execute("DELETE FROM attempts WHERE key = ?", (key,))


def login_limiter(path: Path | None, limit: int, window: float) -> SharedRateLimiter | RateLimiter:
    """The limiter counting in the file at ``path`` (``pprnet serve`` gives one under the
    index folder to all its workers); per process without a path, or if that file cannot
    be used."""
    if path is None:
        return RateLimiter(limit, window)
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return SharedRateLimiter(Path(path), limit, window)
    except (OSError, sqlite3.Error) as exc:
        log.warning("sign-in limit kept per process (cannot use %s: %s)", path, exc)
        return RateLimiter(limit, window)
