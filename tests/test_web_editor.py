"""The editor: off without a password, sign-in, suggest, save (file + index + store), edit."""

from __future__ import annotations

import re
from html import unescape

import pytest
from werkzeug.datastructures import MultiDict

from explorer.corpus import load_corpus
from tests.web_helpers import (
    copy_site,
    form_fields,
    make_app,
    sign_in_as_editor,
    template_site,
    token_of,
)

PASSWORD = "editor passphrase for tests"
CITATION = ("Okafor, N., & Lindqvist, E. (2023). Talking about ruptures: Alliance repair in "
            "brief therapy. Psychotherapy Research, 33(4), 512–525. "
            "https://doi.org/10.1080/10503307.2023.123456")
DRAFT = {
    "published": "2024-05",
    "title": "Talking openly about alliance ruptures",
    "citation_text": CITATION,
    "body": "The working alliance between client and therapist is strained by ruptures. "
            "Therapists who invited clients to talk about the rupture repaired the alliance, "
            "and repaired ruptures were followed by better outcomes.",
    "implications": "Therapists can ask about tension in the relationship directly.",
}


@pytest.fixture()
def site(tmp_path):
    return copy_site(tmp_path)


@pytest.fixture()
def app(site):
    return make_app(site, EDITOR_PASSWORD=PASSWORD)


@pytest.fixture()
def client(app):
    return app.test_client()


def sign_in(client) -> str:
    return sign_in_as_editor(client, PASSWORD)


def has_model(app) -> bool:
    with app.app_context():
        return app.extensions["pprnet"].model()[0] is not None


def checked_topics(html: str) -> list[str]:
    return [unescape(v) for v in re.findall(r'name="topic" value="([^"]+)" checked', html)]


# --------------------------------------------------------------------------- access


def test_editor_off_without_password(site):
    client = make_app(site, EDITOR_PASSWORD=None).test_client()
    response = client.get("/editor")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "switched off" in html and "PPRNET_EDITOR_PASSWORD" in html
    assert client.get(f"/editor/edit/{site.summaries()[0].id}").status_code == 403


def test_editor_shows_sign_in_first(client, site):
    html = client.get("/editor").get_data(as_text=True)
    assert 'type="password"' in html and 'id="title"' not in html
    assert client.get(f"/editor/edit/{site.summaries()[0].id}").status_code == 302
    token = token_of(html)
    assert client.post("/editor/draft", data={"csrf_token": token, **DRAFT}).status_code == 403


def test_sign_in_and_out(client):
    token = sign_in(client)
    html = client.get("/editor").get_data(as_text=True)
    assert 'id="title"' in html and "Sign out" in html
    assert client.post("/editor/logout", data={"csrf_token": token}).status_code == 302
    assert 'type="password"' in client.get("/editor").get_data(as_text=True)


# --------------------------------------------------------------------------- suggest


def test_suggest_parses_the_citation_and_ranks_topics(app, client):
    token = sign_in(client)
    response = client.post("/editor/draft", data={"csrf_token": token, "action": "suggest",
                                                  **DRAFT})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r'id="cit_year" name="cit_year" value="2023"', html)
    assert re.search(r'id="cit_journal" name="cit_journal" value="Psychotherapy Research"', html)
    assert 'value="10.1080/10503307.2023.123456"' in html
    assert "Okafor, N." in html and "Lindqvist, E." in html
    assert has_model(app)
    ranked = re.findall(r'id="st-\d+" name="topic" value="([^"]+)"', html)
    assert len(ranked) >= 8
    assert "Alliance and Therapeutic Relationship" in [unescape(t) for t in ranked[:3]]
    assert checked_topics(html), "suggested topics come ticked"
    assert 'class="because"' in html
    assert "Most similar summaries" in html
    assert re.search(r'name="research_type" value="[^"]+" checked', html)


def test_suggest_keeps_the_editors_choices(client):
    token = sign_in(client)
    first = client.post("/editor/draft", data={"csrf_token": token, "action": "suggest",
                                               **DRAFT}).get_data(as_text=True)
    fields = [(k, v) for k, v in form_fields(first) if k != "topic"] + [("topic", "Training")]
    fields = [(k, v) for k, v in fields if k != "action"] + [("action", "suggest")]
    again = client.post("/editor/draft", data=MultiDict(fields)).get_data(as_text=True)
    assert checked_topics(again) == ["Training"]


# --------------------------------------------------------------------------- save


