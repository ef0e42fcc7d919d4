"""Hostile input against a real ``pprnet serve``: XSS in Chromium, access, CSRF, paths, size.

A small archive is written whose summaries, citation, topic name and research type carry
script payloads (stored XSS), and a real server (``pprnet serve`` in a subprocess, with
an editor password and an API token) serves it. Then:

* In headless Chromium, every page showing the stored payloads, and pages reflecting
  payloads from the URL (query, facet values, dates, sort, page, 404 paths), open no
  dialog, hold no injected element, handler or inline script, and show the payload as
  text. Each page is visited twice: with the Content-Security-Policy enforced, and with
  it bypassed, so escaping alone must hold too. A control shows the dialog detector
  works (an injected handler runs when the CSP is bypassed) and that the CSP blocks it.
* The editor pastes payloads into every field, asks for suggestions (the form comes back
  with the payloads inside its textareas, unbroken), saves, and the summary page and
  search results show them as text.
* Over raw HTTP (no client-side path clean-up): the editor and suggest endpoints refuse
  without sign-in or token; form posts without the CSRF token are refused; ids such as
  ``../../etc/passwd`` give 404; oversized bodies give 413; sign-in attempts are
  rate-limited (spoofed X-Forwarded-For does not help); every kind of response carries
  the CSP and the other security headers.

A missing browser is a failure, not a skip (``scripts/test`` installs Debian's chromium).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from explorer.records import slugify
from tests.web_helpers import Site, build_site, make_summaries, serve_site, write_corpus

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "security-test editor passphrase"
API_TOKEN = "security-test-api-token-" + "t" * 24

PAYLOADS = [
    '<script>alert("xss-script")</script>',
    '<img src=x onerror=alert("xss-img")>',
    '"><svg onload=alert("xss-svg")>',
    "'><body onload=alert('xss-body')>",
    '</textarea><script>alert("xss-textarea")</script>',
    '</title><script>alert("xss-title-tag")</script>',
    "<iframe srcdoc=\"<script>parent.alert('xss-iframe')</script>\"></iframe>",
    "<a href=\"javascript:alert('xss-href')\">click me</a>",
    '<details open ontoggle=alert("xss-details")>',
    '<math><mtext></p><script>alert("xss-math")</script>',
    '<!--<img src="--><img src=x onerror=alert("xss-comment")>',
    "{{7*7}} ${7*7} <%= 7*7 %>",
]
TOPIC = '<img src=x onerror=alert("xss-topic")> Hostile topic'
RTYPE = '<script>alert("xss-type")</script> trial'
TITLE = '<script>alert("xss-title")</script> "><svg onload=alert("xss-title2")> Zebra study'
JOURNAL = '<img src=x onerror=alert("xss-journal")> Journal'
AUTHOR = '<svg onload=alert("xss-author")>, A.'
DOI = '10.1000/x"><img src=x onerror=alert("xss-doi")>'
HOSTILE_ID = "2024-02-zebra-hostile-summary"
# What a page may not contain once parsed by the browser: anything that runs script.
INERT_JS = """() => {
  const all = [...document.querySelectorAll('*')];
  return {
    inline_scripts: [...document.scripts].filter(s => !s.src).length,
    handlers: all.filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).map(
      e => e.outerHTML.slice(0, 120)),
    js_urls: all.filter(e => ['href', 'src', 'action', 'formaction', 'srcdoc'].some(
      n => /^\\s*javascript:/i.test(e.getAttribute(n) || '') || (n === 'srcdoc' && e.hasAttribute(n))
    )).length,
    frames: document.querySelectorAll('iframe, object, embed, frame').length,
    flag: typeof window.__xss,
  };
}"""


# --------------------------------------------------------------------------- the site


def _hostile_site(root: Path) -> Site:
    site = Site(root / "corpus", root / "index")
    summaries = make_summaries(24, seed=11)
    hostile = summaries[1]
    hostile.id = HOSTILE_ID
    hostile.published = "2024-02"
    hostile.title = TITLE
    hostile.body = "\n\n".join([*PAYLOADS, "- <b>bold?</b> list item\n- " + PAYLOADS[1]])
    hostile.implications = " ".join(PAYLOADS[:3])
    hostile.citation.journal = JOURNAL
    hostile.citation.authors = [AUTHOR, "Smith, J."]
    hostile.citation.title = PAYLOADS[0] + " an article"
    hostile.citation.doi = DOI
    hostile.topics = [TOPIC, hostile.topics[0]]
    hostile.research_type = RTYPE
    summaries[2].topics = [TOPIC]
    bundled = yaml.safe_load((REPO / "corpus" / "taxonomy.yaml").read_text(encoding="utf-8"))
    bundled["topics"] = [*bundled["topics"], TOPIC]
    bundled["research_types"] = [*bundled["research_types"], RTYPE]
    site.corpus_dir.mkdir(parents=True)
    (site.corpus_dir / "taxonomy.yaml").write_text(
        yaml.safe_dump(bundled, allow_unicode=True, sort_keys=False), encoding="utf-8")
    write_corpus(site.corpus_dir, summaries)
    build_site(site.corpus_dir, site.index_dir)
    return site


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    return _hostile_site(tmp_path_factory.mktemp("hostile"))


@dataclass
class Server:
    base: str
    port: int


@contextlib.contextmanager
def serving(site: Site, *args: str):
    """``pprnet serve`` on a free port (with the editor password and API token set)."""
    env = {"PPRNET_EDITOR_PASSWORD": PASSWORD, "PPRNET_API_TOKEN": API_TOKEN,
           "PPRNET_SECRET_KEY": "security-test-secret-" + "s" * 32}
    with serve_site(site, env, *args) as port:
        yield Server(f"http://127.0.0.1:{port}", port)


@pytest.fixture(scope="module")
def server(site):
    with serving(site) as running:
        yield running


# --------------------------------------------------------------------------- raw HTTP


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):  # type: ignore[no-untyped-def]
        return json.loads(self.body)


class Http:
    """A tiny client that sends paths exactly as given and keeps the session cookie."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookie = ""

    def request(self, method: str, path: str, body: bytes | str | None = None,
                headers: dict[str, str] | None = None) -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.putrequest(method, path, skip_accept_encoding=True)
            sent = dict(headers or {})
            if self.cookie:
                sent.setdefault("Cookie", self.cookie)
            data = body.encode() if isinstance(body, str) else body
            if data is not None:
                sent.setdefault("Content-Length", str(len(data)))
            for name, value in sent.items():
                conn.putheader(name, value)
            conn.endheaders()
            if data is not None:
                # the server may answer (413) before reading it all
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    conn.send(data)
            response = conn.getresponse()
            reply = Reply(response.status, response.headers, response.read())
        finally:
            conn.close()
        for header in reply.headers.get_all("Set-Cookie") or []:
            match = re.match(r"(pprnet_session=[^;]*)", header)
            if match:
                self.cookie = match.group(1)
        return reply

    def get(self, path: str, **headers: str) -> Reply:
        return self.request("GET", path, headers=headers)

    def post_form(self, path: str, fields: dict | list, **headers: str) -> Reply:
        body = urllib.parse.urlencode(fields, doseq=True)
        return self.request("POST", path, body, {
            "Content-Type": "application/x-www-form-urlencoded", **headers})

    def csrf(self, path: str = "/editor") -> str:
        return re.search(r'name="csrf_token" value="([^"]+)"', self.get(path).text).group(1)

    def sign_in(self) -> str:
        token = self.csrf()
        reply = self.post_form("/editor/login", {"password": PASSWORD, "csrf_token": token})
        assert reply.status == 302, reply.text[:500]
        return self.csrf()


