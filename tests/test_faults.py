"""Faults and concurrency: nothing the editor saves is lost, and a broken index mends.

* The editor saves new and edited summaries while 8 threads search and ``pprnet build``
  rebuilds the index again and again in another process: afterwards every saved summary
  is in the corpus and in the index (the site's and a freshly opened one).
* A build SIGKILLed midway (in the middle of writing, or just before its pointer swap)
  leaves the previous index serving, and the next build succeeds and clears the debris.
* A full disk (ENOSPC) or a read-only corpus folder on save gives the editor a clear
  error, keeps every word of the form, and leaves no half-written file; once the fault
  is gone the same form saves. The read-only folder is real: the save runs in a child
  process that drops root (root ignores file modes) to uid 65534 (nobody).
* A corrupt or missing index gives a calm 503 page (and JSON error) naming
  ``pprnet build`` and no path, never a 500, and ``pprnet build`` mends it without a
  restart. Every kind of file in ``index/`` × every kind of damage, and the background
  rebuild, are in `tests/test_faults_corruption.py`.
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner
from werkzeug.datastructures import MultiDict

from explorer.cli import main as pprnet
from explorer.corpus import load_corpus
from explorer.search import SearchIndex, SearchRequest, build_index
from explorer.search.store import POINTER, current_dir
from explorer.web.state import INDEX_RECHECK_SECONDS
from tests.web_helpers import copy_site, form_fields, make_app, sign_in_as_editor

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "fault-test editor passphrase"
TOPIC = "Alliance and Therapeutic Relationship"


# --------------------------------------------------------------------------- helpers


def sign_in(client) -> str:
    return sign_in_as_editor(client, PASSWORD)


def marker(n: int) -> str:
    """A made-up word no summary contains, unique per n (letters only: one index term)."""
    return "zq" + "".join("bcdfghjklm"[int(d)] for d in f"{n:03d}") + "wort"


def draft(n: int, token: str) -> dict:
    word = marker(n)
    return {
        "csrf_token": token,
        "action": "save",
        "published": "2025-06",
        "title": f"Fault drill summary {n}: alliance under load",
        "citation_text": f"Tester, A., & Drill, B. (2025). Saving under load {n}. "
                         "Psychotherapy Research, 35(1), 1–10.",
        "body": f"Therapists and clients kept a {word} diary about the working alliance.\n\n"
                "Ruptures were repaired more often when they were named.",
        "implications": "Ask about the relationship directly.",
        "topic": [TOPIC, "Empathy"],
        "research_type": "Randomized controlled trial",
    }


def ids_for(index: SearchIndex, word: str) -> set[str]:
    return {h.id for h in index.search(SearchRequest(q=word, per_page=50)).hits}


def api_ids(client, word: str) -> set[str]:
    response = client.get("/api/search", query_string={"q": word})
    assert response.status_code == 200
    return {h["id"] for h in response.get_json()["hits"]}


def run_build(site, hook: str = "none") -> subprocess.CompletedProcess:
    """``pprnet build --no-model`` (the topic model is not what these tests are about)."""
    return subprocess.run(
        [sys.executable, "-c", BUILD_CHILD, "/dev/null", hook, "build", "--quiet", "--no-model",
         "--corpus", str(site.corpus_dir), "--index", str(site.index_dir)],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )


# --------------------------------------------------------------------------- concurrency

# `pprnet build` in a child process, with a hook: "writing" stalls after 20 documents and
# "swapping" just before the pointer moves (both write a flag file, for the parent to kill
# it), "slow" takes 10 ms a document, as on a corpus a hundred times the size.
BUILD_CHILD = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    marker, where = Path(sys.argv[1]), sys.argv[2]
    sys.argv = [sys.argv[0], *sys.argv[3:]]

    def stall():
        marker.write_text(str(os.getpid()))
        time.sleep(600)

    if where == "writing":
        from explorer.search import bulkwrite  # the build's add_document
        original = bulkwrite.add_document
        count = [0]
        def add_document(*args):
            count[0] += 1
            if count[0] == 20:
                stall()
            return original(*args)
        bulkwrite.add_document = add_document
    elif where == "slow":  # a big corpus: the rebuild takes a while
        from explorer.search import bulkwrite
        original = bulkwrite.add_document
        def add_document(*args):
            time.sleep(0.01)
            return original(*args)
        bulkwrite.add_document = add_document
    elif where == "swapping":
        real_replace = os.replace
        def replace(src, dst, *a, **k):
            if str(dst).endswith("whoosh.current"):
                stall()
            return real_replace(src, dst, *a, **k)
        os.replace = replace

    from explorer.cli import main
    main()
""")


