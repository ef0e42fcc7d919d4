"""``pprnet check``, ``pprnet dump`` and ``pprnet import``: the corpus itself."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import click

from explorer.commands.import_command import import_pages
from explorer.commands.options import corpus_option, friendly_errors, index_option
from explorer.corpus import TAXONOMY_FILE, CorpusError, load_corpus, taxonomy_source
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
    origins = Counter(s.origin for s in summaries)
    lines += ["", "Origins:"]
    lines += [f"  {o.name:<{width}}  {origins.get(o.id, 0):>4}" for o in taxonomy.origins]
    return "\n".join(lines)


def taxonomy_note(corpus_dir: Path) -> str:
    """Which taxonomy a check uses, so a folder without one is not silently judged by ours."""
    source = taxonomy_source(corpus_dir)
    if source is None:
        raise CorpusError(
            f"{corpus_dir}: no {TAXONOMY_FILE} in the folder and no bundled one: "
            "topics and research types cannot be checked"
        )
    if isinstance(source, Path) and source.parent.resolve() == Path(corpus_dir).resolve():
        return f"taxonomy: {source}"
    return (f"taxonomy: {source} (the bundled default: {corpus_dir} has no {TAXONOMY_FILE})")


@click.command()
@corpus_option
@index_option
@click.option("--quiet", "-q", is_flag=True, help="Print problems only, no counts.")
@friendly_errors
def check(corpus_dir: Path, index_dir: Path, quiet: bool) -> None:
    """Validate the corpus; print every problem as path:line and the counts.

    Exit 0 when there are no errors (warnings allowed), 1 when there are errors.
    """
    note = taxonomy_note(corpus_dir) if corpus_dir.is_dir() else ""
    result = load_corpus(corpus_dir)
    click.echo(note, err=True)
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
@click.option("--untagged", is_flag=True,
              help="Only summaries without topics or research type (a backlog to tag).")
@friendly_errors
def dump(corpus_dir: Path, index_dir: Path, untagged: bool) -> None:
    """Print one JSON object per summary (all fields), for pandas or R."""
    result = load_corpus(corpus_dir)
    for problem in result.errors:
        click.echo(str(problem), err=True)
    for summary in result.summaries:
        if untagged and summary.topics and summary.research_type:
            continue
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False))
    if result.errors:
        raise SystemExit(1)


COMMANDS = [check, dump, import_pages]
