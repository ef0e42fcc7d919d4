"""Background threads that live only as long as the object they serve.

The site's follower threads (the corpus follower, the rebuild watcher) wake every second.
A thread holding its object strongly would keep a discarded one alive for ever (every
test app, every replaced state); these hold it weakly, take it only for the length of one
step, and end once it is gone.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def every_while_alive(owner: T, seconds: float, step: Callable[[T], None],
                      name: str) -> threading.Thread:
    """Start a daemon thread that calls ``step(owner)`` every ``seconds`` until ``owner``
    is collected. ``step`` must not hold ``owner`` itself (pass a plain function)."""
    thread = threading.Thread(target=_loop, args=(weakref.ref(owner), seconds, step),
                              daemon=True, name=name)
    thread.start()
    return thread


def _loop(ref: weakref.ref[T], seconds: float, step: Callable[[T], None]) -> None:
    while True:
        time.sleep(seconds)
        owner = ref()
        if owner is None:
            return
        step(owner)
        del owner  # not held while asleep, so it can be collected in between
