"""The model learns: saves retrain it in the background; an older model keeps serving."""

from __future__ import annotations

import json
from dataclasses import replace

from click.testing import CliRunner

from explorer.cli import main
from explorer.corpus import load_corpus
from explorer.tagger import load_model, save_model, train_model
from explorer.web import model_holder
from tests.conftest import BUNDLED_CORPUS
from tests.test_web_editor import DRAFT, PASSWORD, sign_in
from tests.web_helpers import copy_site, make_app

TYPE = "Naturalistic, observational or qualitative study"


def _save(client, token: str, **changes: str) -> str:
    data = {"csrf_token": token, "action": "save", **DRAFT, "topic": ["Empathy"],
            "research_type": TYPE, **changes}
    response = client.post("/editor/draft", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response.headers["Location"].rsplit("/", 1)[1]


def _cli_suggest(site) -> dict:
    result = CliRunner().invoke(main, ["suggest", "-", "--json", "--corpus", str(site.corpus_dir),
                                       "--index", str(site.index_dir)],
                                input="Alliance ruptures were repaired by talking openly.")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_cli_suggest_works_right_after_a_web_save(tmp_path):
    site = copy_site(tmp_path)
    client = make_app(site, EDITOR_PASSWORD=PASSWORD).test_client()
    before = len(site.summaries())
    _save(client, sign_in(client))
    age = _cli_suggest(site)["trained_on"]
    assert age == {"summaries": before, "date": age["date"], "current": False,
                   "corpus_summaries": before + 1}


def test_saves_are_retrained_once_in_the_background_and_swapped_in(tmp_path):
    site = copy_site(tmp_path)
    app = make_app(site, EDITOR_PASSWORD=PASSWORD, MODEL_RETRAIN_DELAY=0.3)
    client = app.test_client()
    holder = app.extensions["pprnet"].models
    token = sign_in(client)
    _save(client, token)
    _save(client, token, title="A second rupture study saved at once",
          published="2024-06", not_duplicate="1")
    # The old model serves while the new one trains: the page says how old it is.
    html = client.post("/editor/draft", data={"csrf_token": token, "action": "suggest",
                                              **DRAFT}).get_data(as_text=True)
    assert 'id="model-age"' in html and "trained on" in html
    assert holder.wait_idle(timeout=120), holder.last_error
    assert holder.last_error is None
    assert holder.retrains == 1  # the burst of two saves made one training run
    corpus = site.summaries()
    assert len(load_model(site.index_dir).doc_ids) == len(corpus)
    with app.app_context():
        assert len(app.extensions["pprnet"].model()[0].doc_ids) == len(corpus)
    api = client.post("/api/suggest", json={"title": "Alliance ruptures", "text": "repair"},
                      headers={"X-CSRF-Token": token}).get_json()
    assert api["trained_on"]["current"] is True
    assert api["trained_on"]["summaries"] == len(corpus)
    assert _cli_suggest(site)["trained_on"]["current"] is True


def test_a_model_trained_elsewhere_is_picked_up(tmp_path, monkeypatch):
    monkeypatch.setattr(model_holder, "CHECK_SECONDS", 0.0)
    site = copy_site(tmp_path)
    app = make_app(site)
    st = app.extensions["pprnet"]
    first, _ = st.model()
    loaded = load_corpus(site.corpus_dir)
    fewer = [replace(s) for s in loaded.summaries[:-3]]
    save_model(train_model(fewer, loaded.taxonomy), site.index_dir)  # another process's build
    second, why = st.model()
    assert why is None and second is not first
    assert len(second.doc_ids) == len(fewer)


def test_a_model_for_another_taxonomy_is_refused_with_the_fix(tmp_path):
    site = copy_site(tmp_path)
    bundled = (BUNDLED_CORPUS / "taxonomy.yaml").read_text(encoding="utf-8")
    (site.corpus_dir / "taxonomy.yaml").write_text(
        bundled.replace("topics:\n", "topics:\n  - Brand New Topic\n", 1), encoding="utf-8")
    app = make_app(site, EDITOR_PASSWORD=PASSWORD)
    model, why = app.extensions["pprnet"].model()
    assert model is None and "another topic list (new: Brand New Topic)" in why
    assert "pprnet build" in why
