"""``pprnet suggest`` and ``pprnet evaluate``: the topic suggester from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
import yaml

from explorer.commands.options import corpus_option, fail, friendly_errors, index_option
from explorer.corpus import load_corpus, split_body
from explorer.frontmatter import normalize_newlines, split_front_matter

if TYPE_CHECKING:  # the tagger loads scikit-learn: imported where a command needs it
    from explorer.tagger import TopicModel
    from explorer.tagger.features import DocFields

# --------------------------------------------------------------------------- input


def parse_input(raw: str) -> DocFields:
    """A Markdown summary (front matter optional) or plain text -> title, text, journal.

    Front matter gives the title, the study's title and the journal; without it a first
    line ``# Heading`` is the title, and a single short line is taken as a title alone.
    Raises ValueError for front matter that is not YAML.
    """
    from explorer.tagger.features import MAX_TITLE_CHARS, DocFields

    text = normalize_newlines(raw)
    titles: list[str] = []
    journal = None
    front = split_front_matter(text)  # FrontMatterError is a ValueError
    if front is not None:
        try:
            meta = yaml.safe_load(front.yaml_text) or {}
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or " ".join(str(exc).split())
            raise ValueError(f"front matter is not valid YAML: {problem}") from None
        if not isinstance(meta, dict):
            raise ValueError("front matter must be a mapping of keys (title, citation, ...)")
        cited = meta.get("citation")
        citation: dict = cited if isinstance(cited, dict) else {}
        for value in (meta.get("title"), citation.get("title")):
            if value and str(value).strip() and str(value).strip() not in titles:
                titles.append(str(value).strip())
        journal = str(citation["journal"]).strip() if citation.get("journal") else None
        text = front.body
    body_lines = text.strip().split("\n")
    if not titles and body_lines and body_lines[0].lstrip().startswith("#"):
        titles.append(body_lines[0].lstrip().lstrip("#").strip())
        body_lines = body_lines[1:]
    elif not titles and len(body_lines) == 1 and len(body_lines[0]) <= MAX_TITLE_CHARS:
        return DocFields(title=body_lines[0].strip(), text="", journal=journal)
    body, implications = split_body("\n".join(body_lines))
    joined = "\n\n".join(part for part in (body, implications) if part)
    return DocFields(title="\n".join(titles), text=joined, journal=journal)


def _load(corpus_dir: Path, index_dir: Path) -> tuple[TopicModel, dict]:
    """The saved model and what it was trained on, against ``corpus_dir`` as it is now.

    A model older than the corpus serves (it says so); one for another taxonomy, another
    scikit-learn or format, or a damaged one is refused with the command that fixes it.
    """
    from explorer.tagger import ModelError, load_model
    from explorer.tagger.freshness import incompatibility, trained_on

    corpus = None
    try:
        model = load_model(index_dir)
    except ModelError as exc:
        fail(str(exc))
        raise AssertionError("unreachable: fail() exits") from exc
    if corpus_dir.is_dir():
        loaded = load_corpus(corpus_dir)
        corpus = loaded.summaries
        assert loaded.taxonomy is not None
        why = incompatibility(model, loaded.taxonomy)
        if why:
            fail(why)
    return model, trained_on(model, corpus)


# --------------------------------------------------------------------------- output


def format_suggestion(result: dict) -> str:
    """Human-readable ranking: topics (* = suggested), research types, similar summaries."""
    from explorer.tagger.freshness import describe

    width = max((len(t["topic"]) for t in result["topics"]), default=10)
    lines = [f"Note: {result['notice']}"] if result.get("notice") else []
    lines.append("Topics (* = suggested):")
    for item in result["topics"]:
        mark = "*" if item["suggested"] else " "
        because = f"  because: {', '.join(item['because'])}" if item["because"] else ""
        lines.append(f"  {mark} {item['score']:.3f}  {item['topic']:<{width}}{because}".rstrip())
    lines.append("Research type:")
    lines += [f"    {r['score']:.3f}  {r['type']}" for r in result["research_type"]]
    lines.append("Similar summaries:")
    if not result["similar"]:
        lines.append("    (none)")
    lines += [f"    {s['score']:.3f}  {s['id']}  {s['title']}" for s in result["similar"]]
    if result.get("trained_on"):
        lines.append(f"Model: {describe(result['trained_on'])}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- suggest


def _require_file(path: Path, what: str = "one summary file") -> None:
    """Say what is wrong with a path that is not a readable file, in one line."""
    if path.is_dir():
        fail(f"{path}: is a folder, not a file; give {what} (or - for standard input)")
    if not path.exists():
        fail(f"{path}: no such file")
    if not path.is_file():
        fail(f"{path}: not a regular file; give {what} (or - for standard input)")


def _read_source(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    path = Path(source)
    _require_file(path)
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        fail(f"{source}: not UTF-8 text")
    return ""


def _run_batch(model: TopicModel, source: str, limit: int) -> None:
    """One JSON line out per JSON line in: ``{"id", ...suggestion}`` or ``{"id", "error"}``."""
    handle = sys.stdin if source == "-" else None
    if handle is None:
        _require_file(Path(source), what="a JSON-lines file")
    errors = total = 0
    stream = handle if handle is not None else open(source, encoding="utf-8")  # noqa: SIM115
    try:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            total += 1
            out = _batch_line(model, line, number, limit, source)
            errors += "error" in out
            click.echo(json.dumps(out, ensure_ascii=False))
    except UnicodeDecodeError:
        fail(f"{source}: not UTF-8 text")
    finally:
        if handle is None:
            stream.close()
    if errors:
        click.echo(f"pprnet: {errors} of {total} lines had errors", err=True)
        raise SystemExit(1)


def _batch_line(model: TopicModel, line: str, number: int, limit: int, source: str) -> dict:
    from explorer.tagger.suggest_input import read_input
    from explorer.tagger.trust import suggest_with_trust

    where = f"{source}:{number}"
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"id": None, "error": f"{where}: not valid JSON ({exc.msg})"}
    if not isinstance(item, dict):
        return {"id": None, "error": f"{where}: expected an object with id, title and text"}
    item_id = item.get("id")
    text, journal = item.get("text"), item.get("journal")
    if text is None or text == "":  # a line of `pprnet dump`: body and implications
        parts = {key: item.get(key) for key in ("body", "implications")}
        for key, value in parts.items():
            if value is not None and not isinstance(value, str):
                return {"id": item_id, "error": f"{where}: '{key}' must be a string"}
        text = "\n\n".join(v for v in parts.values() if v)
    citation = item.get("citation")
    if not journal and isinstance(citation, dict) and isinstance(citation.get("journal"), str):
        journal = citation["journal"]
    try:
        result = suggest_with_trust(model, read_input(item.get("title"), text, journal),
                                    limit=limit)
    except ValueError as exc:
        return {"id": item_id, "error": f"{where}: {exc}"}
    return {"id": item_id, **result}


@click.command()
@click.argument("source", required=False, metavar="[FILE|-]")
@click.option("--json", "as_json", is_flag=True, help="Print the suggestion as JSON.")
@click.option("--limit", type=click.IntRange(1, 100), default=8, show_default=True,
              help="How many ranked topics to list (more when more are suggested).")
@click.option("--batch", "batch", metavar="FILE.jsonl", default=None,
              help='Tag a backlog: JSON Lines of {"id", "title", "text"} (or `pprnet dump` '
                   "lines) in, one JSON line per input out.")
@click.option("--journal", default=None, help="The journal, for plain-text input.")
@corpus_option
@index_option
@friendly_errors
def suggest(source: str | None, as_json: bool, limit: int, batch: str | None,
            journal: str | None, corpus_dir: Path, index_dir: Path) -> None:
    """Suggest topics, research type and similar summaries for a draft summary.

    FILE is a Markdown summary (front matter optional) or plain text; '-' reads standard
    input. Needs the model that `pprnet build` trains into the index folder.
    """
    from explorer.tagger.features import MAX_TEXT_CHARS
    from explorer.tagger.freshness import describe
    from explorer.tagger.suggest_input import read_input
    from explorer.tagger.trust import suggest_with_trust

    if batch and source:
        fail("give either FILE or --batch FILE.jsonl, not both")
    if not batch and source is None:
        if sys.stdin.isatty():
            fail("give a FILE, '-' for standard input, or --batch FILE.jsonl")
        source = "-"
    if batch and batch != "-":  # a bad path is told before the model is loaded
        _require_file(Path(batch), what="a JSON-lines file")
    elif source and source != "-":
        _require_file(Path(source))
    model, age = _load(corpus_dir, index_dir)
    if age["current"] is False:
        click.echo(f"pprnet: note: the topic model was {describe(age)}", err=True)
    if batch:
        _run_batch(model, batch, limit)
        return
    assert source is not None
    raw = _read_source(source)
    try:
        fields = parse_input(raw)
    except ValueError as exc:
        fail(f"{'standard input' if source == '-' else source}: {exc}")
    if len(fields.text) > MAX_TEXT_CHARS:
        click.echo(f"pprnet: note: the text is long; only its first {MAX_TEXT_CHARS:,} "
                   "characters are used", err=True)
    try:
        result = suggest_with_trust(
            model, read_input(fields.title, fields.text, journal or fields.journal),
            limit=limit)
    except ValueError as exc:
        fail(f"{'standard input' if source == '-' else source}: {exc}")
    result["trained_on"] = age
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        click.echo(format_suggestion(result))


# --------------------------------------------------------------------------- evaluate


_LABELS = {
    "precision_at_1": "precision@1", "precision_at_3": "precision@3",
    "recall_at_5": "recall@5", "f1_at_5": "F1@5", "ndcg_at_5": "NDCG@5",
    "micro_f1": "micro F1 (suggested)", "macro_f1": "macro F1 (suggested)",
}


def format_evaluation(res: dict) -> str:
    """The cross-validation report as tables: metrics, timings, per-topic weak spots."""
    columns = [("model", res["model"])]
    if "model_title_only" in res:
        columns.append(("title only", res["model_title_only"]))
    columns += [("most frequent", res["baselines"]["most_frequent"]),
                ("keyword", res["baselines"]["keyword"])]
    if "keyword_title_only" in res:
        columns.append(("keyword title", res["keyword_title_only"]))
    lines = [
        f"Cross-validation: {res['documents']} summaries, {res['folds']} folds "
        f"(iterative stratification), seed {res['seed']}"
        + (f"; {res['untagged_skipped']} untagged left out of topic metrics"
           if res.get("untagged_skipped") else ""),
        "",
    ]
    # every column is as wide as its header plus a gap, so headers never run together
    widths = [max(len(name), 6) + 3 for name, _ in columns]
    lines.append(f"{'metric':<22}" + "".join(f"{name:>{w}}" for (name, _), w in
                                              zip(columns, widths, strict=True)))
    lines.append(f"{'-' * 6:<22}" + "".join(f"{'-' * len(name):>{w}}" for (name, _), w in
                                             zip(columns, widths, strict=True)))
    for key, label in _LABELS.items():
        lines.append(f"{label:<22}" + "".join(f"{block[key]:>{w}.3f}" for (_, block), w in
                                              zip(columns, widths, strict=True)))
    base = res["baselines"]
    lines += [
        "",
        f"research type accuracy: {res['research_type_accuracy']:.3f} "
        f"(title only {res.get('model_title_only', {}).get('research_type_accuracy', 0):.3f}; "
        f"majority type {base['most_frequent']['research_type_accuracy']:.3f}, "
        f"cue words alone {base['keyword']['research_type_accuracy']:.3f})",
        f"training: {res['train_seconds']:.2f} s on the whole corpus; "
        f"one suggestion: {res['suggest_ms_median']:.1f} ms median",
        *_date_lines(res.get("date_split")),
        "",
        "Per topic (suggested sets), weakest first:",
        f"  {'support':>7} {'precision':>9} {'recall':>7} {'F1':>6}  topic",
    ]
    per_topic = sorted(res["model"]["per_topic"].items(),
                       key=lambda kv: (kv[1]["f1"], -kv[1]["support"], kv[0]))
    for topic, row in per_topic:
        lines.append(f"  {row['support']:>7} {row['precision']:>9.3f} {row['recall']:>7.3f} "
                     f"{row['f1']:>6.3f}  {topic}")
    return "\n".join(lines)


def _date_lines(split: dict | None) -> list[str]:
    """The split-by-date block: the model and the baselines on the later posts."""
    if not split:
        return []
    columns = [("model", split["model"]),
               ("most frequent", split["baselines"]["most_frequent"]),
               ("keyword", split["baselines"]["keyword"])]
    lines = ["", f"Split by date: trained on {split['train']} posts before "
                 f"{split['train_before']}, tested on the {split['test']} since",
             f"{'metric':<22}" + "".join(f"{name:>14}" for name, _ in columns)]
    for key in ("precision_at_1", "recall_at_5", "micro_f1", "research_type_accuracy"):
        label = _LABELS.get(key, "research type accuracy")
        lines.append(f"{label:<22}" + "".join(f"{block[key]:>14.3f}" for _, block in columns))
    return lines


@click.command(name="evaluate")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("--folds", type=click.IntRange(2, 20), default=5, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--quiet", "-q", is_flag=True, help="No progress lines on standard error.")
@click.option("--split-year", type=click.IntRange(1900, 2100), default=2021, show_default=True,
              help="Also train on posts before this year and test on the rest.")
@corpus_option
@index_option
@friendly_errors
def evaluate_command(as_json: bool, folds: int, seed: int, quiet: bool, split_year: int,
                     corpus_dir: Path, index_dir: Path) -> None:
    """Cross-validate the topic suggester against two baselines on the corpus, and test
    it by date (trained on the past, tested on later posts)."""
    from explorer.tagger.date_split import evaluate_by_date
    from explorer.tagger.evaluate import evaluate

    loaded = load_corpus(corpus_dir)
    if loaded.errors:
        click.echo(f"pprnet: warning: {len(loaded.errors)} problem(s) in the corpus; "
                   "files with errors are left out (see `pprnet check`)", err=True)
    summaries = loaded.summaries
    minimum = max(2 * folds, 10)
    if len(summaries) < minimum:
        fail(f"{corpus_dir}: {len(summaries)} summaries are too few to evaluate with "
             f"{folds} folds (need at least {minimum})")
    assert loaded.taxonomy is not None

    def progress(message: str) -> None:
        if not quiet:
            click.echo(f"pprnet: {message}", err=True)

    try:
        res = evaluate(summaries, loaded.taxonomy, folds=folds, seed=seed, progress=progress)
        progress(f"split by date: training on posts before {split_year}")
        res["date_split"] = evaluate_by_date(summaries, loaded.taxonomy, year=split_year,
                                             seed=seed)
    except ValueError as exc:
        fail(str(exc))
    if as_json:
        click.echo(json.dumps(res, ensure_ascii=False, indent=2))
    else:
        click.echo(format_evaluation(res))


COMMANDS = [suggest, evaluate_command]
