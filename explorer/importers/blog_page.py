"""Import the text of a PPRNet blog listing page into `Summary` records.

A listing page reads: an intro, "This month...", the topic sidebar, then posts under
month headings ("December 2023"). Within a month each summary is a heading line, an
optional citation line, summary paragraphs, a "Practice Implications" line and its
paragraphs. The page shows no topics, so imported summaries are untagged.

Splitting summaries inside a month relies on the "Practice Implications" markers: the
next summary's heading is the line just before the next citation line, or failing that
the first short line after the implications paragraph.
"""

from __future__ import annotations

import re

from explorer.citation import looks_like_citation, parse_citation
from explorer.importers.base import ImportedSummary, Importer, ImportResult
from explorer.importers.html_text import html_to_text, looks_like_html
from explorer.records import BLOG_POST, Citation, Summary, slugify

MONTHS = {
    name: i
    for i, name in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
MONTH_HEADING_RE = re.compile(
    r"^(?P<month>" + "|".join(m.capitalize() for m in MONTHS) + r")\s+(?P<year>(?:19|20)\d{2})$"
)
IMPLICATIONS_RE = re.compile(r"^Practice Implications\s*:?$", re.IGNORECASE)
HEADING_MAX_WORDS = 30


def _is_heading_like(line: str) -> bool:
    return 0 < len(line.split()) <= HEADING_MAX_WORDS and not looks_like_citation(line)


def _split_month(block: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """Cut one month's lines into per-summary chunks."""
    markers = [i for i, (_, text) in enumerate(block) if IMPLICATIONS_RE.match(text)]
    if not markers:
        return [block] if block else []
    starts = [0]
    for k, marker in enumerate(markers[:-1]):
        nxt = markers[k + 1]
        lo, hi = marker + 2, nxt - 1  # leave one implications line, one body line
        start = None
        for j in range(lo, hi):
            if looks_like_citation(block[j + 1][1]) and _is_heading_like(block[j][1]):
                start = j
                break
        if start is None:
            start = next((j for j in range(lo, hi + 1) if _is_heading_like(block[j][1])), lo)
        starts.append(min(start, hi))
    chunks = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(block)
        chunks.append(block[start:end])
    return chunks


def _chunk_to_summary(
    chunk: list[tuple[int, str]], published: str, result: ImportResult
) -> ImportedSummary | None:
    line_no, heading = chunk[0]
    rest = chunk[1:]
    citation = Citation()
    if rest and looks_like_citation(rest[0][1]):
        citation = parse_citation(rest[0][1])
        rest = rest[1:]
    else:
        result.warnings.append(f"line {line_no}: no citation line after heading {heading!r}")
    body_lines: list[str] = []
    impl_lines: list[str] = []
    in_impl = False
    for _, text in rest:
        if IMPLICATIONS_RE.match(text):
            in_impl = True
            continue
        (impl_lines if in_impl else body_lines).append(text)
    if not body_lines:
        result.warnings.append(f"line {line_no}: summary {heading!r} has no text; skipped")
        return None
    if not impl_lines:
        result.warnings.append(f"line {line_no}: no Practice Implications for {heading!r}")
    title = heading.strip()
    if title.endswith(".") and not title.endswith("..."):
        title = title[:-1].rstrip()
    summary = Summary(
        id=f"{published}-{slugify(title)}",
        origin=BLOG_POST,  # the blog's own page: a real post, with the month it heads
        published=published,
        title=title,
        body="\n\n".join(body_lines),
        implications="\n\n".join(impl_lines),
        citation=citation,
        topics=[],
        research_type=None,
    )
    return ImportedSummary(summary, line_no)


def import_blog_page(text: str) -> ImportResult:
    """Parse a listing page's text. Never raises on odd text: it warns and moves on."""
    result = ImportResult()
    lines = [(i, raw.strip()) for i, raw in enumerate(text.splitlines(), start=1)]
    lines = [(i, t) for i, t in lines if t]
    month_at = [k for k, (_, t) in enumerate(lines) if MONTH_HEADING_RE.match(t)]
    if not month_at:
        result.warnings.append("line 1: no month heading (like 'December 2023') found")
        return result
    ids: dict[str, int] = {}
    for n, k in enumerate(month_at):
        match = MONTH_HEADING_RE.match(lines[k][1])
        assert match is not None
        published = f"{match.group('year')}-{MONTHS[match.group('month').lower()]:02d}"
        end = month_at[n + 1] if n + 1 < len(month_at) else len(lines)
        for chunk in _split_month(lines[k + 1 : end]):
            item = _chunk_to_summary(chunk, published, result)
            if item is None:
                continue
            base = item.summary.id
            if base in ids:  # two posts with one heading in one month: keep both
                ids[base] += 1
                item.summary.id = f"{base}-{ids[base]}"
            else:
                ids[base] = 1
            result.summaries.append(item)
    return result


def read_saved_page(text: str) -> ImportResult:
    """A page saved from the browser, as text or as HTML (turned into its text first)."""
    return import_blog_page(html_to_text(text) if looks_like_html(text) else text)


IMPORTER = Importer(
    name="blog-page",
    suffixes=(".txt", ".html", ".htm"),
    read=read_saved_page,
    description="a PPRNet blog listing page saved as text or HTML",
)
