"""Security rules of the web app: headers, CSP-clean markup, CSRF, sessions, secrets,
password hashing, login rate limit, request size, debug off."""

from __future__ import annotations

import re
import stat

import pytest

from explorer.web import security
from tests.web_helpers import copy_site, make_app, sign_in_as_editor, token_of

PASSWORD = "a long and secret passphrase"


@pytest.fixture(scope="module")
def app(site):
    return make_app(site, EDITOR_PASSWORD=PASSWORD, LOGIN_LIMIT=(3, 60.0))


@pytest.fixture()
def client(app):
    return app.test_client()


def sign_in(client) -> str:
    return sign_in_as_editor(client, PASSWORD)


PAGES = ["/", "/?q=alliance&topic=Empathy", "/topics", "/topics/empathy", "/editor"]


@pytest.mark.parametrize("path", PAGES)
def test_security_headers(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"]


def _pages_html(client, site) -> list[str]:
    first = site.summaries()[0].id
    paths = [*PAGES, f"/summary/{first}", "/no-such-page"]
    pages = [client.get(p).get_data(as_text=True) for p in paths]
    sign_in(client)
    pages.append(client.get("/editor").get_data(as_text=True))
    pages.append(client.get(f"/editor/edit/{first}").get_data(as_text=True))
    return pages


def test_markup_obeys_the_csp(client, site):
    """No inline script, no style attributes or elements, no event-handler attributes."""
    for html in _pages_html(client, site):
        for script in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in script
        assert not re.search(r"<script\b[^>]*>(?!\s*</script>)", html)
        tags = re.findall(r"<[a-zA-Z][^>]*>", html)  # escaped text (&lt;...) is not a tag
        assert not [t for t in tags if re.search(r"\sstyle\s*=", t)]
        assert "<style" not in html
        assert not [t for t in tags if re.search(r"\son[a-z]+\s*=", t)]
        assert "http://" not in html.replace("http://localhost", "")  # nothing from outside
        # absolute links go to the DOI resolver or to this site (a summary's canonical
        # address); nothing is loaded from elsewhere
        assert not re.search(r'(?:src|href)="https?://(?!doi\.org/|localhost/)', html)


def test_every_form_post_carries_a_csrf_token(client, site):
    for html in _pages_html(client, site):
        for form in re.findall(r"<form\b[^>]*>.*?</form>", html, re.S):
            if re.search(r'method="post"', form, re.I):
                assert 'name="csrf_token"' in form, form[:200]


@pytest.mark.parametrize(
    "path, data",
    [
        ("/editor/login", {"password": PASSWORD}),
        ("/editor/logout", {}),
        ("/editor/draft", {"title": "x", "action": "save"}),
    ],
)
def test_posts_without_csrf_token_are_refused(client, path, data):
    client.get("/editor")
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    response = client.post(path, data={**data, "csrf_token": "forged" * 8})
    assert response.status_code == 400


def test_signed_in_draft_post_without_token_is_refused(client):
    sign_in(client)
    response = client.post("/editor/draft", data={"title": "x", "body": "y", "action": "suggest"})
    assert response.status_code == 400


def test_session_cookie_flags(client):
    sign_in(client)
    token = token_of(client.get("/editor").get_data(as_text=True))
    response = client.post("/editor/login", data={"password": PASSWORD, "csrf_token": token})
    header = response.headers.get("Set-Cookie", "")
    assert "pprnet_session=" in header
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header


def test_anonymous_pages_set_no_cookie(client):
    response = client.get("/?q=alliance")
    assert "Set-Cookie" not in response.headers


def test_password_is_held_only_as_a_hash(app):
    stored = app.config["EDITOR_PASSWORD_HASH"]
    assert stored and PASSWORD not in stored
    assert security.password_matches(stored, PASSWORD)
    assert not security.password_matches(stored, PASSWORD + "x")
    assert all(PASSWORD not in str(v) for v in app.config.values())


def test_a_prehashed_password_is_accepted(site):
    from werkzeug.security import generate_password_hash

    hashed = generate_password_hash("pre-hashed pass")
    app = make_app(site, EDITOR_PASSWORD=hashed)
    client = app.test_client()
    token = token_of(client.get("/editor").get_data(as_text=True))
    ok = client.post("/editor/login", data={"password": "pre-hashed pass", "csrf_token": token})
    assert ok.status_code == 302


def test_wrong_password_is_401_and_login_is_rate_limited(site):
    app = make_app(site, EDITOR_PASSWORD=PASSWORD, LOGIN_LIMIT=(3, 60.0))
    client = app.test_client()
    token = token_of(client.get("/editor").get_data(as_text=True))
    for _ in range(3):
        response = client.post("/editor/login", data={"password": "guess", "csrf_token": token})
        assert response.status_code == 401
        assert "not right" in response.get_data(as_text=True)
    response = client.post("/editor/login", data={"password": PASSWORD, "csrf_token": token})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert "Too many sign-in attempts" in response.get_data(as_text=True)
    # another client address is not affected
    other = client.post("/editor/login", data={"password": PASSWORD, "csrf_token": token},
                        environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 302


def test_rate_limiter_window():
    limiter = security.RateLimiter(2, 60.0)
    assert limiter.hit("a") == 0 and limiter.hit("a") == 0
    assert limiter.hit("a") > 0
    assert limiter.hit("b") == 0
    limiter.reset("a")
    assert limiter.hit("a") == 0


def test_request_size_is_capped(client):
    sign_in(client)
    token = token_of(client.get("/editor").get_data(as_text=True))
    response = client.post("/editor/draft", data={"csrf_token": token, "body": "x" * 2_000_000})
    assert response.status_code == 413


def test_secret_key_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("PPRNET_SECRET_KEY", raising=False)
    site = copy_site(tmp_path)
    (site.index_dir / "secret_key").unlink(missing_ok=True)
    app1 = make_app(site, SECRET_KEY=None)
    key_file = site.index_dir / "secret_key"
    assert key_file.is_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    app2 = make_app(site, SECRET_KEY=None)
    assert app1.config["SECRET_KEY"] == app2.config["SECRET_KEY"]
    assert len(app1.config["SECRET_KEY"]) >= 32
    monkeypatch.setenv("PPRNET_SECRET_KEY", "from-the-environment-" + "z" * 20)
    app3 = make_app(site, SECRET_KEY=None)
    assert app3.config["SECRET_KEY"].startswith("from-the-environment-")


def test_debug_is_off(app):
    assert app.debug is False
    assert app.config["MAX_CONTENT_LENGTH"] <= 2 * 1024 * 1024


def test_server_error_is_a_calm_page(site):
    app = make_app(site)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body
    assert "Something went wrong" in body


def test_missing_index_is_503_not_500(tmp_path):
    site = copy_site(tmp_path)
    import shutil

    shutil.rmtree(site.index_dir)
    site.index_dir.mkdir()
    app = make_app(site)
    client = app.test_client()
    response = client.get("/?q=alliance")
    assert response.status_code == 503
    assert "pprnet build" in response.get_data(as_text=True)
    response = client.get("/api/search?q=alliance")
    assert response.status_code == 503
    assert "pprnet build" in response.get_json()["error"]["message"]
    # pages that need no index still work
    assert client.get("/topics").status_code == 200
    first = site.summaries()[0].id
    assert client.get(f"/summary/{first}").status_code == 200


def test_the_fixed_links_follow_the_site_root(client):
    """Header and footer links are made once per site root: a site mounted under a
    prefix (SCRIPT_NAME, set by the server in front) links under it, the root site not."""
    mounted = client.get("/", base_url="http://localhost/pprnet/").get_data(as_text=True)
    plain = client.get("/").get_data(as_text=True)
    for html, root in ((mounted, "/pprnet"), (plain, "")):
        assert f'<link rel="stylesheet" href="{root}/static/site.css?v=' in html
        assert f'<a class="brand" href="{root}/">' in html
        assert f'<a href="{root}/api/openapi.json">JSON API (OpenAPI)</a>' in html
