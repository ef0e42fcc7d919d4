"""Read, validate and atomically write the corpus: one Markdown file per summary.

The corpus is the archive's only copy of years of editorial work, so this module is
strict in two directions: every problem in a folder is reported in one run as
``path:line: message`` (never a traceback, never just the first problem), and a write
either lands whole (temp file + fsync + rename) or not at all, and never replaces a
different summary that happens to share the id unless asked to.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path

import yaml

from explorer import packaged
from explorer.atomicfile import atomic_write_text
from explorer.citation_check import citation_problems
from explorer.doi import strip_doi
from explorer.frontmatter import FrontMatterError, normalize_newlines, split_front_matter
from explorer.records import BLOG_POST, ORIGINS_DEFAULT, Citation, Origin, Summary, Taxonomy

IMPLICATIONS_HEADING_RE = re.compile(r"^#{1,6}\s*Practice Implications\s*:?\s*$", re.IGNORECASE)
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,119}$")
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
KNOWN_KEYS = {"id", "origin", "published", "added", "title", "citation", "topics", "research_type"}
CITATION_KEYS = {
    "authors",
    "year",
    "title",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "editors",
    "publisher",
    "status",
}
TAXONOMY_FILE = "taxonomy.yaml"
# libyaml's parser when PyYAML was built with it: about ten times faster than the pure
# Python one, which made `pprnet check` spend seconds on a few hundred files.
_FAST_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# One summary is a few KB (the largest bundled one is under 4 KB). A file far beyond that
# is a paste gone wrong, and it costs every build time and memory: refused, not read.
MAX_SUMMARY_BYTES = 200 * 1024
_write_lock = threading.Lock()


class CorpusError(Exception):
    """A problem the user must fix; the message is one clear line."""


class SummaryExistsError(CorpusError):
    """A save would overwrite a different summary with the same id (same month and title).

    Its own class so the editor can offer the way out (open the other one, or change the
    title) without reading the message's words.
    """

    def __init__(self, path: Path, summary_id: str) -> None:
        super().__init__(
            f"{path}: a different summary with id {summary_id!r} exists "
            "(use --force to replace it)"
        )
        self.path = path
        self.summary_id = summary_id


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        return f"{self.path}:{self.line}: {prefix}{self.message}"


@dataclass
class LoadResult:
    summaries: list[Summary] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    taxonomy: Taxonomy | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


# --------------------------------------------------------------------------- taxonomy


def default_taxonomy_path() -> Traversable:
    """The package's default taxonomy, used for folders that carry none of their own."""
    return packaged.default_taxonomy()


def taxonomy_source(corpus_dir: Path | str | None = None) -> Path | Traversable | None:
    """The taxonomy file `load_taxonomy` reads for a folder: its own, else the package's."""
    candidates: list[Path | Traversable] = []
    if corpus_dir is not None:
        candidates.append(Path(corpus_dir) / TAXONOMY_FILE)
    candidates.append(default_taxonomy_path())
    return next((path for path in candidates if path.is_file()), None)


def _origins(path: Path | Traversable, data: object) -> list[Origin]:
    """The ``origins:`` mapping of a taxonomy file (id -> name, posted, label)."""
    if data is None:
        return list(ORIGINS_DEFAULT)
    if not isinstance(data, dict) or not data:
        raise CorpusError(f"{path}: 'origins' must map an id to its name, posted and label")
    out = []
    for key, spec in data.items():
        spec = spec if isinstance(spec, dict) else {}
        if not isinstance(spec.get("posted"), bool):
            raise CorpusError(f"{path}: origin {key!r} must say 'posted: true' or 'posted: false'")
        name = str(spec.get("name") or key)
        out.append(Origin(str(key), name, spec["posted"], str(spec.get("label") or name)))
    return out


def _residual_topics(path: Path | Traversable, data: dict, topics: list[str]) -> list[str]:
    """The ``residual_topics:`` list: topics used when no subject topic fits (or none)."""
    raw = data.get("residual_topics")
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(t, str) for t in raw):
        raise CorpusError(f"{path}: 'residual_topics' must be a list of topic names")
    unknown = [t for t in raw if t not in topics]
    if unknown:
        raise CorpusError(f"{path}: residual topic {unknown[0]!r} is not in 'topics'")
    return list(raw)


