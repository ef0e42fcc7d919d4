"""The editor never loses a draft without saying so: long text is refused whole, not cut;
an edit of the APA reference box is saved; malformed reference fields are refused; a form
sent after the sign-in expired offers to sign in again with the draft; a form over 1 MB
gets a page saying where the text still is."""

from __future__ import annotations

import re
from html import unescape

import pytest
from werkzeug.datastructures import MultiDict

from explorer.apa import apa_text
from explorer.corpus import load_corpus
from explorer.web.editor import FIELD_LIMITS, MAX_FIELD
from tests.test_web_editor import DRAFT, PASSWORD, sign_in
from tests.web_helpers import copy_site, form_fields, make_app, token_of

CHAPTER = ("Okafor, N. (2013). Ruptures in brief therapy. In M. J. Lambert (Ed.), Bergin and "
           "Garfield's handbook of psychotherapy and behavior change (pp. 169–218). Wiley.")
SAVE = {"action": "save", **DRAFT, "topic": ["Empathy"], "research_type": "Meta-analysis"}


@pytest.fixture()
def site(tmp_path):
    return copy_site(tmp_path)


@pytest.fixture()
def client(site):
    return make_app(site, EDITOR_PASSWORD=PASSWORD).test_client()


def files(site) -> list[str]:
    return sorted(p.name for p in site.corpus_dir.glob("*.md"))


