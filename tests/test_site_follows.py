"""The running site follows the corpus: outside saves, imports and builds, without restart."""

from __future__ import annotations

import time
from dataclasses import replace

from explorer.builder import build_all
from explorer.corpus import write_summary
from explorer.corpus_version import bump
from tests.web_helpers import copy_site, make_app


def _new_summary(site, sid: str = "2024-09-a-summary-written-elsewhere"):
    base = site.summaries()[0]
    return replace(base, id=sid, title="Written by another process about zanzibar pelicans",
                   body=base.body + " Zanzibar pelicans were the unusual word here.", path=None)


def _ids(client, q: str) -> list[str]:
    response = client.get(f"/api/search?q={q}")
    assert response.status_code == 200
    return [h["id"] for h in response.get_json()["hits"]]


def test_a_file_written_by_another_process_is_served_and_searchable(tmp_path):
    site = copy_site(tmp_path)
    app = make_app(site, FOLLOW_CORPUS=False)  # driven by hand below, not by the thread
    client = app.test_client()
    follower = app.extensions["pprnet"].follower
    assert follower.check() is None  # nothing moved yet
    summary = _new_summary(site)
    write_summary(summary, site.corpus_dir)
    bump(site.index_dir)
    # Asked for at once (the redirect after a save through another worker), the summary
    # page follows the corpus itself instead of answering 404 for up to a second.
    assert client.get(f"/summary/{summary.id}").status_code == 200
    assert follower.check() is None  # already applied
    assert summary.id in _ids(client, "zanzibar+pelicans")
    # removed by hand: gone from pages and search
    (site.corpus_dir / f"{summary.id}.md").unlink()
    report = follower.check()
    assert report is not None and report.removed == 1
    assert client.get(f"/summary/{summary.id}").status_code == 404
    assert summary.id not in _ids(client, "zanzibar+pelicans")


def test_an_in_place_edit_is_found_by_the_full_scan(tmp_path):
    site = copy_site(tmp_path)
    app = make_app(site, FOLLOW_CORPUS=False)
    first = site.summaries()[0]
    path = site.corpus_dir / f"{first.id}.md"
    text = path.read_text(encoding="utf-8")
    with open(path, "r+", encoding="utf-8") as handle:  # same inode: the folder's mtime stays
        handle.write(text.replace(first.title, "Retitled in place", 1))
        handle.truncate()
    report = app.extensions["pprnet"].follower.check(full=True)
    assert report is not None and report.changed == 1
    assert app.extensions["pprnet"].store.get(first.id).title == "Retitled in place"


def test_an_outside_build_is_seen_by_the_running_thread(tmp_path):
    site = copy_site(tmp_path)
    app = make_app(site)
    client = app.test_client()
    summary = _new_summary(site, "2024-10-built-by-an-outside-pprnet-build")
    write_summary(summary, site.corpus_dir)
    build_all(site.corpus_dir, site.index_dir)
    seen, statuses = False, set()
    deadline = time.monotonic() + 30  # a bound for a slow shared machine, not a speed test
    while time.monotonic() < deadline and not seen:
        statuses.add(client.get("/api/search?q=zanzibar").status_code)
        seen = client.get(f"/summary/{summary.id}").status_code == 200
        time.sleep(0.2)
    assert seen and statuses == {200}
    assert summary.id in _ids(client, "zanzibar+pelicans")