def test_saves_survive_searching_threads_and_rebuilds(tmp_path):
    site = copy_site(tmp_path)
    app = make_app(site, EDITOR_PASSWORD=PASSWORD)
    editor = app.test_client()
    token = sign_in(editor)
    existing = sorted(site.summaries(), key=lambda s: s.id)[1:4]
    words = ["alliance", "therapy", "rupture", "group", "empathy", "CBT", "depression", "zz"]

    stop = threading.Event()
    problems: list[str] = []
    served = [0] * 8

    def search_loop(n: int) -> None:
        rng = random.Random(n)
        client = app.test_client()
        index = app.extensions["pprnet"].index()
        while not stop.is_set():
            word = rng.choice(words)
            try:
                if n % 2:  # through the web (pages vary, so most miss the page cache)
                    path = rng.choice(["/", "/api/search"])
                    response = client.get(path, query_string={"q": word,
                                                              "page": rng.randint(1, 3)})
                    if response.status_code != 200:
                        problems.append(f"{path} {word}: {response.status_code}")
                else:  # straight into the app's one SearchIndex
                    resp = index.search(SearchRequest(q=word, page=rng.randint(1, 3)))
                    if any("failed" in n for n in resp.notices):
                        problems.append(f"search {word}: {resp.notices}")
            except Exception as exc:  # noqa: BLE001 - collected, asserted below
                problems.append(f"thread {n}: {type(exc).__name__}: {exc}")
            served[n] += 1
            time.sleep(0.005)  # visitors, not a busy loop: leave the build some CPU

    rebuilds: list[subprocess.CompletedProcess] = []

    def rebuild_loop() -> None:
        while not stop.is_set() and len(rebuilds) < 2:
            rebuilds.append(run_build(site, "slow"))

    threads = [threading.Thread(target=search_loop, args=(n,)) for n in range(8)]
    builder = threading.Thread(target=rebuild_loop)
    for t in threads:
        t.start()
    builder.start()
    saved: dict[str, str] = {}  # id -> marker word
    try:
        deadline = time.monotonic() + 60
        n = 0
        # Saves go on until the last rebuild is done: some land after a rebuild has read
        # the corpus and before it swaps its index in.
        while (n < 12 or builder.is_alive()) and time.monotonic() < deadline:
            if n % 4 == 3 and existing:  # every fourth save edits an archived summary
                summary = existing.pop()
                fields = form_fields(editor.get(f"/editor/edit/{summary.id}")
                                     .get_data(as_text=True))
                fields = [(k, v + f"\n\nEdited: a {marker(n)} note." if k == "body" else v)
                          for k, v in fields] + [("action", "save")]
                response = editor.post("/editor/draft", data=MultiDict(fields))
                saved[summary.id] = marker(n)
            else:
                response = editor.post("/editor/draft", data=draft(n, token))
                new_id = response.headers.get("Location", "").rsplit("/", 1)[-1]
                saved[new_id] = marker(n)
            assert response.status_code == 302, response.get_data(as_text=True)[:2000]
            n += 1
            time.sleep(random.Random(n).uniform(0.05, 0.4))
    finally:
        stop.set()
        builder.join(timeout=180)
        for t in threads:
            t.join(timeout=60)

    assert not problems, problems[:10]
    assert all(count > 0 for count in served)
    assert len(rebuilds) == 2 and all(r.returncode == 0 for r in rebuilds), [
        r.stderr for r in rebuilds]
    assert len(saved) >= 12

    # Every save is in the corpus, with its text...
    on_disk = {s.id: s for s in load_corpus(site.corpus_dir).summaries}
    for summary_id, word in saved.items():
        assert summary_id in on_disk, summary_id
        assert word in on_disk[summary_id].body
    # ...and in the index files a new process would open, with no request needed: the
    # site indexes recent saves again within a second of a rebuild swapping in...
    deadline = time.monotonic() + 20
    while True:
        fresh = SearchIndex.open(site.index_dir)
        missing = {i: w for i, w in saved.items() if ids_for(fresh, w) != {i}}
        if not missing or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    assert not missing, missing
    assert fresh.doc_count() == len(on_disk)
    # ...and in what the site serves.
    client = app.test_client()
    for summary_id, word in saved.items():
        assert api_ids(client, word) == {summary_id}, (summary_id, word)


