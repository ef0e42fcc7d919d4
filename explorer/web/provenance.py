"""How pages say where a summary comes from: a blog post (with its month) or an addition.

One sentence per summary, built from the taxonomy's origins (their labels live in
``taxonomy.yaml``), so the summary page, lists and search results word it the same way and
a reader can always tell a real PPRNet blog post from a summary added to this archive.
"""

from __future__ import annotations

from typing import Any

from explorer.records import Origin, Taxonomy
from explorer.web.viewhelpers import month_label

DATES_NOTE = ("Blog posts, by the month the blog posted them. Summaries added to this "
              "archive were never posted, so they are not counted here.")


def origin_line(item: Any, taxonomy: Taxonomy) -> str:
    """'Posted on the PPRNet blog, June 2019' / 'Added to this archive; not a blog post
    (added November 2026)' for a summary or a search hit (anything with ``origin`` and
    ``published``, and optionally ``added``)."""
    origin: Origin | None = taxonomy.origin(getattr(item, "origin", "") or "")
    published = getattr(item, "published", "") or ""
    if origin is None:  # an index older than origins: say only what is known
        return month_label(published)
    if origin.posted:
        return f"{origin.label}, {month_label(published)}" if published else (
            f"{origin.label} (month unknown)")
    added = getattr(item, "added", None)
    return f"{origin.label} (added {month_label(added)})" if added else origin.label
