"""`web.background.every_while_alive`: a follower thread that never keeps its object alive."""

from __future__ import annotations

import gc
import threading
import time
import weakref

from explorer.web.background import every_while_alive


class Owner:
    """Stands in for a WebState or a CorpusFollower."""


def test_steps_while_the_owner_lives_and_ends_when_it_is_collected():
    owner = Owner()
    steps: list[str] = []
    stepped = threading.Event()

    def step(o: Owner) -> None:
        steps.append(type(o).__name__)  # not the object: the list must not hold it
        stepped.set()

    thread = every_while_alive(owner, 0.01, step, name="pprnet-test-follow")
    assert thread.daemon and thread.name == "pprnet-test-follow"
    assert stepped.wait(10)
    gone = weakref.ref(owner)
    del owner
    for _ in range(500):  # the thread holds it only during a step, so it goes soon
        gc.collect()
        if gone() is None:
            break
        time.sleep(0.01)
    assert gone() is None
    thread.join(10)
    assert not thread.is_alive()
    assert steps and set(steps) == {"Owner"}
