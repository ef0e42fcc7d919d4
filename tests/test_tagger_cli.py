"""``pprnet suggest`` (single, stdin, batch) and ``pprnet evaluate`` from the command line."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from explorer.cli import main
from explorer.commands.tagger_commands import parse_input
from explorer.corpus import load_corpus, render_summary, write_summary
from explorer.tagger import save_model, train_model
from explorer.tagger.synthetic import synthetic_corpus, taxonomy_yaml


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, Path, list]:
    """A corpus folder written with write_summary, and an index folder with its model."""
    root = tmp_path_factory.mktemp("site")
    corpus, index = root / "corpus", root / "index"
    summaries, taxonomy = synthetic_corpus(48, seed=21)
    corpus.mkdir()
    (corpus / "taxonomy.yaml").write_text(taxonomy_yaml(taxonomy), encoding="utf-8")
    for summary in summaries:
        write_summary(summary, corpus, taxonomy=taxonomy)
    loaded = load_corpus(corpus)
    assert not loaded.errors
    save_model(train_model(loaded.summaries, loaded.taxonomy), index)
    return corpus, index, loaded.summaries


def run(site, *args: str, input: str | None = None):
    corpus, index, _ = site
    return CliRunner().invoke(main, [*args, "--corpus", str(corpus), "--index", str(index)],
                              input=input)


def _no_traceback(result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


# --------------------------------------------------------------------------- suggest


def test_suggest_a_markdown_summary_file(site, tmp_path):
    _, _, summaries = site
    draft = replace(summaries[0], id="2024-01-a-new-draft")
    path = tmp_path / "draft.md"
    path.write_text(render_summary(draft), encoding="utf-8")
    result = run(site, "suggest", str(path))
    assert result.exit_code == 0, result.output
    assert "Topics (* = suggested):" in result.output
    assert summaries[0].topics[0] in result.output
    assert summaries[0].id in result.output  # the archived twin is listed as similar


def test_suggest_json_has_the_documented_shape(site, tmp_path):
    _, _, summaries = site
    path = tmp_path / "draft.md"
    path.write_text(render_summary(summaries[1]), encoding="utf-8")
    result = run(site, "suggest", str(path), "--json", "--limit", "3")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"topics", "research_type", "similar", "trained_on", "notice"}
    assert len(data["topics"]) >= 3
    assert set(data["topics"][0]) == {"topic", "score", "suggested", "because"}
    assert data["topics"][0]["suggested"] is True
    assert set(data["similar"][0]) == {"id", "title", "score"}


def test_suggest_plain_text_from_standard_input(site):
    _, _, summaries = site
    text = f"# {summaries[2].title}\n\n{summaries[2].body}\n"
    result = run(site, "suggest", "-", "--json", input=text)
    assert result.exit_code == 0, result.output
    ranked = [t["topic"] for t in json.loads(result.output)["topics"]]
    assert summaries[2].topics[0] in ranked[:3]


def test_suggest_empty_input_is_one_clear_line(site, tmp_path):
    path = tmp_path / "empty.md"
    path.write_text("  \n", encoding="utf-8")
    result = run(site, "suggest", str(path))
    assert result.exit_code != 0
    assert "nothing to suggest from" in result.output
    _no_traceback(result)


def test_suggest_missing_file_and_bad_front_matter_are_clear(site, tmp_path):
    result = run(site, "suggest", str(tmp_path / "nope.md"))
    assert result.exit_code != 0 and "no such file" in result.output
    bad = tmp_path / "bad.md"
    bad.write_text("---\ntitle: [unclosed\n---\nBody.\n", encoding="utf-8")
    result = run(site, "suggest", str(bad))
    assert result.exit_code != 0 and "not valid YAML" in result.output
    _no_traceback(result)


def test_suggest_huge_paste_is_capped_with_a_note(site):
    _, _, summaries = site
    huge = (summaries[3].body + "\n\n") * 200
    result = run(site, "suggest", "-", "--json", input=huge)
    assert result.exit_code == 0
    assert "only its first" in result.stderr
    assert json.loads(result.stdout)["topics"]


def test_suggest_without_a_model_says_run_pprnet_build(site, tmp_path):
    corpus, _, _ = site
    result = CliRunner().invoke(main, ["suggest", "-", "--corpus", str(corpus),
                                       "--index", str(tmp_path / "empty-index")],
                                input="Group therapy for anxiety")
    assert result.exit_code != 0
    assert "pprnet build" in result.output
    _no_traceback(result)


def _copy_corpus(corpus: Path, target: Path) -> Path:
    target.mkdir()
    (target / "taxonomy.yaml").write_text((corpus / "taxonomy.yaml").read_text())
    for path in corpus.glob("*.md"):
        (target / path.name).write_text(path.read_text())
    return target


def test_suggest_with_a_model_older_than_the_corpus_serves_and_says_its_age(site, tmp_path):
    corpus, index, summaries = site
    newer = _copy_corpus(corpus, tmp_path / "corpus")
    write_summary(replace(summaries[0], id="2024-02-added-after-the-build"), newer)
    result = CliRunner().invoke(main, ["suggest", "-", "--json", "--corpus", str(newer),
                                       "--index", str(index)], input="Some text " * 30)
    assert result.exit_code == 0, result.output
    age = json.loads(result.stdout)["trained_on"]
    assert age["summaries"] == len(summaries) and age["corpus_summaries"] == len(summaries) + 1
    assert age["current"] is False and age["date"]
    assert "note: the topic model was trained on" in result.stderr
    fresh = run(site, "suggest", "-", "--json", input="Some text " * 30)
    assert json.loads(fresh.stdout)["trained_on"]["current"] is True
    text = run(site, "suggest", "-", input="Some text " * 30)
    assert f"Model: trained on {len(summaries)} summaries" in text.output


def test_suggest_refuses_a_model_of_another_taxonomy_with_the_fix(site, tmp_path):
    corpus, index, _ = site
    other = _copy_corpus(corpus, tmp_path / "corpus")
    tax = other / "taxonomy.yaml"
    tax.write_text(tax.read_text().replace("topics:\n", "topics:\n- A Brand New Topic\n", 1))
    result = CliRunner().invoke(main, ["suggest", "-", "--corpus", str(other),
                                       "--index", str(index)], input="Some text")
    assert result.exit_code == 2
    assert "another topic list" in result.output and "A Brand New Topic" in result.output
    assert "pprnet build" in result.output
    _no_traceback(result)


def test_suggest_refuses_file_and_batch_together(site, tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text("{}\n")
    result = run(site, "suggest", str(path), "--batch", str(path))
    assert result.exit_code != 0 and "not both" in result.output


# --------------------------------------------------------------------------- batch


def test_batch_writes_one_json_line_per_input_with_its_id(site, tmp_path):
    _, _, summaries = site
    lines = [{"id": s.id, "title": s.title, "text": s.body} for s in summaries[:4]]
    lines.append({"id": 99, "title": summaries[5].title, "text": ""})  # title alone is fine
    path = tmp_path / "backlog.jsonl"
    path.write_text("\n".join(json.dumps(item) for item in lines) + "\n\n", encoding="utf-8")
    result = run(site, "suggest", "--batch", str(path))
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert [o["id"] for o in out] == [item["id"] for item in lines]
    for o, summary in zip(out, summaries[:4], strict=False):
        assert set(o) == {"id", "topics", "research_type", "similar", "notice"}
        assert summary.topics[0] in [t["topic"] for t in o["topics"]][:3]


def test_batch_reports_bad_lines_and_carries_on(site, tmp_path):
    path = tmp_path / "backlog.jsonl"
    path.write_text("\n".join([
        json.dumps({"id": "ok", "title": "Group therapy", "text": "Groups of patients."}),
        "{not json",
        json.dumps({"id": "empty", "title": "", "text": ""}),
        json.dumps({"id": "typed", "title": 5}),
        json.dumps(["a", "list"]),
        json.dumps({"id": "last", "text": "Therapists and clients."}),
    ]) + "\n", encoding="utf-8")
    result = run(site, "suggest", "--batch", str(path))
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 6
    assert "topics" in out[0] and "topics" in out[5]
    assert "not valid JSON" in out[1]["error"] and ":2:" in out[1]["error"]
    assert out[2]["id"] == "empty" and "nothing to suggest from" in out[2]["error"]
    assert "must be a string" in out[3]["error"]
    assert "expected an object" in out[4]["error"]
    assert "4 of 6 lines had errors" in result.stderr


def test_batch_from_standard_input(site):
    result = run(site, "suggest", "--batch", "-", "--json",
                 input=json.dumps({"id": "a", "title": "Empathy", "text": ""}) + "\n")
    assert result.exit_code == 0
    assert json.loads(result.output)["id"] == "a"


# --------------------------------------------------------------------------- evaluate


def test_evaluate_json_reports_model_and_baselines(site):
    result = run(site, "evaluate", "--json", "--folds", "3", "--quiet")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in ("model", "baselines", "research_type_accuracy", "train_seconds",
                "suggest_ms_median"):
        assert key in data
    assert set(data["baselines"]) == {"most_frequent", "keyword"}
    for key in ("precision_at_1", "precision_at_3", "recall_at_5", "f1_at_5", "ndcg_at_5",
                "micro_f1", "macro_f1", "per_topic"):
        assert key in data["model"]
    assert data["folds"] == 3
    split = data["date_split"]
    corpus, _, summaries = site
    before = sum(1 for s in summaries if s.published < "2021-01")
    assert split["train_before"] == "2021-01"
    assert (split["train"], split["test"]) == (before, len(summaries) - before)
    assert set(split["baselines"]) == {"most_frequent", "keyword"}
    assert 0 <= split["model"]["recall_at_5"] <= 1 and split["model"]["per_topic"]


def test_evaluate_split_year_that_leaves_nothing_is_refused(site):
    result = run(site, "evaluate", "--folds", "3", "--quiet", "--split-year", "2100")
    assert result.exit_code == 2 and "choose another year" in result.output
    _no_traceback(result)


def test_evaluate_table_lists_weak_spots(site):
    result = run(site, "evaluate", "--folds", "3", "--quiet")
    assert result.exit_code == 0, result.output
    assert "recall@5" in result.output and "most frequent" in result.output
    assert "Per topic" in result.output
    assert "Split by date: trained on" in result.output


def test_evaluate_on_a_tiny_corpus_is_one_clear_line(tmp_path):
    summaries, taxonomy = synthetic_corpus(4, seed=1)
    (tmp_path / "taxonomy.yaml").write_text(taxonomy_yaml(taxonomy))
    for summary in summaries:
        write_summary(summary, tmp_path, taxonomy=taxonomy)
    result = CliRunner().invoke(main, ["evaluate", "--corpus", str(tmp_path)])
    assert result.exit_code != 0 and "too few" in result.output
    _no_traceback(result)


# --------------------------------------------------------------------------- input parsing


def test_parse_input_reads_front_matter_titles_and_journal():
    text = ('---\ntitle: "Heading"\ncitation:\n  title: "Study title"\n  journal: "Psychotherapy"'
            "\n---\nSummary text.\n\n## Practice Implications\nDo this.\n")
    fields = parse_input(text)
    assert fields.title == "Heading\nStudy title"
    assert fields.journal == "Psychotherapy"
    assert "Summary text." in fields.text and "Do this." in fields.text
    assert "Practice Implications" not in fields.text


def test_parse_input_plain_text_heading_and_single_line():
    assert parse_input("# A title\n\nBody here.").title == "A title"
    assert parse_input("# A title\n\nBody here.").text == "Body here."
    single = parse_input("Group therapy for social anxiety\n")
    assert single.title == "Group therapy for social anxiety" and single.text == ""
    prose = parse_input("First sentence.\nSecond sentence.")
    assert prose.title == "" and prose.text == "First sentence.\nSecond sentence."


@pytest.mark.parametrize("text,message", [
    ("---\ntitle: x\n", "not closed"),
    ("---\n- a list\n---\nBody", "mapping"),
])
def test_parse_input_bad_front_matter(text, message):
    with pytest.raises(ValueError, match=message):
        parse_input(text)
