"""``pprnet import``: saved blog pages (files or folders of them) merged into the corpus.

The whole archive can be re-imported at any time: text and citations follow the pages,
the topics and research type the editor assigned stay (see `explorer.importers.merge`).
Everything is planned before anything is written, so a refused import (an unreadable
page, a damaged corpus file in the way) writes nothing, and ``--dry-run`` prints exactly
the report a real run would.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import click

from explorer.commands.options import corpus_option, fail, friendly_errors, index_option, os_message
from explorer.corpus import load_corpus, write_summary
from explorer.corpus_version import bump
from explorer.importers import registry
from explorer.importers.base import Importer
from explorer.importers.merge import PlannedImport, plan_import
from explorer.importers.source import read_import_file
from explorer.records import Summary


def page_files(paths: tuple[Path, ...], importer: Importer | None = None) -> list[Path]:
    """The pages named, a folder standing for its files of a known suffix (sorted): the
    suffixes of ``importer``, or of every registered importer."""
    wanted = importer.suffixes if importer else registry.suffixes()
    pages: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir()
                           if p.is_file() and p.suffix.lower() in wanted
                           and not p.name.startswith("."))
            if not found:
                listed = ", ".join(f"*{s}" for s in wanted)
                fail(f"{path}: no saved pages ({listed}) in this folder")
            pages.extend(found)
        else:
            pages.append(path)
    return list(dict.fromkeys(pages))


def read_page(page: Path, importer: Importer | None = None) -> list[Summary]:
    """The summaries of one saved page, read by ``importer`` or the one its suffix names;
    warnings go to standard error."""
    text = read_import_file(page)  # limits: a regular file of UTF-8 text, at most 5 MB
    result = (importer or registry.for_path(page)).read(text)
    for warning in result.warnings:
        where, _, message = warning.removeprefix("line ").partition(": ")
        click.echo(f"{page}:{where}: warning: {message}", err=True)
    if not result.summaries:
        fail(f"{page}: no summaries found")
    return [item.summary for item in result.summaries]


def _importer_option(ctx: click.Context, param: click.Parameter,
                     value: str | None) -> Importer | None:
    """``--format NAME`` looked up in the registry when the command runs (so an importer
    registered later is accepted); an unknown name is a usage error (exit 2)."""
    if value is None:
        return None
    try:
        return registry.by_name(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command(name="import")
@click.argument("pages", nargs=-1, required=True, metavar="PAGE_OR_FOLDER...",
                type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Corpus folder to write into (default: --corpus).")
@click.option("--replace-tags", is_flag=True,
              help="Take topics and research type from the pages (which carry none) instead "
                   "of keeping the corpus's.")
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.option("--format", "importer", metavar="NAME", default=None, callback=_importer_option,
              help="Read every page in this format (default: by file suffix). "
                   + "; ".join(f"{i.name}: {i.description}"
                               for i in registry.IMPORTERS.values()))
@click.option("--force", is_flag=True, hidden=True,
              help="Accepted for old scripts: imports now update changed summaries anyway.")
@corpus_option
@index_option
@friendly_errors
def import_pages(pages: tuple[Path, ...], out_dir: Path | None, replace_tags: bool,
                 dry_run: bool, importer: Importer | None, force: bool, corpus_dir: Path,
                 index_dir: Path) -> None:
    """Import saved PPRNet blog pages: create new summaries, update changed ones.

    Text and citation details follow the pages; topics and research type already in the
    corpus are kept unless --replace-tags. Prints one line per summary (created, updated
    with the fields that change, or unchanged) and the totals.
    """
    target = out_dir or corpus_dir
    files = page_files(pages, importer)
    imported = [summary for page in files for summary in read_page(page, importer)]
    archive: list[Summary] = []
    if target.is_dir():
        loaded = load_corpus(target)
        archive = loaded.summaries
        _refuse_damaged(target, loaded.errors, {s.id for s in imported}, archive)
    plans = plan_import(imported, archive, replace_tags=replace_tags)
    if not dry_run:
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            fail(os_message(exc, "cannot create the output folder"))
        if not os.access(target, os.W_OK):
            fail(f"cannot write to the output folder {target}")
        for plan in plans:
            if plan.status != "unchanged":
                write_summary(plan.summary, target, overwrite=plan.status == "updated")
        if any(plan.status != "unchanged" for plan in plans):
            bump(index_dir)  # a running site reloads, reindexes and retrains
    _report(plans, files, target, dry_run)


def _refuse_damaged(target: Path, errors: list, ids: set[str], archive: list[Summary]) -> None:
    """Refuse to write over a corpus file that exists but cannot be read: its tags would
    be lost. The user fixes it first (`pprnet check` lists the problem)."""
    known = {s.id for s in archive}
    blocked = sorted(i for i in ids if i not in known and (target / f"{i}.md").exists())
    if blocked:
        problems = {str(p.path) for p in errors}
        for summary_id in blocked:
            path = target / f"{summary_id}.md"
            why = "has errors" if str(path) in problems else "cannot be read"
            click.echo(f"pprnet: error: {path}: {why}; fix it first (see `pprnet check`)",
                       err=True)
        fail(f"nothing imported: {len(blocked)} corpus file(s) in the way", code=1)


def _report(plans: list[PlannedImport], files: list[Path], target: Path, dry_run: bool) -> None:
    for plan in plans:
        click.echo(plan.describe())
    counts = Counter(plan.status for plan in plans)
    source = str(files[0]) if len(files) == 1 else f"{len(files)} pages"
    verb = "would be" if dry_run else ""
    click.echo(
        f"{len(plans)} summaries from {source}: {counts['created']} {verb} created, "
        f"{counts['updated']} {verb} updated, {counts['unchanged']} unchanged in {target}"
        .replace("  ", " ")
        + (" (dry run: nothing written)" if dry_run else "")
    )