def textarea(html: str, name: str) -> str:
    found = re.search(rf'<textarea id="{name}" name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
    return unescape(found.group(1))


def errors_of(html: str) -> list[str]:
    box = re.search(r'id="form-errors">(.*?)</div>', html, re.S)
    return [unescape(e) for e in re.findall(r"<li>(.*?)</li>", box.group(1))] if box else []


def saved(site, summary_id: str):
    return next(s for s in load_corpus(site.corpus_dir).summaries if s.id == summary_id)


# --------------------------------------------------------------------------- long text


@pytest.mark.parametrize("name, label", [("body", "Summary"),
                                         ("implications", "Practice implications")])
def test_text_over_the_limit_is_refused_whole_not_cut(client, site, name, label):
    token = sign_in(client)
    before = files(site)
    long_text = ("Clients and therapists repaired ruptures in the alliance. " * 1100)[:60_000]
    response = client.post("/editor/draft", data={"csrf_token": token, **SAVE,
                                                  name: long_text})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert errors_of(html) == [f"{label} is 60,000 characters long; the limit is "
                               f"{MAX_FIELD:,}. Shorten it and save again (nothing was cut)."]
    assert textarea(html, name) == long_text.strip()  # the whole draft comes back
    assert files(site) == before
    suggest = client.post("/editor/draft", data={"csrf_token": token, **SAVE,
                                                 "action": "suggest", name: long_text})
    assert suggest.status_code == 200  # suggestions still come, with the warning
    assert errors_of(suggest.get_data(as_text=True))[0].startswith(f"{label} is 60,000")


def test_text_at_the_limit_is_saved_whole(client, site):
    token = sign_in(client)
    body = ("Clients and therapists repaired ruptures in the alliance. " * 1000)[:MAX_FIELD]
    body = body[:-1] + "."
    response = client.post("/editor/draft", data={"csrf_token": token, **SAVE, "body": body})
    assert response.status_code == 302
    assert saved(site, response.headers["Location"].rsplit("/", 1)[1]).body == body


def test_title_limit_is_the_forms_maxlength(client, site):
    token = sign_in(client)
    html = client.get("/editor").get_data(as_text=True)
    limit = FIELD_LIMITS["title"]
    assert f'name="title" type="text" value="" required maxlength="{limit}"' in html
    response = client.post("/editor/draft", data={"csrf_token": token, **SAVE,
                                                  "title": "Alliance " * 60})
    assert response.status_code == 422
    assert errors_of(response.get_data(as_text=True)) == [
        f"Title is {len(('Alliance ' * 60).strip())} characters long; the limit is {limit}. "
        "Shorten it and save again (nothing was cut)."]


def test_a_form_over_one_megabyte_says_the_draft_is_back_in_the_browser(client, site):
    token = sign_in(client)
    before = files(site)
    response = client.post("/editor/draft", data={"csrf_token": token, **SAVE,
                                                  "body": "x" * (1024 * 1024 + 10)})
    assert response.status_code == 413
    html = unescape(response.get_data(as_text=True))
    assert "too large (over the 1 MB limit), so it was not saved" in html
    assert "go Back in your browser" in html and "Nothing of it is kept on the server" in html
    assert files(site) == before
    api = client.post("/api/suggest", data="x" * (1024 * 1024 + 10),
                      headers={"X-CSRF-Token": token, "Content-Type": "application/json"})
    assert api.status_code == 413 and "Back" not in api.get_data(as_text=True)


# --------------------------------------------------------------------------- the APA box


def _edit_form(client, summary_id: str) -> tuple[str, list[tuple[str, str]]]:
    html = client.get(f"/editor/edit/{summary_id}").get_data(as_text=True)
    return html, [(k, v) for k, v in form_fields(html) if k != "action"]


def _with(fields: list[tuple[str, str]], **changes: str) -> MultiDict:
    return MultiDict([(k, changes.get(k, v)) for k, v in fields] + [("action", "save")])


def test_the_box_shows_the_reference_as_the_summary_page_does(client, site):
    token = sign_in(client)
    response = client.post("/editor/draft", data={"csrf_token": token, **SAVE,
                                                  "citation_text": CHAPTER})
    summary_id = response.headers["Location"].rsplit("/", 1)[1]
    page = unescape(client.get(f"/summary/{summary_id}").get_data(as_text=True))
    html, _ = _edit_form(client, summary_id)
    box = textarea(html, "citation_text")
    assert box == apa_text(saved(site, summary_id).citation)
    assert "In M. J. Lambert (Ed.), Bergin" in box and "(Eds.)" not in box
    assert re.sub(r"<[^>]+>", "", box) in re.sub(r"<[^>]+>", "", page)


def test_an_edit_of_the_box_alone_is_saved(client, site):
    sign_in(client)
    target = next(s for s in site.summaries() if s.citation.year and s.citation.title)
    html, fields = _edit_form(client, target.id)
    box = textarea(html, "citation_text")
    year = target.citation.year
    other = str(int(year[:4]) - 2)
    response = client.post("/editor/draft", data=_with(
        fields, citation_text=box.replace(f"({year})", f"({other})")))
    assert response.status_code == 302, errors_of(response.get_data(as_text=True))
    again = saved(site, target.id)
    assert again.citation.year == other
    assert again.citation.title == target.citation.title
    assert again.citation.journal == target.citation.journal


def test_edits_of_both_box_and_fields_are_refused_and_kept(client, site):
    sign_in(client)
    target = next(s for s in site.summaries() if s.citation.year and s.citation.title)
    before = (site.corpus_dir / f"{target.id}.md").read_text()
    html, fields = _edit_form(client, target.id)
    box = textarea(html, "citation_text").replace(f"({target.citation.year})", "(1999)")
    response = client.post("/editor/draft", data=_with(fields, citation_text=box,
                                                        cit_volume="77"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "You changed both the Reference (APA style) box" in errors_of(html)[0]
    assert textarea(html, "citation_text") == box
    assert 'name="cit_volume" value="77"' in html
    assert (site.corpus_dir / f"{target.id}.md").read_text() == before
    # "Re-read the reference" fills the fields from the box; then the save goes through
    reread = [(k, v) for k, v in form_fields(html) if k != "action"] + [("action", "reread")]
    html = client.post("/editor/draft", data=MultiDict(reread)).get_data(as_text=True)
    assert 'name="cit_year" value="1999"' in html
    response = client.post("/editor/draft", data=_with(
        [(k, v) for k, v in form_fields(html) if k != "action"]))
    assert response.status_code == 302
    assert saved(site, target.id).citation.year == "1999"


def test_an_edit_of_the_fields_alone_is_saved(client, site):
    sign_in(client)
    target = next(s for s in site.summaries() if s.citation.year and s.citation.title)
    _, fields = _edit_form(client, target.id)
    response = client.post("/editor/draft", data=_with(fields, cit_issue="9"))
    assert response.status_code == 302
    assert saved(site, target.id).citation.issue == "9"


def test_editing_keeps_the_publication_status(client, site):
    token = sign_in(client)
    aop = DRAFT["citation_text"].replace(" 33(4), 512–525.", " Advance online publication.")
    response = client.post("/editor/draft", data={"csrf_token": token, **SAVE,
                                                  "citation_text": aop})
    summary_id = response.headers["Location"].rsplit("/", 1)[1]
    assert saved(site, summary_id).citation.status == "advance online publication"
    html, fields = _edit_form(client, summary_id)
    assert client.post("/editor/draft", data=_with(fields, cit_issue="2")).status_code == 302
    assert saved(site, summary_id).citation.status == "advance online publication"
    box = textarea(html, "citation_text")  # an edit of the box keeps it too
    assert client.post("/editor/draft", data=_with(
        fields, citation_text=box.replace("(2023)", "(2024)"))).status_code == 302
    again = saved(site, summary_id).citation
    assert (again.year, again.status) == ("2024", "advance online publication")
    html, fields = _edit_form(client, summary_id)  # until it is in an issue
    box = textarea(html, "citation_text").replace("Psychotherapy Research.",
                                                  "Psychotherapy Research, 35(1), 1–12.")
    assert client.post("/editor/draft", data=_with(fields, citation_text=box)).status_code == 302
    again = saved(site, summary_id).citation
    assert (again.volume, again.pages, again.status) == ("35", "1–12", None)


# --------------------------------------------------------------------------- bad fields


def _suggested(client, token: str, **fields: str) -> list[tuple[str, str]]:
    """The form after "Suggest tags": the reference parsed into its fields, then changed."""
    html = client.post("/editor/draft", data={"csrf_token": token, **DRAFT,
                                              "action": "suggest"}).get_data(as_text=True)
    form = [(k, v) for k, v in form_fields(html) if k not in ("action", "topic")]
    return [(k, fields.get(k, v)) for k, v in form] + [("topic", "Empathy"),
                                                      ("action", "save")]


def test_malformed_reference_fields_are_refused_one_message_each(client, site):
    token = sign_in(client)
    before = files(site)
    data = _suggested(client, token, cit_year="abcd", cit_doi="not a doi", cit_pages="zzz")
    response = client.post("/editor/draft", data=MultiDict(data))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    messages = errors_of(html)
    assert len(messages) == 3
    assert messages[0].startswith("Year 'abcd' is not a year")
    assert messages[1].startswith("DOI 'not a doi' is not a DOI")
    assert messages[2].startswith("Pages 'zzz' are not page numbers")
    assert 'name="cit_doi" value="not a doi"' in html  # kept for correcting
    assert textarea(html, "body") == DRAFT["body"]
    assert files(site) == before


@pytest.mark.parametrize("year, doi, pages", [("in press", "10.1037/a0029564", "e0123"),
                                              ("2015a", "10.1371/journal.pone.0033745", "1–12"),
                                              ("2013", "", "123-145")])
def test_real_reference_fields_are_saved(client, site, year, doi, pages):
    token = sign_in(client)
    data = _suggested(client, token, cit_year=year, cit_doi=doi, cit_pages=pages)
    response = client.post("/editor/draft", data=MultiDict(data))
    assert response.status_code == 302, errors_of(response.get_data(as_text=True))
    citation = saved(site, response.headers["Location"].rsplit("/", 1)[1]).citation
    assert (citation.year, citation.doi or "", citation.pages) == (year, doi, pages)


# --------------------------------------------------------------------------- sign-in expired


def _expire(client) -> None:
    with client.session_transaction() as session:
        session.clear()


def test_a_save_after_the_sign_in_expired_offers_to_sign_in_with_the_draft(client, site):
    token = sign_in(client)
    before = files(site)
    _expire(client)
    response = client.post("/editor/draft", data={"csrf_token": token, **SAVE},
                           headers={"Origin": "http://localhost"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Your sign-in has expired" in html and "nothing was saved" in html
    assert files(site) == before  # CSRF still refuses the stale form
    restore = [(k, v) for k, v in form_fields(html.replace('action="/editor/login"',
                                                           'action="/editor/draft"'))
               if k != "password"]
    assert ("body", DRAFT["body"]) in restore and ("topic", "Empathy") in restore
    assert ("csrf_token", token) not in restore  # a fresh token, from this page
    assert DRAFT["body"] in unescape(html)  # also there to copy
    # a wrong password keeps nothing; the right one reopens the editor with the draft
    wrong = client.post("/editor/login", data=MultiDict(restore + [("password", "no")]),
                        headers={"Origin": "http://localhost"})
    assert wrong.status_code == 401
    html = wrong.get_data(as_text=True)
    assert "That password is not right." in html and 'name="restore"' in html
    assert [(k, v) for k, v in form_fields(html.replace('action="/editor/login"',
                                                        'action="/editor/draft"'))
            if k != "password"] == restore  # a typo keeps the draft too
    response = client.post("/editor/login", data=MultiDict(restore + [("password", PASSWORD)]))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Signed in again. Your draft is below, not saved yet" in html
    assert textarea(html, "body") == DRAFT["body"]
    assert 'name="topic" value="Empathy" checked' in html
    assert files(site) == before
    fields = [(k, v) for k, v in form_fields(html) if k != "action"] + [("action", "save")]
    assert client.post("/editor/draft", data=MultiDict(fields)).status_code == 302
    assert len(files(site)) == len(before) + 1


def test_a_stale_form_from_another_site_gets_no_draft_back(client, site):
    token = sign_in(client)
    _expire(client)
    response = client.post("/editor/draft", data={"csrf_token": token, **SAVE},
                           headers={"Origin": "https://elsewhere.example"})
    assert response.status_code == 400
    html = unescape(response.get_data(as_text=True))
    assert "Your sign-in has expired" in html and "<strong>Back</strong> in your browser" in html
    assert DRAFT["body"] not in html and 'name="restore"' not in html
    assert 'href="/editor" id="sign-in-again"' in html


def test_a_form_from_before_a_new_sign_in_says_so(client, site):
    old = sign_in(client)
    new = sign_in(client)  # signed in again (another tab): a new token
    assert old != new
    response = client.post("/editor/draft", data={"csrf_token": old, **SAVE},
                           headers={"Referer": "http://localhost/editor"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "This form is out of date" in html and 'name="restore"' in html


def test_csrf_token_of_the_expired_page_is_fresh(client):
    token = sign_in(client)
    _expire(client)
    html = client.post("/editor/draft", data={"csrf_token": token, **SAVE},
                       headers={"Origin": "http://localhost"}).get_data(as_text=True)
    assert token_of(html) != token
