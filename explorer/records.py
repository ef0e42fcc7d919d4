"""Plain records of the archive: citations, summaries and the topic taxonomy.

No I/O here, so every other layer (corpus files, index, tagger, web) can share these
types without dragging in each other's dependencies.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

RESEARCH_TYPES_DEFAULT: tuple[str, ...] = (
    "Naturalistic, observational or qualitative study",
    "Meta-analysis",
    "Review, chapter or commentary",
    "Randomized controlled trial",
)



@dataclass(frozen=True)
class Origin:
    """Where a summary comes from, as the taxonomy file defines it.

    ``posted`` origins are posts of the PPRNet blog: their ``published`` month is the
    month the blog posted them. The others were added to this archive and must not carry
    a posting month (a month that never happened); they may say when they were added.
    """

    id: str  # the front-matter value, e.g. "blog-post"
    name: str  # facet label, e.g. "PPRNet blog post"
    posted: bool
    label: str = ""  # the sentence a summary page shows


ORIGINS_DEFAULT: tuple[Origin, ...] = (
    Origin("blog-post", "PPRNet blog post", True, "Posted on the PPRNet blog"),
    Origin("added", "Added to this archive", False, "Added to this archive; not a blog post"),
)
BLOG_POST = "blog-post"


def slugify(text: str, max_length: int = 70) -> str:
    """URL-safe ascii slug, cut at a word boundary so ids stay readable."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    if not slug and words:
        slug = words[0][:max_length]
    return slug or "untitled"


@dataclass
class Citation:
    """A parsed APA-style reference. Every field may be missing: blog citations often are."""

    authors: list[str] = field(default_factory=list)
    year: str | None = None  # "2023", or "in press"
    title: str | None = None
    journal: str | None = None  # journal name, or the book title for a chapter
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    editors: list[str] = field(default_factory=list)
    publisher: str | None = None
    status: str | None = None  # "advance online publication" / "in press"

    def is_empty(self) -> bool:
        return not (self.authors or self.year or self.title or self.journal or self.doi)

    @property
    def kind(self) -> str:
        """'chapter' when the reference names editors or a publisher, else 'article'."""
        return "chapter" if (self.editors or self.publisher) else "article"

    @property
    def doi_url(self) -> str | None:
        return f"https://doi.org/{self.doi}" if self.doi else None

    def short(self) -> str:
        """'Surname et al. (2023), Journal' — for result lists."""
        if not self.authors:
            lead = ""
        else:
            first = self.authors[0].split(",")[0].strip()
            if len(self.authors) == 1:
                lead = first
            elif len(self.authors) == 2:
                lead = f"{first} & {self.authors[1].split(',')[0].strip()}"
            else:
                lead = f"{first} et al."
        parts = []
        if lead:
            parts.append(f"{lead} ({self.year})" if self.year else lead)
        elif self.year:
            parts.append(f"({self.year})")
        if self.journal:
            parts.append(self.journal)
        return ", ".join(parts)

    def formatted(self) -> str:
        """Full APA-like reference string."""
        out = []
        if self.authors:
            names = self.authors
            authors = names[0] if len(names) == 1 else ", ".join(names[:-1]) + ", & " + names[-1]
            out.append(authors)
        out.append(f"({self.year or 'n.d.'}).")
        if self.title:
            out.append(self.title.rstrip(".") + ("" if self.title.endswith("?") else "."))
        if self.journal:
            source = self.journal
            if self.kind == "chapter":
                eds = ", ".join(self.editors)
                source = f"In {eds} (Eds.), {self.journal}" if eds else f"In {self.journal}"
                if self.pages:
                    source += f" (pp. {self.pages})"
                source += "."
                if self.publisher:
                    source += f" {self.publisher}."
            else:
                if self.volume:
                    source += f", {self.volume}"
                    if self.issue:
                        source += f"({self.issue})"
                if self.pages:
                    source += f", {self.pages}"
                source += "."
            out.append(source)
        if self.status and self.status != "in press":
            out.append(self.status.capitalize() + ".")
        if self.doi:
            out.append(f"https://doi.org/{self.doi}")
        return " ".join(out)

    def to_dict(self) -> dict:
        data: dict = {"authors": list(self.authors)}
        year: str | int | None = self.year
        if isinstance(year, str) and year.isdigit():
            year = int(year)
        data["year"] = year
        for key in ("title", "journal", "volume", "issue", "pages", "doi"):
            data[key] = getattr(self, key)
        if self.editors:
            data["editors"] = list(self.editors)
        if self.publisher:
            data["publisher"] = self.publisher
        if self.status:
            data["status"] = self.status
        return data


