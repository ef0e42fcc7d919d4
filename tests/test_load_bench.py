"""The load test's summary of repeated rounds (`bench/load.py --repeat N`).

A figure of a repeated run is the median of that figure over the rounds, while counts
(requests, errors) add up: checked on rounds worked out by hand.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from load import median_round  # noqa: E402


def _run(rps: float, cpu: float, requests: int, errors: int = 0) -> dict:
    return {"requests": requests, "requests_per_second": rps, "p99_ms": rps / 100,
            "non_2xx": errors, "socket_errors": 0, "urls": 216,
            "server_cpu_ms_per_request": cpu}


def _round(trivial: dict, uncached: dict) -> dict:
    return {"trivial": trivial, "mix_uncached": uncached,
            "mix_uncached_fraction_of_trivial": round(
                uncached["requests_per_second"] / trivial["requests_per_second"], 3)}


def test_one_round_is_returned_as_it_is() -> None:
    only = _round(_run(1000, 0.5, 6000), _run(250, 2.0, 1500))
    assert median_round([only]) is only


def test_figures_are_medians_and_counts_are_sums() -> None:
    rounds = [
        _round(_run(1000, 0.5, 6000), _run(250, 2.4, 1500, errors=1)),
        _round(_run(3000, 0.4, 18000), _run(300, 1.9, 1800)),
        _round(_run(2000, 0.6, 12000), _run(100, 2.1, 600)),
    ]
    summary = median_round(rounds)
    assert summary["trivial"]["requests_per_second"] == 2000
    assert summary["trivial"]["server_cpu_ms_per_request"] == 0.5
    assert summary["mix_uncached"]["server_cpu_ms_per_request"] == 2.1
    assert summary["mix_uncached"]["p99_ms"] == 2.5
    assert summary["trivial"]["requests"] == 36000
    assert summary["mix_uncached"]["requests"] == 3900
    assert summary["mix_uncached"]["non_2xx"] == 1
    assert summary["mix_uncached"]["urls"] == 216  # the same in every round
    # the median of the per-round fractions (0.25, 0.1, 0.05), not one recomputed from
    # the medians of the two rates (250 / 2000 = 0.125)
    assert summary["mix_uncached_fraction_of_trivial"] == 0.1
