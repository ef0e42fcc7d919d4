"""``pprnet tag --apply SUGGESTIONS.jsonl``: a backlog's suggestions written into the corpus.

The other half of ``pprnet suggest --batch``: every line is planned first (bad lines and
unknown ids reported with their line numbers), then each tagged summary is written
atomically; ``--dry-run`` prints the same report and writes nothing.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from explorer.commands.options import corpus_option, fail, friendly_errors, index_option
from explorer.corpus import load_corpus, write_summary
from explorer.corpus_version import bump


@click.command(name="tag")
@click.option("--apply", "suggestions", required=True, metavar="SUGGESTIONS.jsonl",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Output of `pprnet suggest --batch`.")
@click.option("--min-score", type=click.FloatRange(0.0, 1.0), default=0.0, show_default=True,
              help="Accept only suggested topics (and a research type) scoring at least this.")
@click.option("--dry-run", is_flag=True, help="Report what would be tagged; write nothing.")
@corpus_option
@index_option
@friendly_errors
def tag(suggestions: Path, min_score: float, dry_run: bool, corpus_dir: Path,
        index_dir: Path) -> None:
    """Fill in missing topics and research types from batch suggestions.

    Only the suggested topics and the best research type are taken, and only where a
    summary has none: tags an editor gave are never replaced. Exits 1 when a line was bad.
    """
    from explorer.tagger.apply import TagPlan, plan_line  # explorer.tagger loads scikit-learn

    loaded = load_corpus(corpus_dir)
    assert loaded.taxonomy is not None
    by_id = {s.id: s for s in loaded.summaries}
    plans: list[TagPlan] = []
    try:
        with open(suggestions, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                plan = plan_line(line, f"{suggestions}:{number}", by_id, loaded.taxonomy,
                                 min_score)
                if plan is not None:
                    plans.append(plan)
    except UnicodeDecodeError:
        fail(f"{suggestions}: not UTF-8 text")
    if not plans:
        fail(f"{suggestions}: no suggestions in this file")
    if not dry_run:
        for plan in plans:
            if plan.summary is not None:
                write_summary(plan.summary, corpus_dir, overwrite=True, taxonomy=loaded.taxonomy)
        if any(p.status == "tagged" for p in plans):
            bump(index_dir)  # a running site reloads, reindexes and retrains
    for plan in plans:
        click.echo(plan.describe(), err=plan.status == "error")
    counts = Counter(p.status for p in plans)
    click.echo(f"{len(plans)} lines: {counts['tagged']} {'would be ' if dry_run else ''}tagged, "
               f"{counts['skipped']} skipped, {counts['error']} errors"
               + (" (dry run: nothing written)" if dry_run else ""))
    if counts["error"]:
        raise SystemExit(1)


COMMANDS = [tag]
