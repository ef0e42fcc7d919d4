"""Run the app with a production WSGI server: gunicorn's processes, or waitress's threads.

One Python process uses one core for Python work (the GIL), so `pprnet serve` answers from
``--workers`` processes (default: the cores this process may use) with gunicorn where it
runs (Linux; threaded ``gthread`` workers, each process also serving ``--threads``
requests at once). With one worker, or where gunicorn does not run, waitress serves from
one process, as before.

Each worker builds its own app (no ``preload``): the index files are memory-mapped and
read-only, so the operating system's page cache holds them once for all workers, and
each worker starts its own background threads (which a fork would not carry over).
Workers learn of each other's saves, rebuilds and retrained models through the stamps on
disk that the app follows (``index/corpus-version``, the index pointer, the model
files), and the sign-in limit is counted in a file they share
(`explorer.web.ratelimit`).
"""

from __future__ import annotations

import gc
import importlib.util
import os
import socket
import sys
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


def gunicorn_usable() -> bool:
    """gunicorn needs fork and Unix sockets: Linux here (where it is a dependency)."""
    return sys.platform.startswith("linux") and importlib.util.find_spec("gunicorn") is not None


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


def listen(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """A listening socket for gunicorn's workers, bound here first so that a taken port is
    one clear error and port 0 gets a free port whose number can be printed; the workers
    inherit it (``fd://``)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        sock.listen(backlog)
        sock.set_inheritable(True)
    except OSError:
        sock.close()
        raise
    return sock


def gunicorn_options(*, sock: socket.socket, workers: int, threads: int,
                     trusted_proxy: str | None) -> dict[str, Any]:
    """gunicorn settings: threaded workers on ``sock``, no access log, proxy trust as
    waitress's."""
    return {
        "bind": [f"fd://{sock.fileno()}"],
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 60,
        "graceful_timeout": 10,
        "keepalive": 30,  # seconds an idle kept-alive connection stays open (a poller, no thread)
        "backlog": 2048,
        "preload_app": False,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "pprnet",
        # X-Forwarded-Proto and friends set the scheme only from the trusted proxy.
        "forwarded_allow_ips": trusted_proxy or "",
        "limit_request_line": 8190,
    }


def worker_app(make_app: Callable[[], Any], trusted_proxy: str | None) -> _Wsgi:
    """What each gunicorn worker serves: its own app, warmed, behind `ProxyHeaders`."""
    return ProxyHeaders(ready(make_app()), trusted_proxy)


def run_gunicorn(make_app: Callable[[], Any], options: dict[str, Any]) -> None:
    """Serve ``make_app()`` (called once in each worker) with gunicorn until stopped."""
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return make_app()

    Application().run()


def server_name(workers: int) -> str:
    """The server `pprnet serve` uses for this many workers."""
    return "gunicorn" if workers > 1 and gunicorn_usable() else "waitress"