def load_taxonomy(corpus_dir: Path | str | None = None) -> Taxonomy:
    """Taxonomy of a corpus folder, falling back to the package's default."""
    path = taxonomy_source(corpus_dir)
    if path is not None:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise CorpusError(f"{path}: cannot read taxonomy: {_one_line(exc)}") from None
        topics = [str(t) for t in data.get("topics") or []]
        if not topics:
            raise CorpusError(f"{path}: taxonomy lists no topics")
        kwargs: dict = {"residual_topics": _residual_topics(path, data, topics)}
        if data.get("research_types"):
            kwargs["research_types"] = [str(t) for t in data["research_types"]]
        return Taxonomy(
            topics=topics,
            aliases={str(k): str(v) for k, v in (data.get("aliases") or {}).items()},
            type_aliases={
                str(k): str(v) for k, v in (data.get("research_type_aliases") or {}).items()
            },
            origins=_origins(path, data.get("origins")),
            **kwargs,
        )
    raise CorpusError("no taxonomy.yaml found in the corpus folder or the package")


# --------------------------------------------------------------------------- parsing


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _key_lines(node: yaml.Node, offset: int) -> dict[str, int]:
    """Map 'key' and 'key.sub' and 'key[i]' to 1-based file lines, for precise messages."""
    lines: dict[str, int] = {}
    if not isinstance(node, yaml.MappingNode):
        return lines
    for key_node, value_node in node.value:
        key = str(key_node.value)
        lines[key] = key_node.start_mark.line + offset
        if isinstance(value_node, yaml.MappingNode):
            for sub_key, _sub_value in value_node.value:
                lines[f"{key}.{sub_key.value}"] = sub_key.start_mark.line + offset
        elif isinstance(value_node, yaml.SequenceNode):
            for i, item in enumerate(value_node.value):
                lines[f"{key}[{i}]"] = item.start_mark.line + offset
    return lines


def _compose_and_load(text: str) -> tuple[yaml.Node | None, object]:
    """The YAML's node tree (for line numbers) and its data, from one parse.

    Text libyaml refuses is parsed again by the pure Python loader, whose messages (and
    marks) are the ones users have always seen; it raises the error reported.
    """
    try:
        return _parse_yaml(text, _FAST_YAML_LOADER)
    except yaml.YAMLError:
        if _FAST_YAML_LOADER is yaml.SafeLoader:
            raise
        return _parse_yaml(text, yaml.SafeLoader)