def q(path: str, **params: str | list[str]) -> str:
    return path + "?" + urllib.parse.urlencode(params, doseq=True)


# --------------------------------------------------------------------------- the browser




class Watched:
    """A page whose dialogs (alert, confirm, prompt) and CSP reports are recorded."""

    def __init__(self, browser, base: str, *, bypass_csp: bool) -> None:
        self.bypass_csp = bypass_csp
        self.context = browser.new_context(bypass_csp=bypass_csp)
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.base = base
        self.dialogs: list[str] = []
        self.violations: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("console", lambda m: "Content Security Policy" in m.text
                     and self.violations.append(m.text))

    def _dialog(self, dialog) -> None:  # type: ignore[no-untyped-def]
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def visit(self, path: str) -> None:
        self.page.goto(self.base + path, wait_until="load")
        self.assert_inert(path)

    def assert_inert(self, where: str) -> None:
        found = self.page.evaluate(INERT_JS)
        assert found == {"inline_scripts": 0, "handlers": [], "js_urls": 0, "frames": 0,
                         "flag": "undefined"}, (where, found)
        assert not self.dialogs, (where, self.dialogs)

    def text(self, selector: str = "body") -> str:
        return self.page.locator(selector).first.inner_text()

    def close(self) -> None:
        self.context.close()


