"""One clear line for the command-line slips a new user makes first (issue #17)."""

from __future__ import annotations

import shutil

from click.testing import CliRunner

from explorer.cli import main
from explorer.commands.tagger_commands import format_evaluation
from tests.conftest import BUNDLED_CORPUS, SEED_PAGE


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_suggest_on_a_folder_says_it_is_a_folder(tmp_path):
    result = run("suggest", str(tmp_path), "--index", str(tmp_path / "none"))
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"pprnet: error: {tmp_path}: is a folder, not a file; "
        "give one summary file (or - for standard input)")
    batch = run("suggest", "--batch", str(tmp_path), "--index", str(tmp_path / "none"))
    assert batch.exit_code == 2 and "is a folder, not a file; give a JSON-lines file" in batch.output


def test_suggest_on_a_missing_file_says_no_such_file(tmp_path):
    result = run("suggest", str(tmp_path / "draft.md"), "--index", str(tmp_path))
    assert result.exit_code == 2
    assert result.output.strip() == f"pprnet: error: {tmp_path / 'draft.md'}: no such file"


def test_import_into_an_impossible_folder_is_one_clean_line():
    result = run("import", str(SEED_PAGE), "--out", "/proc/nope")
    assert result.exit_code == 2
    last = result.output.strip().splitlines()[-1]
    assert last == ("pprnet: error: cannot create the output folder /proc/nope: "
                    "No such file or directory")
    assert "Errno" not in result.output


def test_import_into_a_read_only_folder_is_one_clean_line():
    result = run("import", str(SEED_PAGE), "--out", "/proc/self")
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        "pprnet: error: cannot write to the output folder /proc/self")


def test_check_names_the_taxonomy_it_used(tmp_path):
    shutil.copy(next(BUNDLED_CORPUS.glob("2013-*.md")), tmp_path)
    result = run("check", "--corpus", str(tmp_path), "-q")
    assert result.exit_code == 0, result.output
    from explorer.corpus import default_taxonomy_path

    bundled = BUNDLED_CORPUS / "taxonomy.yaml"
    assert (f"taxonomy: {default_taxonomy_path()} (the bundled default: {tmp_path} has no "
            "taxonomy.yaml)") in result.output
    shutil.copy(bundled, tmp_path)
    own = run("check", "--corpus", str(tmp_path), "-q")
    assert f"taxonomy: {tmp_path / 'taxonomy.yaml'}\n" in own.output
    assert "bundled default" not in own.output


def test_check_says_when_no_taxonomy_is_found(tmp_path, monkeypatch):
    import explorer.corpus

    monkeypatch.setattr(explorer.corpus, "default_taxonomy_path", lambda: tmp_path / "gone.yaml")
    result = run("check", "--corpus", str(tmp_path))
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"pprnet: error: {tmp_path}: no taxonomy.yaml in the folder and no bundled one: "
        "topics and research types cannot be checked")


def _metrics(value: float) -> dict:
    keys = ("precision_at_1", "precision_at_3", "recall_at_5", "f1_at_5", "ndcg_at_5",
            "micro_f1", "macro_f1")
    return {**{k: value for k in keys}, "research_type_accuracy": value}


def test_evaluate_table_headers_are_separated_and_aligned():
    res = {
        "documents": 181, "folds": 5, "seed": 0, "research_type_accuracy": 0.8,
        "model": {**_metrics(0.612), "per_topic": {}},
        "model_title_only": _metrics(0.5),
        "keyword_title_only": _metrics(0.2),
        "baselines": {"most_frequent": _metrics(0.1), "keyword": _metrics(0.3)},
        "train_seconds": 1.0, "suggest_ms_median": 2.0,
    }
    lines = format_evaluation(res).splitlines()
    header = next(line for line in lines if line.startswith("metric"))
    rule = lines[lines.index(header) + 1]
    row = next(line for line in lines if line.startswith("precision@1"))
    names = ["model", "title only", "most frequent", "keyword", "keyword title"]
    for name in names:
        assert f"  {name}" in header  # at least two spaces before every header
    # each header, its rule and its figures end in the same column
    for name, value in zip(names, ["0.612", "0.500", "0.100", "0.300", "0.200"], strict=True):
        end = header.index(name) + len(name)
        assert rule[end - len(name):end] == "-" * len(name)
        assert row[end - len(value):end] == value