@dataclass
class Summary:
    """One summary of one study, as the blog published it (or the editor wrote it)."""

    id: str
    published: str  # "YYYY-MM" of the blog post; "" when not a blog post or month unknown
    title: str
    body: str
    implications: str = ""
    citation: Citation = field(default_factory=Citation)
    topics: list[str] = field(default_factory=list)
    research_type: str | None = None
    path: str | None = None
    origin: str = BLOG_POST  # an `Origin.id` of the taxonomy
    added: str | None = None  # "YYYY-MM" the summary was added to the archive (not a post)

    @property
    def year(self) -> int | None:
        """Year of the blog post; None for summaries the blog never posted (or undated)."""
        return int(self.published[:4]) if self.published else None

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "origin": self.origin,
            "published": self.published or None,
            "added": self.added,
            "title": self.title,
            "citation": self.citation.to_dict(),
            "topics": list(self.topics),
            "research_type": self.research_type,
            "body": self.body,
            "implications": self.implications,
            "path": self.path,
        }


@dataclass
class Taxonomy:
    """The fixed topic list of the blog and its research types, with accepted aliases."""

    topics: list[str]
    research_types: list[str] = field(default_factory=lambda: list(RESEARCH_TYPES_DEFAULT))
    aliases: dict[str, str] = field(default_factory=dict)
    type_aliases: dict[str, str] = field(default_factory=dict)
    origins: list[Origin] = field(default_factory=lambda: list(ORIGINS_DEFAULT))
    # Topics the editor uses when no subject topic fits ("Miscellaneous"): the tagger
    # scores them by how weakly the others fit, not by their words (`tagger.residual`).
    residual_topics: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._topic_by_key = {self._key(t): t for t in self.topics}
        for alias, target in self.aliases.items():
            self._topic_by_key[self._key(alias)] = target
        self._type_by_key = {self._key(t): t for t in self.research_types}
        for alias, target in self.type_aliases.items():
            self._type_by_key[self._key(alias)] = target
        self._topic_by_slug = {slugify(t): t for t in self.topics}
        self._origin_by_key: dict[str, Origin] = {}
        for origin in self.origins:
            for name in (origin.id, origin.name, origin.id.replace("-", " ")):
                self._origin_by_key[self._key(name)] = origin

    @staticmethod
    def _key(name: str) -> str:
        return re.sub(r"\s+", " ", name.strip().casefold())

    def canonical_topic(self, name: str) -> str | None:
        """The taxonomy's spelling of a topic (aliases and case forgiven), or None."""
        return self._topic_by_key.get(self._key(name))

    def canonical_type(self, name: str) -> str | None:
        return self._type_by_key.get(self._key(name))

    def suggest_topic(self, name: str) -> str | None:
        """Closest topic name, for 'did you mean' in validation messages."""
        return _closest(name, list(self._topic_by_key), self._topic_by_key)

    def suggest_type(self, name: str) -> str | None:
        return _closest(name, list(self._type_by_key), self._type_by_key)

    def origin(self, name: str) -> Origin | None:
        """The origin with this id or name (case and hyphens forgiven), or None."""
        return self._origin_by_key.get(self._key(name))

    def origin_ids(self) -> list[str]:
        return [o.id for o in self.origins]

    def topic_from_slug(self, slug: str) -> str | None:
        return self._topic_by_slug.get(slug)

    def to_dict(self) -> dict:
        """Plain JSON-ready data: what an index saves so that searches resolve topic,
        type and source names the way the corpus did, without reading the corpus files."""
        return {
            "topics": list(self.topics),
            "research_types": list(self.research_types),
            "aliases": dict(self.aliases),
            "type_aliases": dict(self.type_aliases),
            "origins": [
                {"id": o.id, "name": o.name, "posted": o.posted, "label": o.label}
                for o in self.origins
            ],
        }

    @classmethod
    def from_dict(cls, data: dict) -> Taxonomy:
        """The inverse of `to_dict`; data saved before origins were kept gets the default
        origins. KeyError or TypeError for data of another shape."""
        origins = data.get("origins")
        return cls(
            topics=[str(t) for t in data["topics"]],
            research_types=[str(t) for t in data["research_types"]],
            aliases={str(k): str(v) for k, v in (data.get("aliases") or {}).items()},
            type_aliases={str(k): str(v) for k, v in (data.get("type_aliases") or {}).items()},
            origins=list(ORIGINS_DEFAULT) if origins is None else [
                _origin_from_dict(o) for o in origins
            ],
        )


def _origin_from_dict(data: dict) -> Origin:
    posted = data["posted"]
    if not isinstance(posted, bool):  # "false" read as true would misdate summaries
        raise TypeError(f"origin {data.get('id')!r}: 'posted' is not true or false")
    return Origin(str(data["id"]), str(data["name"]), posted, str(data.get("label") or ""))


def _closest(name: str, keys: list[str], mapping: dict[str, str]) -> str | None:
    match = difflib.get_close_matches(Taxonomy._key(name), keys, n=1, cutoff=0.6)
    if not match:
        # Prefix or containment catches "CBT" or "Alliance" style shorthand.
        key = Taxonomy._key(name)
        contained = [k for k in keys if key and (key in k or k in key)]
        match = contained[:1]
    return mapping[match[0]] if match else None