@pytest.fixture(params=["csp-enforced", "csp-bypassed"])
def watched(request, browser, server):
    w = Watched(browser, server.base, bypass_csp=request.param == "csp-bypassed")
    yield w
    w.close()
    assert not w.dialogs, w.dialogs
    # Nothing was even attempted: no inline script or handler reached the CSP to block.
    assert not w.violations, w.violations


STORED_PAGES = [
    ("/", None),  # browse: the newest summaries, the hostile one among them
    (q("/", q="zebra"), TITLE),
    (f"/summary/{HOSTILE_ID}", TITLE),
    ("/topics", TOPIC),
    (f"/topics/{slugify(TOPIC)}", TOPIC),
    (q("/", topic=TOPIC), TOPIC),
    (q("/", type=RTYPE), RTYPE),
    (q("/", q=f"journal:{JOURNAL.split()[-1]} zebra"), TITLE),
]


@pytest.mark.browser
def test_stored_payloads_never_run_and_show_as_text(watched, server):
    for path, expected in STORED_PAGES:
        watched.visit(path)
        if expected:
            assert expected in watched.text(), path
    watched.visit(f"/summary/{HOSTILE_ID}")
    assert watched.text("h1") == TITLE
    main = watched.text("main")
    for payload in PAYLOADS + [JOURNAL, AUTHOR.split(",")[0], TOPIC, RTYPE]:
        assert payload in main, payload
    doi_link = watched.page.locator("a.doi").get_attribute("href")
    assert doi_link == "https://doi.org/" + DOI


@pytest.mark.browser
def test_reflected_payloads_never_run_and_show_as_text(watched, server):
    for payload in PAYLOADS:
        watched.visit(q("/", q=payload))
        assert watched.page.locator("#q").input_value() == payload
        assert payload in watched.text("h1")
    everything = PAYLOADS[1]
    watched.visit(q("/", q="alliance", topic=[PAYLOADS[0], everything], type=PAYLOADS[2],
                    **{"from": PAYLOADS[3], "to": everything, "sort": everything,
                       "page": everything, "any_topic": everything}))
    assert PAYLOADS[0] in watched.text("main")  # the "unknown topic" notice, as text
    for path in [f"/summary/{urllib.parse.quote(PAYLOADS[1], safe='')}",
                 f"/topics/{urllib.parse.quote(PAYLOADS[0], safe='')}",
                 f"/nowhere/{urllib.parse.quote(PAYLOADS[2], safe='')}",
                 q("/api/search", q=PAYLOADS[0]), q("/api/search", topic=PAYLOADS[1])]:
        watched.visit(path)


