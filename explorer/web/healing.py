"""Rebuild a damaged or missing index or model in the background while the site says 503.

The site cannot answer from a corrupt index (an empty or wrong answer is worse than
none), but it need not wait for an administrator either: the corpus is the source of
truth and everything in ``index/`` can be derived from it again. So the first request
that meets a damaged or missing index or model starts one rebuild, visitors get a calm
503 meanwhile, and the site serves again as soon as the rebuild swaps in (the search
index follows its pointer file, the site reloads a model whose manifest changed).

The rebuild runs as a child process, ``pprnet build`` itself: the tested path, and safe
to fork workers from (forking the threaded web server is not), and a crash there cannot
take the site down. A failed rebuild (a corpus with errors, a full disk) is retried only
after a pause that doubles each time, so a broken corpus does not mean a build a minute.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from pathlib import Path

RETRY_SECONDS = 30.0
MAX_RETRY_SECONDS = 3600.0
BUILD_TIMEOUT = 6 * 3600.0
log = logging.getLogger(__name__)

INDEX, MODEL = "index", "model"


class Healer:
    """At most one background ``pprnet build`` at a time for one corpus and index folder."""

    def __init__(self, corpus_dir: Path, index_dir: Path, *, enabled: bool = True) -> None:
        self.corpus_dir, self.index_dir = Path(corpus_dir), Path(index_dir)
        self.enabled = enabled
        self._lock = threading.Lock()
        self._wanted: set[str] = set()
        self._thread: threading.Thread | None = None
        self._not_before = 0.0  # monotonic time before which no retry starts
        self._pause = RETRY_SECONDS
        self.runs = 0  # finished rebuilds, for tests and the log

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def request(self, part: str, why: str) -> bool:
        """Ask for ``part`` ("index" or "model") to be rebuilt because of ``why`` (logged,
        with paths: the log is for administrators). True when a rebuild is under way."""
        with self._lock:
            first = part not in self._wanted
            self._wanted.add(part)
            if first:
                log.error("%s unusable: %s", part, why)
            if not self.enabled:
                return False
            if self.running:
                return True
            if time.monotonic() < self._not_before:
                return False
            self._thread = threading.Thread(target=self._run, daemon=True,
                                            name="pprnet-heal")
            self._thread.start()
            return True

    def _run(self) -> None:
        time.sleep(0.2)  # parts found damaged in the same moment join one build
        while True:
            with self._lock:
                parts, self._wanted = set(self._wanted), set()
                if not parts:
                    self._thread = None
                    return
            command = [sys.executable, "-m", "explorer.cli", "build", "--quiet",
                       "--corpus", str(self.corpus_dir), "--index", str(self.index_dir)]
            if INDEX not in parts:
                command.append("--no-index")
            elif MODEL not in parts:
                command.append("--no-model")
            log.warning("rebuilding the %s in the background", " and ".join(sorted(parts)))
            started = time.monotonic()
            try:
                done = subprocess.run(command, capture_output=True, text=True, check=False,
                                      timeout=BUILD_TIMEOUT, stdin=subprocess.DEVNULL)
                ok, output = done.returncode == 0, (done.stderr or done.stdout).strip()
            except (OSError, subprocess.SubprocessError) as exc:
                ok, output = False, f"{type(exc).__name__}: {exc}"
            self.runs += 1
            if ok:
                log.warning("background rebuild done in %.1f s", time.monotonic() - started)
                with self._lock:
                    self._pause = RETRY_SECONDS
                continue  # something else may have broken meanwhile
            log.error("background rebuild failed (next try in %.0f s): %s", self._pause,
                      output[-2000:])
            with self._lock:
                self._not_before = time.monotonic() + self._pause
                self._pause = min(self._pause * 2, MAX_RETRY_SECONDS)
                self._wanted.clear()  # asked again by the next request after the pause
                self._thread = None
            return


def public_message(part: str, rebuilding: bool) -> str:
    """The one calm sentence a visitor gets meanwhile: no paths (those go to the log)."""
    what = "search index" if part == INDEX else "topic model"
    if rebuilding:
        return (f"The {what} is being rebuilt; please try again in a minute "
                "(site administrators: see the log, or run `pprnet build`).")
    return (f"The {what} is unavailable at the moment; please try again later "
            "(site administrators: see the log, or run `pprnet build`).")
