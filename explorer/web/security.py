"""Security plumbing of the web app: headers, CSRF, secrets, passwords, a login rate limit.

Kept in one small module so every rule is in one place and testable: the headers every
response carries (a Content-Security-Policy with no inline script or style), a CSRF token
checked on every form post, the secret key (from the environment, else generated once
and kept in the index folder so sessions survive a restart), the editor password held
only as a hash, the API token compared in constant time, and a sliding-window limit on
sign-in attempts.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import threading
import time
from collections import deque
from pathlib import Path
from typing import TypeVar

from flask import Flask, Response, request, session
from werkzeug.exceptions import BadRequest
from werkzeug.security import check_password_hash, generate_password_hash

from explorer.corpus import atomic_write_text

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SECRET_KEY_FILE = "secret_key"
_HASH_PREFIXES = ("scrypt:", "pbkdf2:")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


# --------------------------------------------------------------------------- headers


def add_security_headers(response: Response) -> Response:
    """Each of `SECURITY_HEADERS` the response does not already have, and Cache-Control.

    One pass over the response's few headers, then one append: a ``setdefault`` per
    header scanned them all each time (a tenth of Flask's own work for a request)."""
    headers = response.headers
    present = {name.lower() for name in headers.keys()}  # noqa: SIM118 - Headers, not dict
    headers.extend([item for item in _SECURITY_ITEMS if item[0].lower() not in present])
    if "cache-control" not in present and request.endpoint != "static":
        # Pages may show editor state; shared caches must not keep them.
        headers["Cache-Control"] = "no-store" if session.get("editor") else "private"
    return response


_SECURITY_ITEMS = tuple(SECURITY_HEADERS.items())


# --------------------------------------------------------------------------- CSRF


def csrf_token() -> str:
    """The session's CSRF token (created on first use); templates put it in every form."""
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


def csrf_valid() -> bool:
    expected = session.get(CSRF_FIELD)
    given = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    return (
        isinstance(expected, str)
        and bool(given)
        and hmac.compare_digest(expected.encode(), given.encode())
    )


V = TypeVar("V")


def csrf_exempt(view: V) -> V:
    """Mark a view that checks its own authentication (the token-authenticated API)."""
    view.csrf_exempt = True  # type: ignore[attr-defined]
    return view


def check_csrf(app: Flask) -> None:
    """before_request hook: every state-changing request needs the session's token."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.routing_exception is not None:
        return  # (no such page or method: let that 404/405 through, not a CSRF error)
    view = app.view_functions.get(request.endpoint or "")
    if view is not None and getattr(view, "csrf_exempt", False):
        return
    if not csrf_valid():
        raise FormExpired()


class FormExpired(BadRequest):
    """A form without the session's CSRF token: its session expired (or was replaced by a
    sign-in in another tab), or the form came from another site. A class of its own so a
    page can say more than this (the editor offers to sign in again, keeping the draft)."""

    description = ("This form has expired or did not come from this site. "
                   "Reload the page and try again.")


# --------------------------------------------------------------------------- secrets


def load_secret_key(index_dir: Path) -> str:
    """``PPRNET_SECRET_KEY``, else ``index_dir/secret_key`` (created once, mode 0600)."""
    from_env = os.environ.get("PPRNET_SECRET_KEY", "").strip()
    if from_env:
        return from_env
    path = Path(index_dir) / SECRET_KEY_FILE
    with contextlib.suppress(OSError, UnicodeDecodeError):
        existing = path.read_text(encoding="utf-8").strip()
        if len(existing) >= 32:
            return existing
    key = secrets.token_hex(32)
    old_umask = os.umask(0o077)
    try:
        atomic_write_text(path, key + "\n")
    except OSError:
        return key  # read-only index folder: sessions just won't survive a restart
    finally:
        os.umask(old_umask)
    with contextlib.suppress(OSError):
        path.chmod(0o600)
    return key


def hash_password(password: str | None) -> str | None:
    """Hash a plain password; a value that already is a Werkzeug hash is kept as is."""
    if not password:
        return None
    if password.startswith(_HASH_PREFIXES) and "$" in password:
        return password
    return generate_password_hash(password)


def password_matches(password_hash: str | None, given: str) -> bool:
    if not password_hash or not given:
        return False
    try:
        return check_password_hash(password_hash, given)
    except (ValueError, TypeError):
        return False


def token_digest(token: str | None) -> str | None:
    return hashlib.sha256(token.encode()).hexdigest() if token else None


def token_matches(expected_digest: str | None, given: str | None) -> bool:
    """Constant-time comparison of a presented API token with the configured one."""
    if not expected_digest or not given:
        return False
    return hmac.compare_digest(expected_digest, hashlib.sha256(given.encode()).hexdigest())


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.headers.get("X-API-Token") or None


# --------------------------------------------------------------------------- rate limit


class RateLimiter:
    """At most ``limit`` events per ``window`` seconds per key (a sliding window).

    In memory and per process: enough for one waitress process guarding a login form.
    """

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> float:
        """Record an attempt; returns 0 when allowed, else seconds until the next is."""
        now = time.monotonic()
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and now - events[0] >= self.window:
                events.popleft()
            if len(events) >= self.limit:
                return max(self.window - (now - events[0]), 1.0)
            events.append(now)
            if len(self._events) > 10_000:  # forget clients idle for a whole window
                idle = [k for k, v in self._events.items() if now - v[-1] >= self.window]
                for stale in idle:
                    del self._events[stale]
            return 0.0

    def reset(self, key: str) -> None:
        with self._lock:
            self._events.pop(key, None)


def client_key() -> str:
    return request.remote_addr or "unknown"