@pytest.mark.browser
def test_editor_round_trip_of_hostile_text(watched, server):
    page = watched.page
    mode = "bypassed" if watched.bypass_csp else "enforced"  # two saves, two titles
    title = f"Editor {mode} {PAYLOADS[4]} {PAYLOADS[1]}"
    body = f"{PAYLOADS[0]}\n\n{PAYLOADS[4]}\n\n{PAYLOADS[6]} alliance rupture repair"
    citation = f"{AUTHOR} (2024). {PAYLOADS[5]} Title. {JOURNAL}, 1(2), 3–4."
    watched.visit("/editor")
    page.get_by_label("Editor password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#title")
    watched.visit(q("/editor", find=PAYLOADS[0]))
    assert page.locator("input[name=find]").input_value() == PAYLOADS[0]
    page.locator("#title").fill(title)
    page.locator("#published").fill("2025-04")
    page.locator("#citation_text").fill(citation)
    page.locator("#body").fill(body)
    page.locator("#implications").fill(PAYLOADS[8])
    page.get_by_role("button", name="Suggest tags").click()
    page.wait_for_selector("#topics-section")
    watched.assert_inert("editor after suggest")
    # The payloads came back inside their fields, unbroken (no </textarea> escape).
    assert page.locator("#title").input_value() == title
    assert page.locator("#body").input_value() == body
    assert page.locator("#citation_text").input_value() == citation
    assert page.locator("#implications").input_value() == PAYLOADS[8]
    page.locator("details.other-topics").evaluate("d => { d.open = true; }")
    page.locator("#topics-section li", has_text=TOPIC).locator("input").first.check()
    page.locator("li", has_text=RTYPE).locator("input[type=radio]").first.check()
    if page.locator("#not_duplicate").count():  # the other mode saved this citation already
        page.locator("#not_duplicate").check()
    page.get_by_role("button", name="Save summary").click()
    page.wait_for_load_state()
    assert "/summary/2025-04-" in page.url, watched.text("main")[:1500]
    watched.assert_inert("saved summary")
    assert watched.text("h1") == title
    main = watched.text("main")
    assert PAYLOADS[6] in main and TOPIC in main and RTYPE in main, main
    watched.visit(q("/", q=f"editor {mode} rupture"))
    assert title in watched.text(".hits")


@pytest.mark.browser
def test_the_detector_catches_a_live_handler_and_the_csp_blocks_it(browser, server):
    """The two layers, shown to work: a handler injected into a served page runs when
    the CSP is bypassed (so the dialog detector above would have seen a leak), and is
    refused when the CSP is enforced."""
    inject = """() => { const img = document.createElement('img');
        img.setAttribute('onerror', 'alert("injected")'); img.src = '/no-such-image.png';
        document.body.appendChild(img); }"""
    for bypass, expect_dialog in ((True, True), (False, False)):
        w = Watched(browser, server.base, bypass_csp=bypass)
        try:
            w.page.goto(server.base + "/topics")
            w.page.evaluate(inject)
            w.page.wait_for_timeout(300)  # the image request fails, onerror would fire
            assert bool(w.dialogs) == expect_dialog, (bypass, w.dialogs)
            if not bypass:
                assert w.violations, "the CSP did not report the blocked handler"
        finally:
            w.close()


# --------------------------------------------------------------------------- escaping


