"""The JSON API: shapes, the same answers as the CLI, auth of /api/suggest, JSON errors."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from explorer.cli import main as cli
from explorer.corpus import load_taxonomy
from tests.web_helpers import make_app

TOKEN = "api-token-for-tests-0123456789"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def app(site):
    return make_app(site, API_TOKEN=TOKEN, EDITOR_PASSWORD=PASSWORD)


@pytest.fixture()
def client(app):
    return app.test_client()


def model_available(app) -> bool:
    with app.app_context():
        model, _ = app.extensions["pprnet"].model()
    return model is not None


# --------------------------------------------------------------------------- search


@pytest.mark.parametrize(
    "params, cli_args",
    [
        ({"q": "alliance"}, ["alliance"]),
        ({"q": "therapy", "sort": "oldest", "page": "2"}, ["therapy", "--sort", "oldest",
                                                            "--page", "2"]),
        ({"topic": "Empathy"}, ["--topic", "Empathy"]),
        ({"q": "clients", "type": "Meta-analysis", "from": "2017", "to": "2021"},
         ["clients", "--type", "Meta-analysis", "--from", "2017", "--to", "2021"]),
    ],
)
def test_api_search_equals_cli_json(client, site, params, cli_args):
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.get_json()
    if not params.get("q") and "--sort" not in cli_args:
        cli_args = [*cli_args, "--sort", "newest"]  # an empty query browses newest first
    result = CliRunner().invoke(
        cli, ["search", *cli_args, "--json", "--index", str(site.index_dir),
              "--corpus", str(site.corpus_dir)]
    )
    assert result.exit_code == 0, result.output
    expected = json.loads(result.stdout.strip().splitlines()[-1])
    assert data == expected


def test_api_search_shape(client):
    data = client.get("/api/search?q=alliance").get_json()
    assert list(data) == ["query", "total", "page", "pages", "hits", "facets", "did_you_mean",
                          "fallback", "corrected_from"]
    assert set(data["facets"]) == {"topics", "research_type", "year", "source"}
    hit = data["hits"][0]
    assert set(hit) == {"id", "title", "origin", "published", "topics", "research_type",
                        "citation", "score", "snippet_html"}
    assert "<mark>" in hit["snippet_html"]


def test_api_search_reports_corrections_in_a_header(client):
    response = client.get("/api/search?q=alliance&sort=sideways")
    assert response.status_code == 200
    assert "sort" in response.headers.get("X-Search-Notices", "")


# --------------------------------------------------------------------------- summaries, topics


def test_api_summary(client, site):
    s = site.summaries()[3]
    data = client.get(f"/api/summaries/{s.id}").get_json()
    assert data["id"] == s.id and data["title"] == s.title
    assert data["body"] == s.body and data["implications"] == s.implications
    assert data["topics"] == s.topics and data["research_type"] == s.research_type
    assert data["citation"]["doi"] == s.citation.doi
    assert data["doi_url"] == f"https://doi.org/{s.citation.doi}"
    assert data["url"].endswith(f"/summary/{s.id}")
    assert "path" not in data


@pytest.mark.parametrize("sid", ["nope", "..%2F..%2Fetc%2Fpasswd", "UPPER", "a" * 200])
def test_api_summary_404_is_json(client, sid):
    response = client.get(f"/api/summaries/{sid}")
    assert response.status_code == 404
    body = response.get_json()
    assert body["error"]["status"] == 404 and body["error"]["message"]


def test_api_topics(client, site):
    data = client.get("/api/topics").get_json()
    taxonomy = load_taxonomy()
    assert [t["name"] for t in data["topics"]] == taxonomy.topics
    summaries = site.summaries()
    for t in data["topics"]:
        assert t["count"] == sum(t["name"] in s.topics for s in summaries)
        assert t["url"].endswith(f"/topics/{t['slug']}")
    assert sum(t["count"] for t in data["research_types"]) == len(summaries)
    assert data["total"] == len(summaries)


def test_unknown_api_path_and_method_are_json(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404 and response.get_json()["error"]["status"] == 404
    response = client.get("/api/suggest")
    assert response.status_code == 405 and response.get_json()["error"]["status"] == 405


# --------------------------------------------------------------------------- suggest

DRAFT = {
    "title": "Repairing alliance ruptures",
    "text": "The working alliance between client and therapist predicted outcome. "
    "Ruptures were repaired by talking about them openly.",
}


def test_suggest_needs_auth(client):
    response = client.post("/api/suggest", json=DRAFT)
    assert response.status_code == 401
    assert "PPRNET_API_TOKEN" in response.get_json()["error"]["message"]
    response = client.post("/api/suggest", json=DRAFT, headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401


def test_suggest_with_token(app, client):
    assert model_available(app), "the template site trains a topic model"
    response = client.post("/api/suggest", json=DRAFT,
                           headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    data = response.get_json()
    assert set(data) == {"topics", "research_type", "similar", "trained_on", "notice"}
    assert len(data["topics"]) >= 8
    first = data["topics"][0]
    assert set(first) >= {"topic", "score", "suggested", "because"}
    assert "Alliance and Therapeutic Relationship" in [t["topic"] for t in data["topics"][:3]]


def test_suggest_with_editor_session_needs_csrf_header(app, client):
    client.get("/editor")
    with client.session_transaction() as sess:
        token = sess.get("csrf_token") or "t" * 43
        sess["csrf_token"] = token
    login = client.post("/editor/login", data={"password": PASSWORD, "csrf_token": token})
    assert login.status_code == 302
    with client.session_transaction() as sess:
        sess["csrf_token"] = token = "fresh-token-" + "y" * 32
    assert client.post("/api/suggest", json=DRAFT).status_code == 403
    response = client.post("/api/suggest", json=DRAFT, headers={"X-CSRF-Token": token})
    assert response.status_code == 200
    assert response.get_json()["topics"]


@pytest.mark.parametrize(
    "payload, message",
    [
        ("not json", "JSON object"),
        ([1, 2], "JSON object"),
        ({"title": 5}, "'title' must be a string"),
        ({"title": "x", "limit": 0}, "'limit'"),
        ({"title": "x", "limit": "five"}, "'limit'"),
        ({"title": "x", "journal": ["a"]}, "'journal'"),
    ],
)
def test_suggest_bad_input_is_400_json(client, payload, message):
    headers = {"Authorization": f"Bearer {TOKEN}"}
    if isinstance(payload, str):
        response = client.post("/api/suggest", data=payload, headers=headers,
                               content_type="application/json")
    else:
        response = client.post("/api/suggest", json=payload, headers=headers)
    assert response.status_code == 400
    assert message in response.get_json()["error"]["message"]


def test_suggest_empty_draft_is_400(client):
    response = client.post("/api/suggest", json={"title": " ", "text": ""},
                           headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 400


def test_suggest_too_large_is_413_json(client):
    response = client.post("/api/suggest", json={"title": "x", "text": "y" * 2_000_000},
                           headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 413
    assert response.get_json()["error"]["status"] == 413


def test_suggest_without_model_is_503(tmp_path):
    import shutil

    from tests.web_helpers import copy_site

    site = copy_site(tmp_path)
    shutil.rmtree(site.index_dir / "model")
    client = make_app(site, API_TOKEN=TOKEN).test_client()
    response = client.post("/api/suggest", json=DRAFT,
                           headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 503
    assert "pprnet build" in response.get_json()["error"]["message"]


def test_token_is_not_kept_in_plain_text(app):
    assert TOKEN not in json.dumps({k: str(v) for k, v in app.config.items()})
    assert PASSWORD not in json.dumps({k: str(v) for k, v in app.config.items()})


# --------------------------------------------------------------------------- OpenAPI


def test_openapi_describes_every_api_route(app, client):
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    documented = set(doc["paths"])
    routes = {
        re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "{id}" if m.group(1) == "summary_id" else "{" + m.group(1) + "}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
    }
    assert routes == documented
    assert "post" in doc["paths"]["/api/suggest"]
    # every $ref resolves
    refs = set()

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "$ref":
                    refs.add(v)
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(doc)
    for ref in refs:
        target = doc
        for part in ref.lstrip("#/").split("/"):
            target = target[part]
