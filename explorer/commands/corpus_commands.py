"""``pprnet check``, ``pprnet dump`` and ``pprnet import``: the corpus itself."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import click

from explorer.commands.options import corpus_option, fail, friendly_errors, index_option
from explorer.corpus import CorpusError, load_corpus, load_taxonomy, write_summary
from explorer.importers.blog_page import import_blog_page
from explorer.importers.source import read_import_file
from explorer.records import Summary, Taxonomy


def count_table(summaries: list[Summary], taxonomy: Taxonomy) -> str:
    """Counts per topic and per research type, every taxonomy entry listed (zeros too)."""
    topics = Counter(t for s in summaries for t in s.topics)
    types = Counter(s.research_type for s in summaries if s.research_type)
    width = max(len(t) for t in [*taxonomy.topics, *taxonomy.research_types])
    lines = [f"{len(summaries)} summaries", "", "Topics:"]
    lines += [f"  {t:<{width}}  {topics.get(t, 0):>4}" for t in taxonomy.topics]
    untagged = sum(1 for s in summaries if not s.topics)
    if untagged:
        lines.append(f"  {'(untagged)':<{width}}  {untagged:>4}")
    lines += ["", "Research types:"]
    lines += [f"  {t:<{width}}  {types.get(t, 0):>4}" for t in taxonomy.research_types]
    missing = sum(1 for s in summaries if not s.research_type)
    if missing:
        lines.append(f"  {'(none)':<{width}}  {missing:>4}")
    return "\n".join(lines)


@click.command()
@corpus_option
@index_option
@click.option("--quiet", "-q", is_flag=True, help="Print problems only, no counts.")
@friendly_errors
def check(corpus_dir: Path, index_dir: Path, quiet: bool) -> None:
    """Validate the corpus; print every problem as path:line and the counts.

    Exit 0 when there are no errors (warnings allowed), 1 when there are errors.
    """
    result = load_corpus(corpus_dir)
    for problem in result.problems:
        click.echo(str(problem), err=True)
    if not quiet:
        assert result.taxonomy is not None
        click.echo(count_table(result.summaries, result.taxonomy))
    errors, warnings = len(result.errors), len(result.warnings)
    click.echo(f"\n{errors} error(s), {warnings} warning(s)", err=True)
    raise SystemExit(1 if errors else 0)


@click.command()
@corpus_option
@index_option
@friendly_errors
def dump(corpus_dir: Path, index_dir: Path) -> None:
    """Print one JSON object per summary (all fields), for pandas or R."""
    result = load_corpus(corpus_dir)
    for problem in result.errors:
        click.echo(str(problem), err=True)
    for summary in result.summaries:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False))
    if result.errors:
        raise SystemExit(1)


@click.command(name="import")
@click.argument("page", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Corpus folder to write into (default: --corpus).",
)
@click.option("--force", is_flag=True, help="Replace existing files whose content differs.")
@corpus_option
@index_option
@friendly_errors
def import_page(
    page: Path, out_dir: Path | None, force: bool, corpus_dir: Path, index_dir: Path
) -> None:
    """Import the text of a PPRNet blog listing page: one corpus file per summary."""
    target = out_dir or corpus_dir
    text = read_import_file(page)  # limits: a regular file of UTF-8 text, at most 5 MB
    result = import_blog_page(text)
    for warning in result.warnings:
        click.echo(
            f"{page}:{warning.removeprefix('line ')}".replace(": ", ": warning: ", 1), err=True
        )
    if not result.summaries:
        fail(f"{page}: no summaries found")
    taxonomy = load_taxonomy(target)
    target.mkdir(parents=True, exist_ok=True)
    # Check every clash first, so a refused import writes nothing at all.
    if not force:
        clashes = []
        for item in result.summaries:
            if (target / f"{item.summary.id}.md").exists():
                try:
                    _check_same(item.summary, target, taxonomy)
                except CorpusError as exc:
                    clashes.append(str(exc))
        if clashes:
            for clash in clashes:
                click.echo(f"pprnet: error: {clash}", err=True)
            raise SystemExit(1)
    counts: Counter[str] = Counter()
    for item in result.summaries:
        counts[write_summary(item.summary, target, overwrite=force, taxonomy=taxonomy)] += 1
    click.echo(
        f"{len(result.summaries)} summaries from {page}: "
        f"{counts['created']} created, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged in {target}"
    )


def _check_same(summary: Summary, folder: Path, taxonomy: Taxonomy) -> None:
    """Raise CorpusError when ``<id>.md`` exists with different content."""
    from explorer.corpus import parse_summary_text, same_content

    path = folder / f"{summary.id}.md"
    old, _ = parse_summary_text(path.read_text(encoding="utf-8"), str(path), taxonomy)
    fresh = Summary(**{**summary.__dict__, "path": None})
    if old is None or not same_content(Summary(**{**old.__dict__, "path": None}), fresh):
        raise CorpusError(
            f"{path}: a different summary with id {summary.id!r} exists (use --force to replace it)"
        )


COMMANDS = [check, dump, import_page]