def _parse_yaml(text: str, loader_class: type) -> tuple[yaml.Node | None, object]:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def split_body(text: str) -> tuple[str, str]:
    """Split Markdown into (summary paragraphs, Practice Implications text)."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if IMPLICATIONS_HEADING_RE.match(line.strip()):
            return "\n".join(lines[:i]).strip(), "\n".join(lines[i + 1 :]).strip()
    return text.strip(), ""


def _as_str(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _str_list(value: object) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return [str(v).strip() for v in value if str(v).strip()]
    return None


def parse_citation_mapping(data: object) -> Citation:
    """Front-matter citation mapping -> Citation (lenient; validation reports oddities)."""
    if not isinstance(data, dict):
        return Citation()
    doi = strip_doi(_as_str(data.get("doi")))
    return Citation(
        authors=_str_list(data.get("authors")) or [],
        year=_as_str(data.get("year")),
        title=_as_str(data.get("title")),
        journal=_as_str(data.get("journal")),
        volume=_as_str(data.get("volume")),
        issue=_as_str(data.get("issue")),
        pages=_as_str(data.get("pages")),
        doi=doi,
        editors=_str_list(data.get("editors")) or [],
        publisher=_as_str(data.get("publisher")),
        status=_as_str(data.get("status")),
    )


def parse_summary_text(
    text: str, path: str, taxonomy: Taxonomy, *, require_front_matter: bool = True
) -> tuple[Summary | None, list[Problem]]:
    """Parse one corpus file's text. Returns the summary (None if unusable) and problems."""
    problems: list[Problem] = []

    def error(line: int, message: str) -> None:
        problems.append(Problem(path, line, message))

    def warn(line: int, message: str) -> None:
        problems.append(Problem(path, line, message, "warning"))

    try:
        front = split_front_matter(normalize_newlines(text))
    except FrontMatterError as exc:
        error(exc.line, str(exc))
        return None, problems
    if front is None:
        if require_front_matter:
            error(1, "missing YAML front matter: the file must start with a '---' line")
        return None, problems
    fm_text = front.yaml_text
    offset = front.yaml_line  # yaml marks are 0-based
    try:
        node, data = _compose_and_load(fm_text)
    except yaml.YAMLError as exc:
        # problem_mark is where the parser noticed; an unclosed quote shows up a line or
        # two later, so the message also names the line where the broken construct began.
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + offset if mark is not None else 1
        problem = getattr(exc, "problem", None) or _one_line(exc)
        context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and context_mark is not None and context_mark is not mark:
            problem += f" ({context} that began on line {context_mark.line + offset})"
        error(line, f"malformed YAML front matter: {problem}")
        return None, problems
    if not isinstance(data, dict):
        error(2, "front matter must be a mapping of keys (id, published, title, ...)")
        return None, problems
    where = _key_lines(node, offset) if node is not None else {}
    body_line = front.body_line

    def line_of(key: str) -> int:
        return where.get(key, where.get(key.split(".")[0].split("[")[0], 2))

    for key in data:
        if str(key) not in KNOWN_KEYS:
            warn(line_of(str(key)), f"unknown key {key!r} is ignored")

    summary_id = _as_str(data.get("id"))
    if summary_id is None:
        error(2, "missing 'id'")
    elif not ID_RE.match(summary_id):
        error(line_of("id"), f"id {summary_id!r} must be lowercase letters, digits and hyphens")

    origin, published, added = _check_origin(data, taxonomy, line_of, error, warn)

    title = _as_str(data.get("title"))
    if title is None:
        error(line_of("title") if "title" in data else 2, "missing 'title'")

    citation_data = data.get("citation")
    if citation_data is not None and not isinstance(citation_data, dict):
        error(line_of("citation"), "'citation' must be a mapping (authors, year, title, ...)")
    elif isinstance(citation_data, dict):
        for key in citation_data:
            if str(key) not in CITATION_KEYS:
                warn(line_of(f"citation.{key}"), f"unknown citation key {key!r} is ignored")
        for key in ("authors", "editors"):
            if _str_list(citation_data.get(key)) is None:
                error(line_of(f"citation.{key}"), f"citation {key} must be a list of names")
    citation = parse_citation_mapping(citation_data)
    # A warning, not an error: one bad field must not take a summary out of the archive.
    for key, message in citation_problems(citation).items():
        warn(line_of(f"citation.{key}"), f"citation {message}")
    if citation.is_empty():
        warn(line_of("citation") if "citation" in data else 2, "no citation")

    topics: list[str] = []
    raw_topics = _str_list(data.get("topics"))
    if raw_topics is None:
        error(line_of("topics"), "'topics' must be a list of topic names")
        raw_topics = []
    for i, name in enumerate(raw_topics):
        canonical = taxonomy.canonical_topic(name)
        if canonical is None:
            hint = taxonomy.suggest_topic(name)
            more = f" (did you mean {hint!r}?)" if hint else ""
            error(line_of(f"topics[{i}]"), f"unknown topic {name!r}{more}")
        elif canonical not in topics:
            topics.append(canonical)
    if not raw_topics:
        warn(line_of("topics") if "topics" in data else 2, "untagged: no topics")

    research_type = _as_str(data.get("research_type"))
    if research_type is not None:
        canonical_type = taxonomy.canonical_type(research_type)
        if canonical_type is None:
            hint = taxonomy.suggest_type(research_type)
            more = f" (did you mean {hint!r}?)" if hint else ""
            error(line_of("research_type"), f"unknown research type {research_type!r}{more}")
        research_type = canonical_type
    else:
        warn(2, "no research_type")

    body, implications = split_body(front.body)
    if not body:
        error(body_line, "missing body: write the summary below the front matter")
    elif not implications:
        warn(body_line, "no '## Practice Implications' section")

    if any(p.severity == "error" for p in problems):
        return None, problems
    summary = Summary(
        id=summary_id or "",
        published=published or "",
        origin=origin or "",
        added=added,
        title=title or "",
        body=body,
        implications=implications,
        citation=citation,
        topics=topics,
        research_type=research_type,
        path=path,
    )
    return summary, problems