def test_save_writes_file_updates_index_and_store(client, site):
    token = sign_in(client)
    data = {"csrf_token": token, "action": "save", **DRAFT,
            "topic": ["Alliance and Therapeutic Relationship", "Common Factors"],
            "research_type": "Naturalistic, observational or qualitative study"}
    response = client.post("/editor/draft", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    new_id = response.headers["Location"].rsplit("/", 1)[1]
    assert new_id.startswith("2024-05-talking-openly-about-alliance-ruptures")
    # the corpus file exists and loads cleanly
    loaded = load_corpus(site.corpus_dir)
    assert not loaded.errors
    saved = next(s for s in loaded.summaries if s.id == new_id)
    assert saved.topics == ["Alliance and Therapeutic Relationship", "Common Factors"]
    assert saved.citation.journal == "Psychotherapy Research"
    assert saved.citation.doi == "10.1080/10503307.2023.123456"
    assert not list(site.corpus_dir.glob(".*.tmp"))
    # found by search at once, shown, counted
    found = client.get("/api/search?q=talking+openly+ruptures").get_json()
    assert new_id in [h["id"] for h in found["hits"]]
    page = client.get(f"/summary/{new_id}")
    assert page.status_code == 200 and "Saved a new summary" in page.get_data(as_text=True)
    topics = client.get("/api/topics").get_json()
    assert topics["total"] == len(loaded.summaries)
    common = next(t for t in topics["topics"] if t["name"] == "Common Factors")
    assert common["count"] == sum("Common Factors" in s.topics for s in loaded.summaries)


def test_save_without_suggest_parses_the_raw_citation(client, site):
    token = sign_in(client)
    data = {"csrf_token": token, "action": "save", **DRAFT, "topic": "Empathy",
            "research_type": "Meta-analysis"}
    response = client.post("/editor/draft", data=data)
    assert response.status_code == 302
    new_id = response.headers["Location"].rsplit("/", 1)[1]
    saved = next(s for s in load_corpus(site.corpus_dir).summaries if s.id == new_id)
    assert saved.citation.authors == ["Okafor, N.", "Lindqvist, E."]
    assert saved.citation.year == "2023"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"topic": []}, "Tick at least one topic"),
        ({"title": ""}, "title"),
        ({"published": "May 2024"}, "YYYY-MM"),
        ({"published": "2024-13"}, "published"),
        ({"topic": ["Not a topic"]}, "unknown topic"),
        ({"research_type": "Astrology"}, "unknown research type"),
    ],
)
def test_save_refuses_invalid_drafts(client, site, change, message):
    token = sign_in(client)
    before = sorted(p.name for p in site.corpus_dir.glob("*.md"))
    data = {"csrf_token": token, "action": "save", **DRAFT, "topic": ["Empathy"],
            "research_type": "Meta-analysis", **change}
    response = client.post("/editor/draft", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Not saved yet" in html and message.lower() in unescape(html).lower()
    assert unescape(re.search(r'id="body" name="body"[^>]*>(.*?)</textarea>', html,
                              re.S).group(1)) == DRAFT["body"]  # nothing typed is lost
    assert sorted(p.name for p in site.corpus_dir.glob("*.md")) == before


def test_new_summary_cannot_overwrite_a_different_one(client, site):
    token = sign_in(client)
    data = {"csrf_token": token, "action": "save", **DRAFT, "topic": ["Empathy"],
            "research_type": "Meta-analysis"}
    assert client.post("/editor/draft", data=data).status_code == 302
    data["body"] = "A different text under the same title and month."
    response = client.post("/editor/draft", data=data)
    assert response.status_code == 422
    assert "already in the archive" in unescape(response.get_data(as_text=True))


def test_other_corpus_errors_are_shown_as_they_are_not_as_a_clash(client, site, monkeypatch):
    """The clash is told apart by its class: a message that merely says "exists" is not one."""
    from explorer.corpus import CorpusError
    from explorer.web.state import WebState

    def refuse(self, summary, *, overwrite):
        raise CorpusError("corpus/x.md: the folder that exists is read-only for this reason")

    monkeypatch.setattr(WebState, "save", refuse)
    token = sign_in(client)
    data = {"csrf_token": token, "action": "save", **DRAFT, "topic": ["Empathy"],
            "research_type": "Meta-analysis"}
    response = client.post("/editor/draft", data=data)
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "read-only for this reason" in html and "already in the archive" not in html


def test_edit_existing_tags(client, site):
    token = sign_in(client)
    target = site.summaries()[5]
    html = client.get(f"/editor/edit/{target.id}").get_data(as_text=True)
    assert sorted(checked_topics(html)) == sorted(target.topics)
    assert f'name="original_id" value="{target.id}"' in html
    fields = [(k, v) for k, v in form_fields(html) if k not in ("topic", "action")]
    fields += [("topic", "Termination"), ("topic", "Training"), ("action", "save")]
    assert ("csrf_token", token) in fields
    response = client.post("/editor/draft", data=MultiDict(fields))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/summary/{target.id}")
    reloaded = next(s for s in load_corpus(site.corpus_dir).summaries if s.id == target.id)
    assert reloaded.topics == ["Termination", "Training"]
    assert reloaded.body == target.body and reloaded.title == target.title
    found = client.get("/api/search", query_string={"topic": "Termination",
                                                    "q": target.title.split(" (")[0]})
    assert target.id in [h["id"] for h in found.get_json()["hits"]]
    assert "Termination" in client.get(f"/api/summaries/{target.id}").get_json()["topics"]


def test_suggest_for_an_old_summary_dates_it_by_its_post(client, site, monkeypatch):
    """Re-editing a summary asks the model with its own month, not today's (the residual
    label's "in use since" feature reads the date); a new draft keeps its chosen month."""
    from explorer.tagger.model import TopicModel

    seen: list[str | None] = []
    original = TopicModel.suggest

    def spy(self, *args, **kwargs):
        seen.append(kwargs.get("published"))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(TopicModel, "suggest", spy)
    token = sign_in(client)
    target = min(site.summaries(), key=lambda s: s.published)
    html = client.get(f"/editor/edit/{target.id}").get_data(as_text=True)
    fields = [(k, v) for k, v in form_fields(html) if k != "action"] + [("action", "suggest")]
    assert client.post("/editor/draft", data=MultiDict(fields)).status_code == 200
    old_calls = len(seen)
    client.post("/editor/draft", data={"csrf_token": token, "action": "suggest", **DRAFT})
    assert old_calls >= 1 and seen[:old_calls] == [target.published] * old_calls
    assert seen[old_calls:] == [DRAFT["published"]]


def test_edit_unknown_summary_is_404(client):
    token = sign_in(client)
    assert client.get("/editor/edit/no-such-summary").status_code == 404
    response = client.post("/editor/draft", data={"csrf_token": token, **DRAFT,
                                                  "original_id": "no-such-summary"})
    assert response.status_code == 404


def test_editor_without_model_still_saves(tmp_path):
    import shutil

    site = copy_site(tmp_path)
    shutil.rmtree(site.index_dir / "model")
    client = make_app(site, EDITOR_PASSWORD=PASSWORD).test_client()
    token = sign_in(client)
    html = client.post("/editor/draft", data={"csrf_token": token, "action": "suggest",
                                              **DRAFT}).get_data(as_text=True)
    assert "No suggestions" in html and "pprnet build" in html
    assert 'name="topic" value="Empathy"' in html  # every topic can still be ticked
    response = client.post("/editor/draft", data={"csrf_token": token, "action": "save",
                                                  **DRAFT, "topic": "Empathy"})
    assert response.status_code == 302


def test_find_existing_summary_to_edit(client, site):
    sign_in(client)
    html = client.get("/editor?find=cohesion").get_data(as_text=True)
    assert re.search(r'href="/editor/edit/[a-z0-9-]+"', html)


def test_summary_page_offers_edit_link_only_when_signed_in(client, site):
    sid = site.summaries()[2].id
    assert f"/editor/edit/{sid}" not in client.get(f"/summary/{sid}").get_data(as_text=True)
    sign_in(client)
    assert f"/editor/edit/{sid}" in client.get(f"/summary/{sid}").get_data(as_text=True)


def test_template_site_is_untouched():
    """The editor tests write only to their own copies."""
    assert not [s for s in template_site().summaries() if s.published == "2024-05"
                and "talking" in s.id]


def test_anonymous_cached_pages_see_a_save_at_once(app, site):
    reader = app.test_client()  # no session cookie: served from the page cache
    before = reader.get("/?q=talking+openly").get_data(as_text=True)
    assert before == reader.get("/?q=talking+openly").get_data(as_text=True)
    new_link = 'href="/summary/2024-05-talking-openly-about-alliance-ruptures'  # the search page adds the search state after it
    assert new_link not in before
    editor = app.test_client()
    token = sign_in(editor)
    response = editor.post("/editor/draft", data={"csrf_token": token, "action": "save", **DRAFT,
                                                  "topic": "Empathy"})
    assert response.status_code == 302
    after = reader.get("/?q=talking+openly").get_data(as_text=True)
    assert new_link in after
    topic_page = reader.get("/topics/empathy").get_data(as_text=True)
    assert new_link in topic_page


def test_many_readers_while_the_editor_saves(app, site):
    """One SearchIndex and one store shared by many threads, with a save in the middle."""
    import threading

    summaries = site.summaries()
    paths = ["/?q=alliance", "/?topic=Empathy", "/topics", "/api/search?q=therapist",
             *[f"/summary/{s.id}" for s in summaries[:5]], "/topics/empathy"]
    failures: list[str] = []

    def read(n: int) -> None:
        client = app.test_client()
        for i in range(15):
            path = paths[(n + i) % len(paths)]
            status = client.get(path).status_code
            if status != 200:
                failures.append(f"{path}: {status}")

    threads = [threading.Thread(target=read, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    editor = app.test_client()
    token = sign_in(editor)
    saved = editor.post("/editor/draft", data={"csrf_token": token, "action": "save", **DRAFT,
                                               "topic": "Empathy"})
    for t in threads:
        t.join()
    assert saved.status_code == 302
    assert not failures
