"""A label prior that follows the editor's habits over time.

The flat prior (`scoring.frequency_prior`) gives every text the archive's overall share of
each topic. But the editor's tagging changed over ten years: some topics are used far more
often in some years than in others (Outcomes and Deterioration on 19% of posts since 2019,
12% before). This prior is each topic's share among the training summaries dated near the
text, weighted by a Gaussian kernel of ``bandwidth`` years and shrunk towards the overall
share by ``strength`` pseudo-summaries (a year holds about a dozen posts, too few alone).

A text dated after the newest training summary (a draft written today) or before the
oldest is dated at that edge: the most recent (or earliest) window is the best guess of
the habit in use. Like the flat prior, shares are divided by the largest overall share, so
the prior weight means the same thing on both.
"""

from __future__ import annotations

import numpy as np


def dated_prior(labels: np.ndarray, dates: np.ndarray, at: np.ndarray, bandwidth: float,
                strength: float, *, leave_out: bool = False) -> np.ndarray:
    """Rows of ``at`` x topics: each topic's kernel-weighted share near that date, 0..1+.

    ``labels`` (documents x topics) and ``dates`` (fractional years, NaN: undated) are the
    training summaries; ``at`` the dates to score (NaN: the newest training date).
    ``leave_out`` says ``at`` are the training summaries themselves, in order, and each
    leaves itself out (out-of-fold scores must not see their own labels). Undated
    summaries count in the overall share only.
    """
    y = labels.astype(np.float64)
    n_topics = y.shape[1] if y.ndim == 2 else 0
    at = np.asarray(at, dtype=np.float64)
    if y.shape[0] == 0:
        return np.zeros((len(at), n_topics))
    overall = y.mean(axis=0)
    top = overall.max()
    top = top if top > 0 else 1.0
    flat = np.tile(overall / top, (len(at), 1))
    known = ~np.isnan(dates)
    if bandwidth <= 0 or not known.any():
        return flat
    when = np.clip(np.where(np.isnan(at), np.inf, at), dates[known].min(), dates[known].max())
    weights = np.exp(-0.5 * ((when[:, None] - dates[None, known]) / bandwidth) ** 2)
    if leave_out:
        if len(at) != len(dates):
            raise ValueError("leave_out needs one date per training summary")
        columns = np.cumsum(known) - 1  # column of each known training summary
        rows = np.flatnonzero(known)
        weights[rows, columns[rows]] = 0.0
    counts = weights @ y[known]
    total = weights.sum(axis=1, keepdims=True)
    shares = (counts + strength * overall[None, :]) / (total + strength)
    return shares / top