def _month(value: object) -> str | None:
    """'YYYY-MM' if the value is a plausible month, else None."""
    match = MONTH_RE.match(_as_str(value) or "")
    if not match or not 1 <= int(match.group(2)) <= 12 or not 1900 <= int(match.group(1)) <= 2100:
        return None
    return match.group(0)


def _check_origin(
    data: dict,
    taxonomy: Taxonomy,
    line_of: Callable[[str], int],
    error: Callable[[int, str], None],
    warn: Callable[[int, str], None],
) -> tuple[str | None, str | None, str | None]:
    """(origin id, posting month, added month) of a front matter, enforcing the rules.

    A blog post carries the month the blog posted it (``published: null`` says the
    month is unknown); a summary added to the archive carries no posting month, because
    a month it was never posted would be shown and counted as one.
    """
    choices = ", ".join(repr(o.id) for o in taxonomy.origins)
    raw = _as_str(data.get("origin"))
    origin = taxonomy.origin(raw) if raw else None
    if raw is None:
        error(line_of("origin") if "origin" in data else 2,
              f"missing 'origin': one of {choices}")
    elif origin is None:
        error(line_of("origin"), f"unknown origin {raw!r}: one of {choices}")
    published = _as_str(data.get("published"))
    if published is not None and _month(published) is None:
        error(line_of("published"), f"bad 'published' month {published!r}: expected YYYY-MM")
        published = None
    added = _as_str(data.get("added"))
    if added is not None and _month(added) is None:
        error(line_of("added"), f"bad 'added' month {added!r}: expected YYYY-MM")
        added = None
    if origin is None:
        return None, published, added
    if origin.posted:
        if "published" not in data:
            error(2, f"missing 'published' month (YYYY-MM) of the {origin.name}; "
                     "write 'published: null' if the month is unknown")
        elif data.get("published") is None:
            warn(line_of("published"), f"{origin.name} with an unknown posting month")
        if "added" in data:
            error(line_of("added"), f"'added' is for summaries added to the archive, "
                                    f"not a {origin.name}: remove it")
            added = None
    elif "published" in data:
        error(line_of("published"), f"'published' is the month of a blog post; a summary with "
                                    f"origin {origin.id!r} was never posted: remove it "
                                    "(say when it was added with 'added: YYYY-MM')")
        published = None
    return origin.id, published, added


def load_corpus(corpus_dir: Path | str, taxonomy: Taxonomy | None = None) -> LoadResult:
    """Load and validate every ``*.md`` summary in a folder (README.md excluded)."""
    folder = Path(corpus_dir)
    result = LoadResult()
    if not folder.is_dir():
        raise CorpusError(f"{folder}: corpus folder not found")
    result.taxonomy = taxonomy or load_taxonomy(folder)
    seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        shown = str(path)
        too_big = _too_big(path)
        if too_big:
            result.problems.append(Problem(shown, 1, too_big))
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            result.problems.append(Problem(shown, 1, f"not UTF-8 text ({exc.reason})"))
            continue
        except OSError as exc:
            result.problems.append(Problem(shown, 1, f"cannot read: {exc.strerror}"))
            continue
        summary, problems = parse_summary_text(text, shown, result.taxonomy)
        result.problems.extend(problems)
        if summary is None:
            continue
        if summary.id in seen:
            result.problems.append(
                Problem(
                    shown,
                    _id_line(text),
                    f"duplicate id {summary.id!r} (also in {seen[summary.id]})",
                )
            )
            continue
        seen[summary.id] = shown
        result.summaries.append(summary)
    return result