def test_a_rebuild_from_before_a_save_does_not_drop_it(tmp_path):
    """The race above, made certain: a rebuild reads the corpus, the editor saves, the
    rebuild swaps in an index without that save. The site indexes the save again within
    a second, with no request needed."""
    site = copy_site(tmp_path)
    app = make_app(site, EDITOR_PASSWORD=PASSWORD)
    editor = app.test_client()
    token = sign_in(editor)
    before = load_corpus(site.corpus_dir)  # the rebuild has read the corpus...
    response = editor.post("/editor/draft", data=draft(7, token))  # ...the editor saves...
    assert response.status_code == 302
    saved_id = response.headers["Location"].rsplit("/", 1)[-1]
    assert ids_for(SearchIndex.open(site.index_dir), marker(7)) == {saved_id}
    build_index(before.summaries, site.index_dir, taxonomy=before.taxonomy)  # ...it swaps in
    deadline = time.monotonic() + 15
    while ids_for(SearchIndex.open(site.index_dir), marker(7)) != {saved_id}:
        assert time.monotonic() < deadline, "the save was dropped from the index"
        time.sleep(0.2)
    assert api_ids(app.test_client(), marker(7)) == {saved_id}


# --------------------------------------------------------------------------- killed build



@pytest.mark.parametrize("where", ["writing", "swapping"])
def test_a_build_killed_midway_leaves_the_old_index_serving(tmp_path, where):
    site = copy_site(tmp_path)
    app = make_app(site)
    client = app.test_client()
    before_dir = current_dir(site.index_dir)
    before = client.get("/api/search", query_string={"q": "alliance"}).get_json()
    assert before["total"] > 0
    dirs_before = {p.name for p in site.index_dir.iterdir()}

    flag = tmp_path / "stalled"
    child = subprocess.Popen(
        [sys.executable, "-c", BUILD_CHILD, str(flag), where, "build", "--quiet",
         "--corpus", str(site.corpus_dir), "--index", str(site.index_dir)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while not flag.exists():
            assert child.poll() is None, child.stdout.read()
            assert time.monotonic() < deadline, "the build never reached the kill point"
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL

    debris = {p.name for p in site.index_dir.iterdir()} - dirs_before
    assert debris, "the killed build left nothing behind: it was not killed midway"
    # The previous index is still the live one, for the running site and a new process.
    assert current_dir(site.index_dir) == before_dir
    again = client.get("/api/search", query_string={"q": "alliance"}).get_json()
    assert again == before
    assert client.get("/?q=alliance+rupture").status_code == 200
    fresh_app = make_app(site)
    assert fresh_app.test_client().get("/api/search", query_string={"q": "alliance"}
                                       ).get_json() == before
    # The dead build's lock died with it: the next build runs at once and sweeps up.
    result = run_build(site)
    assert result.returncode == 0, result.stderr
    assert current_dir(site.index_dir) != before_dir
    leftovers = {p.name for p in site.index_dir.iterdir()} & debris
    assert not [name for name in leftovers if name.startswith("whoosh-")]
    assert client.get("/api/search", query_string={"q": "alliance"}).get_json()["total"] == (
        before["total"])


# --------------------------------------------------------------------------- disk faults


@pytest.fixture()
def editor_site(tmp_path):
    site = copy_site(tmp_path)
    app = make_app(site, EDITOR_PASSWORD=PASSWORD)
    client = app.test_client()
    return site, app, client, sign_in(client)


def _assert_kept_and_nothing_written(site, html: str, data: dict, files_before: set[str]):
    fields = dict(form_fields(html))
    for key in ("title", "published", "body", "implications", "citation_text"):
        assert fields.get(key) == data[key], key
    ticked = [v for k, v in form_fields(html) if k == "topic"]
    assert sorted(ticked) == sorted(data["topic"])
    assert {p.name for p in site.corpus_dir.iterdir()} == files_before  # not even a temp file


def _disk_fault(monkeypatch, site, code: int, how: str) -> None:
    corpus = str(site.corpus_dir.resolve())
    if how == "writer":  # the atomic writer itself fails
        import explorer.corpus

        def failing_writer(path, text):
            raise OSError(code, os.strerror(code), str(path))

        monkeypatch.setattr(explorer.corpus, "atomic_write_text", failing_writer)
    elif how == "fsync":  # the real writer runs: data written, then fsync fails (full disk)
        real_fsync = os.fsync

        def fsync(fd):
            if os.readlink(f"/proc/self/fd/{fd}").startswith(corpus):
                raise OSError(code, os.strerror(code))
            return real_fsync(fd)

        monkeypatch.setattr(os, "fsync", fsync)
    elif how == "mkstemp":  # the folder refuses new files (a read-only mount)
        real_mkstemp = tempfile.mkstemp

        def mkstemp(*args, **kwargs):
            if str(Path(kwargs.get("dir") or "").resolve()).startswith(corpus):
                raise OSError(code, os.strerror(code), kwargs.get("dir"))
            return real_mkstemp(*args, **kwargs)

        monkeypatch.setattr(tempfile, "mkstemp", mkstemp)


@pytest.mark.parametrize("code, how", [
    (errno.ENOSPC, "writer"),
    (errno.ENOSPC, "fsync"),
    (errno.EDQUOT, "fsync"),
    (errno.EROFS, "mkstemp"),
    (errno.EACCES, "mkstemp"),
])
def test_a_failed_disk_write_keeps_the_form_and_says_why(editor_site, monkeypatch, code, how):
    site, app, client, token = editor_site
    data = draft(1, token)
    files_before = {p.name for p in site.corpus_dir.iterdir()}
    with monkeypatch.context() as patch:
        _disk_fault(patch, site, code, how)
        response = client.post("/editor/draft", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code in (503, 507), response.status_code
    assert "Not saved yet" in html and "Something went wrong" not in html
    reason = {errno.ENOSPC: "full", errno.EDQUOT: "full", errno.EROFS: "read-only",
              errno.EACCES: "permission"}[code]
    assert reason in unescape(html).lower()
    _assert_kept_and_nothing_written(site, html, data, files_before)
    assert ids_for(app.extensions["pprnet"].index(), marker(1)) == set()
    assert app.extensions["pprnet"].store.get("2025-06-fault-drill-summary-1-alliance-under-load"
                                              ) is None
    # The fault is gone: the form as the browser would send it again now saves.
    again = client.post("/editor/draft", data=MultiDict([*form_fields(html), ("action", "save")]))
    assert again.status_code == 302
    assert ids_for(app.extensions["pprnet"].index(), marker(1)) != set()


READ_ONLY_CHILD = textwrap.dedent("""
    import json, os, sys
    sys.path.insert(0, sys.argv[1])
    from pathlib import Path
    from tests.web_helpers import Site, make_app
    from tests.test_faults import PASSWORD, draft, sign_in
    site = Site(Path(sys.argv[2]), Path(sys.argv[3]))
    app = make_app(site, EDITOR_PASSWORD=PASSWORD)
    client = app.test_client()
    data = draft(2, sign_in(client))
    with app.app_context():
        app.extensions["pprnet"].model()  # load everything while the files are readable
    client.post("/editor/draft", data={**data, "action": "suggest"})
    if os.geteuid() == 0:
        os.setgid(65534)
        os.setuid(65534)  # root ignores file modes; nobody does not
    response = client.post("/editor/draft", data=data)
    print(json.dumps({"uid": os.geteuid(), "status": response.status_code,
                      "html": response.get_data(as_text=True), "data": data}))
""")


def test_a_really_read_only_corpus_folder(tmp_path):
    root = Path(tempfile.mkdtemp(prefix="pprnet-ro-"))
    try:
        site = copy_site(root)
        for path in [root, *root.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        site.corpus_dir.chmod(0o555)
        files_before = {p.name for p in site.corpus_dir.iterdir()}
        proc = subprocess.run(
            [sys.executable, "-c", READ_ONLY_CHILD, str(REPO), str(site.corpus_dir),
             str(site.index_dir)],
            cwd=root, capture_output=True, text=True, timeout=120, check=False,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "HOME": str(root)},
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        assert result["uid"] != 0, "could not drop root, so the folder was not read-only"
        assert result["status"] == 503, result["html"][:3000]
        assert "read-only" in unescape(result["html"]).lower() or (
            "permission" in unescape(result["html"]).lower())
        _assert_kept_and_nothing_written(site, result["html"], result["data"], files_before)
    finally:
        shutil.rmtree(root, ignore_errors=True)


# --------------------------------------------------------------------------- broken index


def _live(site) -> Path:
    return current_dir(site.index_dir)


def _scramble(path: Path) -> None:
    data = path.read_bytes()
    rng = random.Random(len(data))
    path.write_bytes(bytes(rng.randrange(256) for _ in range(max(len(data), 64))))


def _remove_index(site) -> None:
    for path in site.index_dir.glob("whoosh-*"):
        shutil.rmtree(path)
    (site.index_dir / POINTER).unlink()


def _each(paths) -> None:
    paths = list(paths)
    assert paths, "nothing to corrupt: the index layout changed, update this test"
    for path in paths:
        _scramble(path)


CORRUPTIONS = {
    "index folder removed": _remove_index,
    "pointer garbage": lambda site: (site.index_dir / POINTER).write_bytes(b"\xff\x00garbage"),
    "pointer dangling": lambda site: (site.index_dir / POINTER).write_text("whoosh-gone\n"),
    "pointer names a file": lambda site: (site.index_dir / POINTER).write_text("whoosh.current"),
    "live folder emptied": lambda site: [p.unlink() for p in _live(site).iterdir()],
    "table of contents truncated": lambda site: [p.write_bytes(b"") for p in
                                                 _live(site).glob("*.toc")],
    "segment files scrambled": lambda site: _each(_live(site).glob("*.seg")),
    "every file scrambled": lambda site: _each(_live(site).iterdir()),
}


@pytest.mark.parametrize("kind", list(CORRUPTIONS))
def test_a_broken_index_gives_a_clear_page_and_build_mends_it(tmp_path, kind):
    site = copy_site(tmp_path)
    healthy = make_app(site).test_client().get("/api/search", query_string={"q": "alliance"})
    expected = healthy.get_json()["total"]
    assert expected > 0
    CORRUPTIONS[kind](site)

    app = make_app(site, AUTO_REBUILD=False)  # the site (re)started on the broken index
    client = app.test_client()
    page = client.get("/", query_string={"q": "alliance"})
    body = page.get_data(as_text=True)
    assert page.status_code == 503, body[:2000]
    assert "Search index unavailable" in body and "pprnet build" in body
    assert "Traceback" not in body and "Something went wrong" not in body
    assert str(tmp_path) not in body and "whoosh" not in body  # no paths for visitors
    api = client.get("/api/search", query_string={"q": "alliance"})
    assert api.status_code == 503
    assert "pprnet build" in api.get_json()["error"]["message"]
    assert client.get("/topics").status_code == 200  # what needs no index still works

    result = CliRunner().invoke(pprnet, ["build", "--quiet", "--corpus", str(site.corpus_dir),
                                         "--index", str(site.index_dir)])
    assert result.exit_code == 0, result.output
    mended = client.get("/api/search", query_string={"q": "alliance"})
    assert mended.status_code == 200
    assert mended.get_json()["total"] == expected
    assert client.get("/", query_string={"q": "alliance"}).status_code == 200


def test_index_removed_under_a_running_site(tmp_path):
    site = copy_site(tmp_path)
    app = make_app(site, AUTO_REBUILD=False)
    client = app.test_client()
    expected = client.get("/api/search", query_string={"q": "therapy"}).get_json()["total"]
    CORRUPTIONS["index folder removed"](site)
    # a request thread looks at the disk at most every INDEX_RECHECK_SECONDS
    time.sleep(INDEX_RECHECK_SECONDS)
    page = client.get("/", query_string={"q": "therapy", "page": 2})
    assert page.status_code == 503 and "pprnet build" in page.get_data(as_text=True)
    result = CliRunner().invoke(pprnet, ["build", "--quiet", "--corpus", str(site.corpus_dir),
                                         "--index", str(site.index_dir)])
    assert result.exit_code == 0, result.output
    assert client.get("/api/search", query_string={"q": "therapy"}).get_json()["total"] == (
        expected)
