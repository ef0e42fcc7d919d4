"""Run the app with a production WSGI server: granian's processes, or waitress's threads.

One Python process uses one core for Python work (the GIL), so `pprnet serve` answers from
``--workers`` processes (default: the cores this process may use) with granian where it
runs (Linux): a Rust HTTP server whose worker processes each run the app in ``--threads``
Python threads. Its HTTP handling costs less than half of what a Python server's does,
which is much of the cost of a small page (`bench/load_ab.py`). Where granian does not run,
waitress serves from one process.

Each worker builds its own app (forked from this process, before any app exists): the
index files are memory-mapped and read-only, so the operating system's page cache holds
them once for all workers, and each worker starts its own background threads. Workers
learn of each other's saves, rebuilds and retrained models through the stamps on disk
that the app follows (``index/corpus-version``, the index pointer, the model files), and
the sign-in limit is counted in a file they share (`explorer.web.ratelimit`).
"""

from __future__ import annotations

import gc
import importlib.util
import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix

_Wsgi = Callable[[dict, Callable[..., Any]], Iterable[bytes]]


def default_workers() -> int:
    """The cores this process may run on (its CPU affinity), at least one."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def granian_usable() -> bool:
    """granian's workers are forked from this process (they inherit the app factory, a
    closure) and each listens on the port itself (SO_REUSEPORT): Linux here, where it is a
    dependency."""
    return sys.platform.startswith("linux") and importlib.util.find_spec("granian") is not None


class ProxyHeaders:
    """Believe X-Forwarded-For/-Proto/-Host/-Port only from the trusted proxy's address;
    drop them from anyone else (as waitress's ``clear_untrusted_proxy_headers`` does), so
    a client cannot pick the address the sign-in limit counts it under."""

    def __init__(self, app: _Wsgi, trusted_proxy: str | None) -> None:
        self.app = app
        self.trusted_proxy = trusted_proxy
        self.fixed = ProxyFix(app, x_for=1, x_proto=1, x_host=1, x_port=1)

    def __call__(self, environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        if self.trusted_proxy and environ.get("REMOTE_ADDR") == self.trusted_proxy:
            return self.fixed(environ, start_response)
        for key in [k for k in environ if k.startswith("HTTP_X_FORWARDED_")]:
            del environ[key]
        return self.app(environ, start_response)


def ready(app: Any) -> Any:
    """Warm the app, then keep what is loaded out of the garbage collector's full passes
    (they otherwise stall every thread now and then)."""
    app.extensions["pprnet"].warm()
    gc.collect()
    gc.freeze()
    return app


def waitress_server(app: Any, *, host: str, port: int, threads: int,
                    trusted_proxy: str | None) -> Any:
    """A bound waitress server (``run()`` serves); OSError when the address is taken."""
    import waitress

    proxy: dict = {}
    if trusted_proxy:  # without one, X-Forwarded-* headers are dropped, never believed
        proxy = {"trusted_proxy": trusted_proxy, "trusted_proxy_count": 1,
                 "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto",
                                           "x-forwarded-host", "x-forwarded-port"}}
    return waitress.create_server(app, host=host, port=port, threads=threads, ident="pprnet",
                                  clear_untrusted_proxy_headers=True, channel_timeout=60,
                                  **proxy)


def claim_port(host: str, port: int) -> int:
    """The port granian is to listen on, checked free: ``port``, or a free one for 0.

    granian's workers open their own sockets on the port with SO_REUSEPORT, which any
    other such socket of the same user may share: a second server started on a taken port
    would not fail but quietly split the visitors. A plain bind here fails instead, with
    one clear error (SO_REUSEADDR only lets it past connections still closing)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        return int(sock.getsockname()[1])


def answering(host: str, port: int, timeout: float = 0.5) -> bool:
    """Whether something accepts connections at ``host:port`` (a wildcard address is
    tried on loopback)."""
    target = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    try:
        with socket.create_connection((target, port), timeout=timeout):
            return True
    except OSError:
        return False


def when_answering(host: str, port: int, then: Callable[[], None],
                   stop: threading.Event) -> threading.Thread:
    """Call ``then`` once a worker accepts connections (granian serves from the worker
    processes it starts, so the address is printed only when the site answers there)."""

    def watch() -> None:
        while not stop.is_set():
            if answering(host, port):
                then()
                return
            stop.wait(0.05)

    thread = threading.Thread(target=watch, name="pprnet-ready", daemon=True)
    thread.start()
    return thread


HEADER_BUFFER_BYTES = 32 * 1024


def granian_server(*, host: str, port: int, workers: int, threads: int) -> Any:
    """A granian server: ``workers`` processes, each calling the app from ``threads``
    Python threads; warnings only, no access log."""
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels

    server = Granian(
        "pprnet",  # a name only: each worker's app comes from `run_granian`'s loader
        address=host or "0.0.0.0",
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=threads,
        backlog=2048,
        http=HTTPModes.http1,
        # a request's line and headers in 30 s and a small buffer (granian's default is
        # 408 KiB per connection: a thousand idle clients could hold 400 MB); headers past
        # it get a 431 (hyper reads ahead: about twice the buffer gets in)
        http1_settings=HTTP1Settings(header_read_timeout=30_000, keep_alive=True,
                                     max_buffer_size=HEADER_BUFFER_BYTES),
        websockets=False,
        log_level=LogLevels.warning,
        log_access=False,
        respawn_failed_workers=True,  # a worker that dies is replaced, as gunicorn did
        workers_kill_timeout=10,  # seconds a stopping worker may finish its requests
    )
    # granian warns at every start when a worker has more threads than 2 per core plus
    # one. Not a fault here: ours spend part of each request outside the GIL (numpy, file
    # reads), and side by side on 2 cores 4 threads cost 1.02 times the CPU per request of
    # 8 (`bench/load_ab.py --base HEAD --threads 4 --base-threads 8`, median of 6 rounds).
    logging.getLogger("_granian").addFilter(_THREAD_COUNT_WARNING)  # once: same object
    return server


class _NotTheThreadCountWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Configuration allows spawning up to")


_THREAD_COUNT_WARNING = _NotTheThreadCountWarning()


def worker_app(make_app: Callable[[], Any], trusted_proxy: str | None) -> _Wsgi:
    """What each worker serves: its own app, warmed, behind `ProxyHeaders`."""
    return ProxyHeaders(ready(make_app()), trusted_proxy)


def run_granian(make_app: Callable[[], Any], granian: Any) -> None:
    """Serve ``make_app()`` (called once in each worker) with ``granian`` until stopped.

    Workers are forked, whatever this Python's default: the factory is a closure, which a
    spawned process could not receive."""
    multiprocessing.set_start_method("fork", force=True)
    granian.serve(target_loader=lambda _name: _stoppable_while_loading(make_app))


def _stoppable_while_loading(make_app: Callable[[], Any]) -> Any:
    """``make_app()`` in a new worker, which a stop signal ends at once until it serves.

    A forked worker inherits the server process's Python signal handlers, which only note
    the signal (in the worker's copy of the server); granian sets the worker's own once
    the app is loaded. A stop asked for while a worker loads (warming takes a second or
    two) was lost, and the worker then served on, waiting for a signal already sent."""
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, signal.SIG_DFL)
    return make_app()


def server_name() -> str:
    """The server `pprnet serve` uses: granian where it runs, at any number of workers (with
    one, its HTTP handling still leaves the one Python process more time for pages)."""
    return "granian" if granian_usable() else "waitress"