def _too_big(path: Path) -> str | None:
    """Why ``path`` is too large to be one summary, or None."""
    try:
        size = path.stat().st_size
    except OSError:
        return None  # reading it reports the problem
    if size <= MAX_SUMMARY_BYTES:
        return None
    return (f"file is {size:,} bytes, over the {MAX_SUMMARY_BYTES // 1024} KB limit for "
            "one summary: shorten it or split it")


def _id_line(text: str) -> int:
    for i, line in enumerate(text.splitlines(), start=1):
        if line.startswith("id:"):
            return i
    return 2


# --------------------------------------------------------------------------- writing


def _q(value: object) -> str:
    """A YAML scalar: JSON strings are valid YAML double-quoted scalars."""
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)


def _qlist(values: Iterable[object]) -> str:
    return "[" + ", ".join(_q(v) for v in values) + "]"


def _month_lines(summary: Summary) -> list[str]:
    """``published`` for a blog post (null when unknown), else ``added`` when known."""
    if summary.origin == BLOG_POST or summary.published:
        return [f"published: {summary.published or 'null'}"]
    return [f"added: {summary.added}"] if summary.added else []


def render_summary(summary: Summary) -> str:
    """The corpus file text for a summary (stable: same summary, same bytes)."""
    c = summary.citation.to_dict()
    out = [
        "---",
        f"id: {summary.id}",
        f"origin: {summary.origin}",
        *_month_lines(summary),
        f"title: {_q(summary.title)}",
        "citation:",
        f"  authors: {_qlist(c['authors'])}",
        f"  year: {_q(c['year'])}",
    ]
    for key in ("title", "journal"):
        out.append(f"  {key}: {_q(c[key])}")
    if c.get("editors"):
        out.append(f"  editors: {_qlist(c['editors'])}")
    if c.get("publisher"):
        out.append(f"  publisher: {_q(c['publisher'])}")
    for key in ("volume", "issue", "pages", "doi"):
        out.append(f"  {key}: {_q(c[key])}")
    if c.get("status"):
        out.append(f"  status: {_q(c['status'])}")
    out.append(f"topics: {_qlist(summary.topics)}")
    out.append(f"research_type: {_q(summary.research_type)}")
    out.append("---")
    out.append(summary.body.strip())
    out.append("")
    out.append("## Practice Implications")
    out.append(summary.implications.strip())
    return "\n".join(out).rstrip() + "\n"


def same_content(a: Summary, b: Summary) -> bool:
    return render_summary(a) == render_summary(b)


def write_summary(
    summary: Summary,
    corpus_dir: Path | str,
    *,
    overwrite: bool = False,
    taxonomy: Taxonomy | None = None,
) -> str:
    """Write ``<id>.md`` atomically. Returns 'created', 'updated' or 'unchanged'.

    A file with the same id and the same content is left alone; one with different
    content raises `CorpusError` unless ``overwrite`` (the editor's explicit edit, or
    ``pprnet import --force``).
    """
    if not ID_RE.match(summary.id or ""):
        raise CorpusError(f"invalid id {summary.id!r}")
    folder = Path(corpus_dir)
    path = folder / f"{summary.id}.md"
    text = render_summary(summary)
    if len(text.encode("utf-8")) > MAX_SUMMARY_BYTES:  # the loader would refuse the file
        raise CorpusError(f"{path}: the summary is over the {MAX_SUMMARY_BYTES // 1024} KB "
                          "limit for one summary: shorten it or split it")
    with _write_lock:
        if path.exists():
            try:
                existing = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CorpusError(f"{path}: cannot read existing file: {exc}") from None
            if existing == text:
                return "unchanged"
            if not overwrite:
                tax = taxonomy or load_taxonomy(folder)
                old, _ = parse_summary_text(existing, str(path), tax)
                if old is not None:
                    old.path = None
                    fresh = Summary(**{**summary.__dict__, "path": None})
                    if same_content(old, fresh):
                        return "unchanged"
                raise SummaryExistsError(path, summary.id)
            atomic_write_text(path, text)
            return "updated"
        atomic_write_text(path, text)
        return "created"
