"""``pprnet serve --workers 2``: a real granian with two processes, spoken to over HTTP.

A kept-alive connection stays with the worker that accepted it, and ``/healthz`` names
that worker's process id, so each test holds one connection per worker and knows which
process answers what: a save made through one worker must be read through the other
(summary page, the anonymous cached search page, the JSON API), and the sign-in limit
must count a client's attempts across both.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import re
import time
from html import unescape
from urllib.parse import urlencode

import pytest

from explorer.web import server
from tests.web_helpers import copy_site, serve_site

pytestmark = pytest.mark.skipif(not server.granian_usable(), reason="granian serves on Linux")

PASSWORD = "worker test passphrase"
ENV = {"PPRNET_EDITOR_PASSWORD": PASSWORD, "PPRNET_SECRET_KEY": "k" * 64}
TITLE = "Zephyrine kestrel method for rupture repair"


class Worker:
    """One kept-alive connection, with its own cookies, to whichever worker accepted it."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        assert self.get("/healthz")[0] == 200
        self.pid = json.loads(self.body)["pid"]

    def request(self, method: str, path: str, form: dict | list | None = None,
                cookies: bool = True) -> tuple[int, dict[str, str]]:
        headers = {"Connection": "keep-alive"}
        data = None
        if form is not None:
            data = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if cookies and self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        self.body = response.read().decode("utf-8")
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        # header names in any case, as HTTP has them (granian sends them in lower case)
        return response.status, {k.lower(): v for k, v in response.headers.items()}

    def get(self, path: str, cookies: bool = True) -> tuple[int, dict[str, str]]:
        return self.request("GET", path, cookies=cookies)

    def token(self, path: str = "/editor") -> str:
        assert self.get(path)[0] == 200
        return re.search(r'name="csrf_token" value="([^"]+)"', self.body).group(1)

    def close(self) -> None:
        self.conn.close()


def one_per_worker(port: int, count: int = 2) -> list[Worker]:
    """Open connections until ``count`` different worker processes hold one each (a worker
    still loading its app accepts nothing, so keep trying for a while)."""
    found: dict[int, Worker] = {}
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        worker = Worker(port)
        if worker.pid in found:  # keep the fresher connection: idle ones time out
            found[worker.pid].close()
            time.sleep(0.05)
        found[worker.pid] = worker
        if len(found) == count:
            return list(found.values())
    pytest.fail(f"only {len(found)} worker process(es) answered")


def wait_for(check, seconds: float = 15.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture()
def workers(tmp_path):  # type: ignore[no-untyped-def]
    site = copy_site(tmp_path)
    with serve_site(site, ENV, "--workers", "2") as port:
        pair = one_per_worker(port)
        yield site, pair
        for worker in pair:
            worker.close()


# The workers hear of each other's saves through the on-disk corpus version stamp that the
# corpus follower reads (explorer.web.corpus_follow, from the editor's work); without it a
# second worker cannot know of a save.
@pytest.mark.skipif(importlib.util.find_spec("explorer.web.corpus_follow") is None,
                    reason="needs the corpus follower (explorer.web.corpus_follow)")
def test_a_save_through_one_worker_is_read_through_the_other(workers) -> None:
    site, (writer, reader) = workers
    assert writer.pid != reader.pid
    query = "/?" + urlencode({"q": "zephyrine kestrel"})
    assert reader.get(query, cookies=False)[0] == 200  # the reader caches "no results"
    assert TITLE not in unescape(reader.body)

    writer.request("POST", "/editor/login",
                   form={"password": PASSWORD, "csrf_token": writer.token()})
    token = writer.token()
    status, headers = writer.request("POST", "/editor/draft", form={
        "csrf_token": token, "action": "save", "published": "2024-06", "title": TITLE,
        "citation_text": "Quill, A. (2024). Kestrel repair. Psychotherapy Research, 34(2), "
                         "100-110.",
        "body": "Zephyrine kestrel sessions repaired ruptures in the working alliance.",
        "implications": "Therapists can name the rupture.",
        "topic": ["Alliance and Therapeutic Relationship"],
        "research_type": "Naturalistic, observational or qualitative study",
    })
    assert status == 302, writer.body[:500]
    new_id = headers["location"].rsplit("/", 1)[1]
    assert (site.corpus_dir / f"{new_id}.md").is_file()

    assert wait_for(lambda: reader.get(f"/summary/{new_id}", cookies=False)[0] == 200)
    assert TITLE in unescape(reader.body)
    assert wait_for(lambda: reader.get(query, cookies=False)[0] == 200
                    and TITLE in unescape(reader.body))
    assert reader.get("/api/search?" + urlencode({"q": "zephyrine"}))[0] == 200
    assert new_id in [h["id"] for h in json.loads(reader.body)["hits"]]
    assert reader.get("/healthz")[0] == 200 and json.loads(reader.body)["pid"] == reader.pid


def test_the_sign_in_limit_counts_a_client_across_workers(workers) -> None:
    _site, (first, second) = workers
    for _ in range(5):  # the limit: 5 attempts a minute
        status, _ = first.request("POST", "/editor/login",
                                  form={"password": "wrong", "csrf_token": first.token()})
        assert status == 401
    status, headers = second.request("POST", "/editor/login",
                                     form={"password": PASSWORD, "csrf_token": second.token()})
    assert status == 429
    assert int(headers["retry-after"]) > 1
