"""Duplicates caught for sure: DOI or cited title and year, including a save of a second ago."""

from __future__ import annotations

import re
from html import unescape

from tests.test_web_editor import CITATION, DRAFT, PASSWORD, sign_in
from tests.web_helpers import copy_site, make_app

TYPE = "Naturalistic, observational or qualitative study"


def _client(tmp_path):
    site = copy_site(tmp_path)
    return site, make_app(site, EDITOR_PASSWORD=PASSWORD).test_client()


def _post(client, token: str, action: str, **fields):
    data = {"csrf_token": token, "action": action, **DRAFT, "topic": ["Empathy"],
            "research_type": TYPE, **fields}
    return client.post("/editor/draft", data=data)


def _duplicate_box(html: str) -> str:
    match = re.search(r'<div class="notice notice-warn duplicates".*?</div>', html, re.S)
    return unescape(match.group(0)) if match else ""


def test_a_summary_saved_a_second_ago_is_warned_about_and_listed(tmp_path):
    _, client = _client(tmp_path)
    token = sign_in(client)
    saved = _post(client, token, "save")
    assert saved.status_code == 302
    new_id = saved.headers["Location"].rsplit("/", 1)[1]
    html = _post(client, token, "suggest").get_data(as_text=True)
    box = _duplicate_box(html)
    assert f'href="/summary/{new_id}"' in box and f'href="/editor/edit/{new_id}"' in box
    assert "same DOI (10.1080/10503307.2023.123456)" in box
    similar = re.search(r'id="similar-heading".*?</section>', html, re.S).group(0)
    assert f"/summary/{new_id}" in similar  # the soft hint lists it too, before any retrain
    again = _post(client, token, "save")
    assert again.status_code == 422
    assert "already in the archive" in again.get_data(as_text=True)


def test_same_cited_title_and_year_without_doi(tmp_path):
    _, client = _client(tmp_path)
    token = sign_in(client)
    no_doi = CITATION.split(" https://")[0]
    assert _post(client, token, "save", citation_text=no_doi).status_code == 302
    other_heading = _post(client, token, "suggest", citation_text=no_doi,
                          title="A different heading for the same study")
    box = _duplicate_box(other_heading.get_data(as_text=True))
    assert "same cited title and year (2023)" in box


def test_a_different_summary_of_the_same_study_can_be_saved_when_confirmed(tmp_path):
    site, client = _client(tmp_path)
    token = sign_in(client)
    assert _post(client, token, "save").status_code == 302
    second = dict(title="A second look at the rupture study", published="2024-07")
    refused = _post(client, token, "save", **second)
    assert refused.status_code == 422
    confirmed = _post(client, token, "save", not_duplicate="1", **second)
    assert confirmed.status_code == 302
    assert len([s for s in site.summaries() if s.citation.doi == "10.1080/10503307.2023.123456"]) == 2


def test_editing_a_summary_does_not_warn_about_itself(tmp_path):
    site, client = _client(tmp_path)
    token = sign_in(client)
    new_id = _post(client, token, "save").headers["Location"].rsplit("/", 1)[1]
    html = client.get(f"/editor/edit/{new_id}").get_data(as_text=True)
    assert _duplicate_box(html) == ""
    assert token
