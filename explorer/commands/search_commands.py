"""``pprnet build`` and ``pprnet search``: the search index from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from explorer.commands.options import corpus_option, fail, friendly_errors, index_option
from explorer.search.messages import SORTS, normalize_date
from explorer.search.store import SearchError

if TYPE_CHECKING:
    from explorer.search import SearchIndex, SearchResponse

# The builder and the search engine load Whoosh, NLTK and scikit-learn: they are imported
# inside the commands that use them, so `pprnet --help` and the corpus commands start fast.


@click.command()
@corpus_option
@index_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar, no summary lines.")
@click.option("--no-model", is_flag=True, help="Build the search index only.")
@click.option("--no-index", is_flag=True, help="Train the topic model only.")
@friendly_errors
def build(corpus_dir: Path, index_dir: Path, quiet: bool, no_model: bool,
          no_index: bool) -> None:
    """Build the search index and train the topic model from the corpus.

    The index is built into a new folder and swapped in atomically. A corpus with errors
    is refused and the current index and model stay as they are.
    """
    if no_model and no_index:
        fail("--no-model and --no-index leave nothing to build: give at most one")
    from explorer.builder import BuildRefused, build_all

    say = (lambda _msg: None) if quiet else (lambda msg: click.echo(msg))
    try:
        report = build_all(corpus_dir, index_dir, progress=not quiet,
                           with_index=not no_index, with_model=not no_model, say=say)
    except BuildRefused as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(1) from None
    except SearchError as exc:
        fail(str(exc))
    if report.model_error:
        fail(f"search index built, but the topic model failed: {report.model_error}")
    say(f"built into {index_dir}")


@click.command()
@click.argument("query", nargs=-1)
@click.option("--topic", "topics", multiple=True, help="Only summaries with this topic "
              "(repeat for several; all must match unless --any-topic).")
@click.option("--any-topic", is_flag=True, help="Match any of the --topic values.")
@click.option("--type", "types", multiple=True, help="Research type (repeat: any of them).")
@click.option("--source", "sources", multiple=True, help="Where summaries come from: "
              "blog-post or added (repeat: any of them).")
@click.option("--from", "date_from", default=None, help="Posted on the blog from YYYY or "
              "YYYY-MM (added summaries have no posting month, so a date leaves them out).")
@click.option("--to", "date_to", default=None, help="Posted on the blog up to YYYY or YYYY-MM.")
@click.option("--study-from", default=None, help="Study year (the cited article's) from YYYY.")
@click.option("--study-to", default=None, help="Study year up to YYYY.")
@click.option("--sort", default=None,
              help="relevance, newest or oldest (default: relevance with words, else newest).")
@click.option("--page", default="1", help="Page of results (10 per page).")
@click.option("--per-page", default="10", help="Results per page (at most 100).")
@click.option("--no-correct", is_flag=True,
              help="Never replace a query that finds nothing by its spelling correction.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@corpus_option
@index_option
@friendly_errors
def search(query: tuple[str, ...], topics: tuple[str, ...], any_topic: bool,
           types: tuple[str, ...], sources: tuple[str, ...], date_from: str | None,
           date_to: str | None, study_from: str | None, study_to: str | None,
           sort: str | None, page: str, per_page: str, no_correct: bool, as_json: bool,
           corpus_dir: Path, index_dir: Path) -> None:
    """Search the archive. QUERY: words (one or two must all match; of more, most must),
    "phrases", AND, OR, NOT, -word, prefix*, title: author: journal: topic: type:
    year:2015 year:2015-2020 (study year), a DOI or a pasted reference.

    An empty QUERY with filters browses, newest first.
    """
    from explorer.search import SearchIndex, SearchRequest

    text = " ".join(query)
    _check_options(sort, date_from, date_to, study_from, study_to)
    try:
        idx = SearchIndex.open(index_dir)
        _check_names(idx, topics, types)
        _check_sources(sources, idx)
        req = SearchRequest.from_raw(q=text, topics=list(topics), any_topic=any_topic,
                                     types=list(types), date_from=date_from, date_to=date_to,
                                     study_from=study_from, study_to=study_to,
                                     sort=sort or ("relevance" if text.strip() else "newest"),
                                     correct=not no_correct, page=page, per_page=per_page,
                                     sources=list(sources))
        response = idx.search(req)
    except SearchError as exc:
        fail(str(exc))
    for notice in response.notices:
        click.echo(f"pprnet: note: {notice}", err=True)
    if as_json:
        click.echo(json.dumps(response.to_json(), ensure_ascii=False))
        return
    click.echo(_human(response))


def _check_sources(sources: tuple[str, ...], idx: SearchIndex) -> None:
    """A --source the taxonomy does not know is a typo: say so instead of ignoring it."""
    taxonomy = idx.taxonomy()
    for raw in sources:
        if taxonomy.origin(raw) is None:
            choices = ", ".join(taxonomy.origin_ids())
            fail(f"unknown --source {raw!r}: use one of {choices}")


def _check_options(sort: str | None, date_from: str | None, date_to: str | None,
                   study_from: str | None, study_to: str | None) -> None:
    """Exit 2 with one clear line on a bad sort or date (the web answers these with a
    notice instead; a script deserves a failure it can see)."""
    if sort is not None and sort.strip().lower() not in SORTS:
        fail(f"unknown sort {sort!r} (use {', '.join(SORTS)})")
    for flag, value, end in (("--from", date_from, False), ("--to", date_to, True)):
        if value and normalize_date(value, end=end)[0] is None:
            fail(f"bad {flag} date {value!r} (use YYYY or YYYY-MM)")
    for flag, value in (("--study-from", study_from), ("--study-to", study_to)):
        if value and not (value.isdigit() and len(value) == 4):
            fail(f"bad {flag} year {value!r} (use YYYY)")


def _check_names(idx: SearchIndex, topics: tuple[str, ...], types: tuple[str, ...]) -> None:
    """Exit 2 on a topic or research type the index does not know, with a suggestion."""
    for raw in topics:
        if idx.resolve_topic(raw) is None:
            hint = idx.taxonomy().suggest_topic(raw)
            fail(f"unknown topic {raw!r}" + (f" (did you mean {hint!r}?)" if hint else ""))
    for raw in types:
        if idx.resolve_type(raw) is None:
            hint = idx.taxonomy().suggest_type(raw)
            fail(f"unknown research type {raw!r}"
                 + (f" (did you mean {hint!r}?)" if hint else ""))


def _human(response: SearchResponse) -> str:
    import html
    import re

    def plain(fragment: str) -> str:
        marked = fragment.replace("<mark>", "\x01").replace("</mark>", "\x02")
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", marked)).split())
        if sys.stdout.isatty():
            return text.replace("\x01", "\x1b[1m").replace("\x02", "\x1b[0m")
        return text.replace("\x01", "[").replace("\x02", "]")

    lines = []
    shown = f"“{response.query}”" if response.query else "all summaries"
    if response.total:
        lines.append(f"{response.total} result(s) for {shown} — page {response.page} of "
                     f"{response.pages}")
    else:
        lines.append(f"no results for {shown}")
    if response.corrected_from:
        lines.append(f"showing results for {response.query} "
                     f"(search instead for {response.corrected_from} with --no-correct)")
    if response.did_you_mean:
        lines.append(f"did you mean: {response.did_you_mean}")
    for n, hit in enumerate(response.hits, start=(response.page - 1) * response.per_page + 1):
        lines.append("")
        when = hit.published or ("added" if hit.origin == "added" else "month unknown")
        lines.append(f"{n:>3}. {plain(hit.title_html)}  [{when}]")
        lines.append(f"     {hit.id}")
        if hit.citation:
            lines.append(f"     {hit.citation}")
        meta = ", ".join(hit.topics)
        if hit.research_type:
            meta = f"{hit.research_type}; {meta}" if meta else hit.research_type
        if meta:
            lines.append(f"     {meta}")
        if hit.snippet_html:
            lines.append(f"     {plain(hit.snippet_html)}")
    facets = response.facets
    if response.total:
        lines.append("")
        for group, label in (("topics", "Topics"), ("research_type", "Research types"),
                             ("source", "Sources"), ("year", "Years posted (blog posts)")):
            counts = facets.get(group) or {}
            if counts:
                shown_counts = ", ".join(f"{k} ({v})" for k, v in list(counts.items())[:12])
                lines.append(f"{label}: {shown_counts}")
    return "\n".join(lines)


COMMANDS = [build, search]