def test_payloads_come_out_escaped(server):
    client = Http(server.port)
    pages = [f"/summary/{HOSTILE_ID}", f"/topics/{slugify(TOPIC)}", "/topics",
             q("/", q="zebra"), q("/", topic=TOPIC, type=RTYPE),
             *[q("/", q=p, topic=p, type=p) for p in PAYLOADS]]
    for path in pages:
        reply = client.get(path)
        assert reply.status == 200, path
        html = reply.text
        assert "&lt;script&gt;alert(" in html or "&lt;img src=x" in html or "&lt;svg" in html
        for raw in ("<script>alert", "<img src=x", "<svg onload", "<iframe", "<details open",
                    "<body onload", "<math>", 'href="javascript:', "<a href=&#34;javascript"):
            assert raw not in html, (path, raw)
    for path in (f"/summary/{HOSTILE_ID}", q("/", q=PAYLOADS[-1])):
        assert "{{7*7}} ${7*7} &lt;%= 7*7 %&gt;" in client.get(path).text  # no template ran
    api = client.get(q("/api/search", q="zebra")).json()
    hit = next(h for h in api["hits"] if h["id"] == HOSTILE_ID)
    assert "<script>" not in hit["snippet_html"] and "&lt;" in hit["snippet_html"]
    assert client.get(f"/api/summaries/{HOSTILE_ID}").json()["title"] == TITLE  # JSON: data
    export = client.get(f"/summary/{HOSTILE_ID}/export.csv")
    assert export.headers["Content-Disposition"].startswith("attachment")
    assert export.headers["X-Content-Type-Options"] == "nosniff"


# --------------------------------------------------------------------------- access


def test_editor_and_suggest_refuse_without_sign_in_or_token(server):
    anonymous = Http(server.port)
    home = anonymous.get("/editor")
    assert home.status == 200 and 'name="password"' in home.text and 'id="body"' not in home.text
    edit = anonymous.get(f"/editor/edit/{HOSTILE_ID}")
    assert edit.status == 302 and edit.headers["Location"].endswith("/editor")
    token = anonymous.csrf()
    draft = {"csrf_token": token, "action": "save", "title": "Anonymous", "body": "x",
             "published": "2025-01", "topic": "Empathy"}
    refused = anonymous.post_form("/editor/draft", draft)
    assert refused.status == 403
    assert anonymous.get(q("/api/search", q="Anonymous")).json()["total"] == 0

    suggest = json.dumps({"title": "Alliance", "text": "alliance rupture repair"})
    js = {"Content-Type": "application/json"}
    for headers in ({}, {"Authorization": "Bearer wrong-token"}, {"X-API-Token": "wrong"},
                    {"Authorization": "Basic " + API_TOKEN}, {"Authorization": "Bearer"}):
        reply = anonymous.request("POST", "/api/suggest", suggest, {**js, **headers})
        assert reply.status == 401, (headers, reply.status)
        assert "error" in reply.json()
    good = anonymous.request("POST", "/api/suggest", suggest,
                             {**js, "Authorization": f"Bearer {API_TOKEN}"})
    assert good.status == 200 and good.json()["topics"]

    editor = Http(server.port)
    token = editor.sign_in()
    no_csrf = editor.request("POST", "/api/suggest", suggest, js)
    assert no_csrf.status == 403
    with_csrf = editor.request("POST", "/api/suggest", suggest, {**js, "X-CSRF-Token": token})
    assert with_csrf.status == 200


def test_form_posts_without_the_csrf_token_are_refused(server):
    editor = Http(server.port)
    token = editor.sign_in()
    other = Http(server.port)
    foreign = other.csrf()  # a valid token, of another session
    draft = {"action": "save", "title": "CSRF drill", "body": "x", "published": "2025-01",
             "topic": "Empathy"}
    for path, fields in [("/editor/login", {"password": PASSWORD}), ("/editor/logout", {}),
                         ("/editor/draft", draft)]:
        for extra in ({}, {"csrf_token": ""}, {"csrf_token": foreign},
                      {"csrf_token": token[:-2] + "xx"}):
            reply = editor.post_form(path, {**fields, **extra})
            assert reply.status == 400, (path, extra, reply.status)
            assert "expired" in reply.text
    # still signed in (the logout was refused), and the token itself works
    assert 'id="body"' in editor.get("/editor").text
    assert editor.post_form("/editor/logout", {"csrf_token": token}).status == 302


