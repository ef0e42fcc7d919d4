"""Strict mode: failures that production turns into a degraded answer are raised instead.

Production promises that no query becomes a 500: the parser and the search catch every
exception and answer anyway (match everything, or an empty page with a notice), logging a
warning with the query. That promise also hides bugs from the tests, which see an answer
and pass. With ``PPRNET_STRICT=1`` in the environment (the test suite sets it in
``tests/conftest.py``) those places re-raise, so a swallowed exception fails the test that
caused it. Tests of the degraded answer itself turn it off for their duration.
"""

from __future__ import annotations

import logging
import os

ENV = "PPRNET_STRICT"


def enabled() -> bool:
    """True when ``PPRNET_STRICT`` is set to anything but empty, 0, false, no or off."""
    return os.environ.get(ENV, "").strip().lower() not in ("", "0", "false", "no", "off")


def degraded(log: logging.Logger, what: str, query: object, exc: BaseException) -> None:
    """Record a degraded answer: re-raise ``exc`` in strict mode, else log a warning.

    Call it from the ``except`` block that degrades; the warning names the query (as typed,
    shortened for the log) and the exception, with its traceback.
    """
    if enabled():
        raise exc
    shown = query if not isinstance(query, str) or len(query) <= 300 else query[:300] + "..."
    log.warning("%s (%s: %s) for query %r", what, type(exc).__name__, exc, shown,
                exc_info=exc)
