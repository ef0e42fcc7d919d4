"""Request and response records of a search, shared by the CLI, the web UI and the API.

`SearchRequest` normalises its own inputs so the web layer can pass raw URL values:
whatever comes in is turned into something searchable, and every correction is reported
in ``notices`` instead of raising.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SORTS = ("relevance", "newest", "oldest")
DEFAULT_PER_PAGE = 10
MAX_PER_PAGE = 100
MAX_PAGE = 10_000
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?$")
_YEAR_ONLY = re.compile(r"^[12]\d{3}$")


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    try:
        items = list(value)
    except TypeError:
        items = [value]
    out: list[str] = []
    for item in items:
        if item is None:
            continue
        text = " ".join(str(item).split())
        if text and text not in out:
            out.append(text)
    return out


def _as_int(value: Any, default: int) -> int | None:
    if value is None or value == "":
        return default
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def normalize_date(value: Any, *, end: bool) -> tuple[str | None, int | None]:
    """'2019' / '2019-5' / '2019-05' -> ('2019-05', month ordinal). Bad -> (None, None).

    A bare year means January as a start and December as an end.
    """
    if value is None:
        return None, None
    text = str(value).strip()
    if not text:
        return None, None
    match = _DATE_RE.match(text)
    if not match:
        return None, None
    year = int(match.group(1))
    if match.group(2) is None:
        month = 12 if end else 1
        shown = f"{year:04d}"
    else:
        month = int(match.group(2))
        shown = f"{year:04d}-{month:02d}"
    if not (1 <= month <= 12) or not (1000 <= year <= 9999):
        return None, None
    return shown, year * 12 + (month - 1)


@dataclass
class SearchRequest:
    """One search. Construct with raw values; ``__post_init__`` cleans them up."""

    q: str = ""
    topics: list[str] = field(default_factory=list)
    any_topic: bool = False
    types: list[str] = field(default_factory=list)
    date_from: str | None = None  # "YYYY" or "YYYY-MM"
    date_to: str | None = None
    study_from: str | None = None  # the cited article's year, "YYYY"
    study_to: str | None = None
    sort: str = "relevance"  # relevance | newest | oldest
    correct: bool = True  # search a spelling correction when the query finds nothing
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    notices: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # origin ids or names: the Source facet

    @classmethod
    def from_raw(cls, **values: Any) -> SearchRequest:
        """A request from raw values: URL parameters or CLI option strings (``page="2"``,
        ``any_topic="1"``). The fields' annotations say what they hold once
        ``__post_init__`` has cleaned them, which is what every reader relies on; raw values
        come in here, typed as what they are."""
        return cls(**values)

    def __post_init__(self) -> None:
        self.q = "" if self.q is None else str(self.q)
        self.sources = _as_list(self.sources)
        self.topics = _as_list(self.topics)
        self.types = _as_list(self.types)
        if isinstance(self.any_topic, str):
            self.any_topic = self.any_topic.strip().lower() in ("1", "true", "yes", "on", "any")
        else:
            self.any_topic = bool(self.any_topic)
        sort = str(self.sort or "relevance").strip().lower()
        if sort not in SORTS:
            self.notices.append(f"Unknown sort {self.sort!r}, so results are sorted by "
                                "relevance.")
            sort = "relevance"
        self.sort = sort
        page = _as_int(self.page, 1)
        if page is None:
            self.notices.append(f"Page {self.page!r} is not a number, so page 1 is shown.")
            page = 1
        elif page < 1:
            self.notices.append(f"There is no page {page}, so page 1 is shown.")
        self.page = min(max(page, 1), MAX_PAGE)
        per_page = _as_int(self.per_page, DEFAULT_PER_PAGE)
        if per_page is None or per_page < 1:
            per_page = DEFAULT_PER_PAGE
        if per_page > MAX_PER_PAGE:
            self.notices.append(f"At most {MAX_PER_PAGE} results are shown per page.")
            per_page = MAX_PER_PAGE
        self.per_page = per_page
        self.date_from = self._date(self.date_from, "from", end=False)
        self.date_to = self._date(self.date_to, "to", end=True)
        self.study_from = self._study(self.study_from, "from")
        self.study_to = self._study(self.study_to, "to")
        if self.study_from and self.study_to and int(self.study_from) > int(self.study_to):
            self.notices.append("The study year 'from' was after 'to', so they were swapped.")
            self.study_from, self.study_to = self.study_to, self.study_from
        if self.date_from and self.date_to and self.month_range()[0] > self.month_range()[1]:
            self.notices.append("The posted 'from' date was after 'to', so they were swapped.")
            self.date_from, self.date_to = self.date_to, self.date_from
            # a bare year swapped from 'to' to 'from' still means the whole year
            self.date_from = self._date(self.date_from, "from", end=False)
            self.date_to = self._date(self.date_to, "to", end=True)

    def _date(self, value: Any, label: str, *, end: bool) -> str | None:
        shown, _ = normalize_date(value, end=end)
        if shown is None and value not in (None, ""):
            self.notices.append(f"The posted '{label}' date {value!r} was ignored "
                                "(use YYYY or YYYY-MM).")
        return shown

    def _study(self, value: Any, label: str) -> str | None:
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        if not _YEAR_ONLY.match(text):
            self.notices.append(f"The study year '{label}' {value!r} was ignored (use YYYY).")
            return None
        return text

    def study_range(self) -> tuple[int, int]:
        """Inclusive bounds of the study-year filter (the cited article's year)."""
        lo = int(self.study_from) if self.study_from else 0
        hi = int(self.study_to) if self.study_to else 9999
        return lo, hi

    def month_range(self) -> tuple[int, int]:
        """Inclusive month ordinals (year*12 + month-1) of the date filter."""
        lo = normalize_date(self.date_from, end=False)[1]
        hi = normalize_date(self.date_to, end=True)[1]
        return (lo if lo is not None else -1, hi if hi is not None else 1 << 30)

    @property
    def has_filters(self) -> bool:
        return bool(self.topics or self.types or self.date_from or self.date_to
                    or self.study_from or self.study_to or self.sources)


@dataclass
class Hit:
    id: str
    title: str
    published: str
    topics: list[str]
    research_type: str | None
    citation: str  # short: "Surname et al. (2023), Journal"
    score: float
    snippet_html: str  # HTML-escaped, matches in <mark>
    title_html: str  # HTML-escaped, matches in <mark>
    origin: str = ""  # "blog-post" / "added"

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "origin": self.origin,
            "published": self.published or None,
            "topics": list(self.topics),
            "research_type": self.research_type,
            "citation": self.citation,
            "score": round(float(self.score), 4),
            "snippet_html": self.snippet_html,
        }


@dataclass
class SearchResponse:
    query: str
    total: int
    page: int
    pages: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    did_you_mean: str | None = None
    fallback: bool = False  # kept for API stability: ranking no longer falls back
    corrected_from: str | None = None  # the typed query, when a correction was searched
    notices: list[str] = field(default_factory=list)
    # the filters as applied (canonical names), echoed for the UI
    topics: list[str] = field(default_factory=list)
    any_topic: bool = False
    types: list[str] = field(default_factory=list)
    date_from: str | None = None
    date_to: str | None = None
    study_from: str | None = None
    study_to: str | None = None
    sort: str = "relevance"
    per_page: int = DEFAULT_PER_PAGE
    sources: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """Exactly the ``pprnet search --json`` object of the issue."""
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "pages": self.pages,
            "hits": [hit.to_json() for hit in self.hits],
            "facets": {
                "topics": dict(self.facets.get("topics", {})),
                "research_type": dict(self.facets.get("research_type", {})),
                "year": dict(self.facets.get("year", {})),
                "source": dict(self.facets.get("source", {})),
            },
            "did_you_mean": self.did_you_mean,
            "fallback": self.fallback,
            "corrected_from": self.corrected_from,
        }