TRAVERSALS = [
    "/summary/../../etc/passwd",
    "/summary/..%2F..%2Fetc%2Fpasswd",
    "/summary/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/summary/..%252F..%252Fetc%252Fpasswd",
    "/summary/....//....//etc/passwd",
    "/summary/..%5C..%5Cetc%5Cpasswd",
    "/summary/%2Fetc%2Fpasswd",
    "/summary/etc%00passwd",
    "/summary/..%2F..%2Fetc%2Fpasswd/export.ris",
    "/api/summaries/..%2F..%2Fetc%2Fpasswd",
    "/api/summaries/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/topics/..%2F..%2Fetc%2Fpasswd",
    "/static/../../../../etc/passwd",
    "/static/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%5C..%5C..%5Cpyproject.toml",
    "/static/../../../pyproject.toml",
    "/export.%2F..%2F..%2Fetc%2Fpasswd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_ids_are_404(server, path):
    editor = Http(server.port)
    for client in (Http(server.port), editor):
        reply = client.get(path)
        assert reply.status == 404, (path, reply.status)
        assert "root:" not in reply.text and "[project]" not in reply.text
    editor.sign_in()
    assert editor.get("/editor/edit/..%2F..%2Fetc%2Fpasswd").status == 404


def test_oversized_bodies_are_413(server):
    editor = Http(server.port)
    token = editor.sign_in()
    big = "x" * (2 * 1024 * 1024)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    replies = {
        "draft": editor.request("POST", "/editor/draft",
                                f"csrf_token={token}&action=suggest&body={big}", form),
        "login": Http(server.port).request("POST", "/editor/login", f"password={big}", form),
        "suggest": editor.request("POST", "/api/suggest",
                                  json.dumps({"title": "t", "text": big}),
                                  {"Content-Type": "application/json",
                                   "Authorization": f"Bearer {API_TOKEN}"}),
    }
    for name, reply in replies.items():
        assert reply.status == 413, (name, reply.status)
    assert replies["suggest"].json()["error"]["status"] == 413
    assert "too large" in replies["draft"].text


def test_headers_past_the_servers_buffer_are_431_and_the_server_carries_on(server):
    """A request's headers are read into a bounded buffer (`server.HEADER_BUFFER_BYTES`):
    a client cannot make the server hold hundreds of kilobytes per connection."""
    client = Http(server.port)
    normal = client.request("GET", "/healthz", headers={"X-Note": "n" * 8_000})
    assert normal.status == 200
    huge = client.request("GET", "/healthz", headers={"X-Note": "n" * 300_000})
    assert huge.status == 431
    assert client.request("GET", "/healthz").status == 200


EXPECTED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _check_headers(reply: Reply, what: str) -> None:
    csp = reply.headers.get("Content-Security-Policy", "")
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives.get("default-src") == "'self'", (what, csp)
    assert directives.get("script-src") == "'self'", (what, csp)
    assert directives.get("object-src") == "'none'", (what, csp)
    assert directives.get("frame-ancestors") == "'none'", (what, csp)
    assert directives.get("base-uri") == "'none'", (what, csp)
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, what
    for name, value in EXPECTED_HEADERS.items():
        assert reply.headers.get(name) == value, (what, name)
    assert "camera=()" in reply.headers.get("Permissions-Policy", ""), what
    server_header = reply.headers.get("Server", "")
    assert not re.search(r"\d", server_header), f"{what}: Server header tells {server_header!r}"


def test_every_kind_of_response_carries_the_security_headers(server):
    client = Http(server.port)
    kinds = {
        "search page": client.get(q("/", q="alliance")),
        "summary page": client.get(f"/summary/{HOSTILE_ID}"),
        "topics page": client.get("/topics"),
        "JSON API": client.get(q("/api/search", q="alliance")),
        "OpenAPI": client.get("/api/openapi.json"),
        "health": client.get("/healthz"),
        "static file": client.get("/static/site.css"),
        "export": client.get(q("/export.ris", q="alliance")),
        "404 page": client.get("/no/such/page"),
        "404 JSON": client.get("/api/summaries/no-such-id"),
        "405": client.request("DELETE", "/"),
        "redirect": client.get(f"/editor/edit/{HOSTILE_ID}"),
        "400 CSRF": client.post_form("/editor/login", {"password": "x"}),
        "401 JSON": client.request("POST", "/api/suggest", "{}",
                                   {"Content-Type": "application/json"}),
        "413": client.request("POST", "/editor/login", "x" * (2 * 1024 * 1024),
                              {"Content-Type": "application/x-www-form-urlencoded"}),
    }
    statuses = {name: reply.status for name, reply in kinds.items()}
    assert statuses == {
        "search page": 200, "summary page": 200, "topics page": 200, "JSON API": 200,
        "OpenAPI": 200, "health": 200, "static file": 200, "export": 200, "404 page": 404,
        "404 JSON": 404, "405": 405, "redirect": 302, "400 CSRF": 400, "401 JSON": 401,
        "413": 413,
    }
    for name, reply in kinds.items():
        _check_headers(reply, name)
    signed_in = Http(server.port)
    login = signed_in.post_form("/editor/login", {"password": PASSWORD,
                                                  "csrf_token": signed_in.csrf()})
    assert login.status == 302
    cookie = login.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    editor_page = signed_in.get("/editor")
    _check_headers(editor_page, "editor page")
    assert editor_page.headers["Cache-Control"] == "no-store"  # never kept by a shared cache


# Kept last: it locks sign-in from 127.0.0.1 out of this server for a minute.
def test_sign_in_is_rate_limited_and_spoofing_does_not_help(server):
    client = Http(server.port)
    token = client.csrf()
    statuses = []
    for n in range(8):
        spoof = {"X-Forwarded-For": f"10.0.0.{n}", "X-Real-IP": f"10.0.1.{n}",
                 "Forwarded": f"for=10.0.2.{n}"}
        reply = client.post_form("/editor/login", {"password": f"guess {n}", "csrf_token": token},
                                 **spoof)
        statuses.append(reply.status)
    assert statuses[:5] == [401] * 5 and statuses[5:] == [429] * 3, statuses
    locked = client.post_form("/editor/login", {"password": PASSWORD, "csrf_token": token})
    assert locked.status == 429 and int(locked.headers["Retry-After"]) >= 1
    assert "Too many sign-in attempts" in locked.text
    assert 'id="body"' not in client.get("/editor").text  # the right password did not get in


def test_behind_a_trusted_proxy_each_visitor_has_a_limit_and_links_say_https(site, server):
    """``--trusted-proxy``: the proxy's X-Forwarded-* headers are believed (and only then:
    the server above, without the option, ignored them)."""
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "explorer.example.org"}
    direct = Http(server.port).get(f"/api/summaries/{HOSTILE_ID}", **headers).json()
    assert direct["url"].startswith(f"http://127.0.0.1:{server.port}/")
    with serving(site, "--trusted-proxy", "127.0.0.1") as proxied:
        url = Http(proxied.port).get(f"/api/summaries/{HOSTILE_ID}", **headers).json()["url"]
        assert url == f"https://explorer.example.org/summary/{HOSTILE_ID}"
        attacker = Http(proxied.port)
        token = attacker.csrf()
        guesses = [attacker.post_form("/editor/login", {"password": "guess", "csrf_token": token},
                                      **{"X-Forwarded-For": "203.0.113.9"}).status
                   for _ in range(6)]
        assert guesses == [401] * 5 + [429]
        editor = Http(proxied.port)
        token = editor.csrf()
        reply = editor.post_form("/editor/login", {"password": PASSWORD, "csrf_token": token},
                                 **{"X-Forwarded-For": "198.51.100.7"})
        assert reply.status == 302  # another visitor is not locked out by the attacker
