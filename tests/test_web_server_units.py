"""The pieces `pprnet serve --workers N` is made of: the shared sign-in limit, proxy
header trust, the choice of server and its settings."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

from explorer.web import ratelimit, server
from explorer.web.security import RateLimiter


def test_shared_limit_counts_across_instances(tmp_path: Path) -> None:
    """Two limiters on one file stand for two worker processes."""
    first = ratelimit.SharedRateLimiter(tmp_path / "limit.sqlite", 3, 60.0)
    second = ratelimit.SharedRateLimiter(tmp_path / "limit.sqlite", 3, 60.0)
    assert [first.hit("1.2.3.4"), second.hit("1.2.3.4"), first.hit("1.2.3.4")] == [0, 0, 0]
    wait = second.hit("1.2.3.4")
    assert 1.0 <= wait <= 60.0
    assert first.hit("5.6.7.8") == 0  # another client is counted apart
    first.reset("1.2.3.4")
    assert second.hit("1.2.3.4") == 0


def test_shared_limit_window_slides(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    now = [1000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: now[0])
    limiter = ratelimit.SharedRateLimiter(tmp_path / "limit.sqlite", 2, 10.0)
    assert limiter.hit("a") == 0 and limiter.hit("a") == 0
    now[0] += 4
    assert limiter.hit("a") == 6.0
    now[0] += 6.5
    assert limiter.hit("a") == 0


def test_limit_is_per_process_without_a_file_or_when_it_cannot_be_used(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert isinstance(ratelimit.login_limiter(blocker / "index" / "x.sqlite", 5, 60.0),
                      RateLimiter)
    assert isinstance(ratelimit.login_limiter(None, 5, 60.0), RateLimiter)
    assert isinstance(ratelimit.login_limiter(tmp_path / "index" / "x.sqlite", 5, 60.0),
                      ratelimit.SharedRateLimiter)


def _seen_by(app_wrapper, environ: dict) -> dict:  # type: ignore[no-untyped-def]
    seen = {}

    def app(env, start_response):  # type: ignore[no-untyped-def]
        seen.update(env)
        return [b""]

    app_wrapper.app = app
    app_wrapper.fixed.app = app
    app_wrapper(environ, lambda *a: None)
    return seen


def test_forwarded_headers_believed_only_from_the_trusted_proxy() -> None:
    wrapper = server.ProxyHeaders(lambda e, s: [b""], "127.0.0.1")
    base = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "SERVER_NAME": "x", "SERVER_PORT": "80",
            "wsgi.url_scheme": "http", "HTTP_HOST": "x",
            "HTTP_X_FORWARDED_FOR": "9.9.9.9", "HTTP_X_FORWARDED_PROTO": "https"}
    via_proxy = _seen_by(wrapper, {**base, "REMOTE_ADDR": "127.0.0.1"})
    assert via_proxy["REMOTE_ADDR"] == "9.9.9.9" and via_proxy["wsgi.url_scheme"] == "https"
    direct = _seen_by(wrapper, {**base, "REMOTE_ADDR": "10.0.0.5"})
    assert direct["REMOTE_ADDR"] == "10.0.0.5" and direct["wsgi.url_scheme"] == "http"
    assert not [k for k in direct if k.startswith("HTTP_X_FORWARDED")]
    untrusting = server.ProxyHeaders(lambda e, s: [b""], None)
    assert _seen_by(untrusting, {**base, "REMOTE_ADDR": "127.0.0.1"})["REMOTE_ADDR"] == "127.0.0.1"


def test_server_choice_and_settings(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert server.default_workers() >= 1
    monkeypatch.setattr(server, "granian_usable", lambda: True)
    assert server.server_name() == "granian"
    monkeypatch.setattr(server, "granian_usable", lambda: False)
    assert server.server_name() == "waitress"
    port = server.claim_port("127.0.0.1", 0)
    assert port > 0 and not server.answering("127.0.0.1", port)
    granian = server.granian_server(host="127.0.0.1", port=port, workers=3, threads=4)
    assert (granian.workers, granian.blocking_threads, granian.bind_port) == (3, 4, port)
    assert granian.interface.value == "wsgi" and granian.log_access is False
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        assert server.answering("127.0.0.1", sock.getsockname()[1])
        assert server.answering("0.0.0.0", sock.getsockname()[1])  # tried on loopback


def test_granians_thread_count_warning_is_dropped_and_others_kept(caplog) -> None:  # type: ignore[no-untyped-def]
    server.granian_server(host="127.0.0.1", port=server.claim_port("127.0.0.1", 0),
                          workers=2, threads=8)
    log = logging.getLogger("_granian")
    log.propagate = True
    with caplog.at_level(logging.WARNING, logger="_granian"):
        log.warning("Configuration allows spawning up to 8 Python threads, which seems high")
        log.warning("Workers respawn is configured, but ...")
    assert [r.getMessage() for r in caplog.records] == ["Workers respawn is configured, but ..."]


def test_each_worker_serves_its_own_app_behind_the_proxy_check(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(server, "ready", lambda app: app)
    wrapped = server.worker_app(lambda: "the app", "127.0.0.1")
    assert isinstance(wrapped, server.ProxyHeaders) and wrapped.app == "the app"
    assert wrapped.trusted_proxy == "127.0.0.1"


def test_the_app_asks_flask_once_per_function_whether_it_is_async(monkeypatch):
    from flask import Flask

    from explorer.web import ExplorerFlask

    asked: list = []
    monkeypatch.setattr(Flask, "ensure_sync", lambda self, func: asked.append(func) or func)
    app = ExplorerFlask(__name__)

    def view() -> str:
        return "ok"

    async def async_view() -> str:
        return "ok"

    for _ in range(3):
        assert app.ensure_sync(view) is view
        assert app.ensure_sync(async_view) is async_view
    assert asked == [view, async_view]
