"""Suggestions that deserve trust: randomised-design cues, short and unknown input, the page
keeps the suggestions in view."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from explorer.cli import main
from explorer.corpus import load_corpus
from explorer.tagger import train_model
from explorer.tagger.features import DocFields
from explorer.tagger.trust import MIN_WORDS, assess, suggest_with_trust
from tests.conftest import BUNDLED_CORPUS
from tests.test_web_editor import DRAFT, PASSWORD, sign_in
from tests.web_helpers import copy_site, make_app

RCT = "Randomized controlled trial"
BODY = ("Researchers randomly assigned 24 community mental health clinics either to use "
        "routine outcome monitoring with feedback to therapists or to continue usual care. "
        "About 1,200 adult clients were followed for six months. Clients treated in clinics "
        "using feedback improved more, especially those who were not on track early on.")


@pytest.fixture(scope="module")
def bundled_model():
    loaded = load_corpus(BUNDLED_CORPUS)
    return train_model(loaded.summaries, loaded.taxonomy)


def test_randomised_design_cues_win_the_research_type(bundled_model):
    plain = bundled_model.suggest("Feedback in community clinics", BODY)
    assert plain["research_type"][0]["type"] == RCT
    cited = bundled_model.suggest(
        "Feedback in community clinics\nRoutine outcome monitoring in community clinics: "
        "a cluster randomized trial", BODY)
    assert cited["research_type"][0]["type"] == RCT
    assert cited["research_type"][0]["score"] > plain["research_type"][0]["score"]


def test_title_alone_leans_on_the_commonest_type_without_cues(bundled_model):
    loaded = load_corpus(BUNDLED_CORPUS)
    types = [s.research_type for s in loaded.summaries if s.research_type]
    commonest = max(set(types), key=types.count)
    bare = bundled_model.suggest("Therapists and their clients", "")
    assert bare["research_type"][0]["type"] == commonest
    meta = bundled_model.suggest("A meta-analysis of therapist effects", "")
    assert meta["research_type"][0]["type"] == "Meta-analysis"


@pytest.mark.parametrize("title,text,needle", [
    ("asdf qwer", "lorem ipsum zzkv", "none of these words"),
    ("Group therapy for social anxiety", "", f"too little text to suggest: 5 words; at least "
                                             f"{MIN_WORDS} needed"),
])
def test_nonsense_and_short_input_get_a_notice_and_nothing_ticked(bundled_model, title, text,
                                                                    needle):
    result = suggest_with_trust(bundled_model, DocFields(title, text))
    assert needle in result["notice"]
    assert not any(t["suggested"] for t in result["topics"])
    assert result["topics"]  # still ranked, as a hint


def test_a_real_summary_gets_no_notice(bundled_model):
    summary = load_corpus(BUNDLED_CORPUS).summaries[0]
    assert assess(bundled_model, DocFields(summary.title, summary.body)) is None


def test_cli_prints_the_notice(tmp_path, bundled_model):
    from explorer.tagger import save_model

    save_model(bundled_model, tmp_path)
    result = CliRunner().invoke(main, ["suggest", "-", "--json", "--corpus", str(BUNDLED_CORPUS),
                                       "--index", str(tmp_path)], input="asdf qwer lorem ipsum")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert "none of these words" in data["notice"]
    assert not any(t["suggested"] for t in data["topics"])


def test_editor_keeps_nothing_ticked_for_nonsense_and_jumps_to_suggestions(tmp_path):
    site = copy_site(tmp_path)
    client = make_app(site, EDITOR_PASSWORD=PASSWORD).test_client()
    token = sign_in(client)
    form = client.get("/editor").get_data(as_text=True)
    assert 'formaction="/editor/draft#suggestions"' in form
    response = client.post("/editor/draft", data={
        "csrf_token": token, "action": "suggest", "published": "2024-05",
        "title": "asdf qwer", "body": "lorem ipsum zzkv"})
    html = response.get_data(as_text=True)
    assert 'id="suggest-notice"' in html and "none of these words" in html
    assert 'name="topic" value="' in html
    assert not re.search(r'name="topic" value="[^"]+" checked', html)
    assert not re.search(r'name="research_type" value="[^"]+" checked', html)
    full = client.post("/editor/draft", data={"csrf_token": token, "action": "suggest", **DRAFT})
    assert 'id="suggest-notice"' not in full.get_data(as_text=True)
