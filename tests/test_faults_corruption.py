"""Damaged files in ``index/``: every kind of file × every kind of damage.

For each cell the site, (re)started on the damaged folder, answers 503 (a calm sentence,
no paths) or exactly the answers of the undamaged site: never an empty or different
answer. Then ``pprnet build`` restores it without a restart of the site. A few
representative cells instead wait for the site's own background rebuild, and two run a
real ``pprnet serve`` on a damaged folder (the two cases of issue #16). The command line
gets one line naming ``pprnet build``, never a traceback.

Cost: the fixture site is built once per process (`template_site`); each cell copies it
(a few MB) and uses Flask's test client.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from explorer.cli import main as pprnet
from explorer.search.store import POINTER, current_dir
from tests.web_helpers import Site, copy_site, make_app, serve_site, template_site

TOKEN = "corruption-matrix-token-0123456789"
QUERIES = ["alliance", "therapy -group", "topic:Empathy", '"working alliance"']
DRAFT = {"title": "Repairing alliance ruptures",
         "text": "The working alliance between client and therapist predicted outcome. "
                 "Ruptures were repaired by talking about them openly."}
REPO = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- the matrix


def _live(site: Site) -> Path:
    return current_dir(site.index_dir)


def _one(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    assert found, f"no {pattern} in {folder}: the index layout changed, update this test"
    return found[0]


# file kind -> (which part it belongs to, where it is)
KINDS: dict[str, tuple[str, Callable[[Site], Path]]] = {
    "segment": ("index", lambda s: _one(_live(s), "*.seg")),
    "table of contents": ("index", lambda s: _one(_live(s), "*.toc")),
    "pointer": ("index", lambda s: s.index_dir / POINTER),
    "postings arrays": ("index", lambda s: _one(_live(s), "*.postings.npz")),
    "taxonomy": ("index", lambda s: _live(s) / "taxonomy.json"),
    "index manifest": ("index", lambda s: _live(s) / "MANIFEST.json"),
    "model arrays": ("model", lambda s: s.index_dir / "model" / "arrays.npz"),
    "model data": ("model", lambda s: s.index_dir / "model" / "data.json"),
    "model metadata": ("model", lambda s: s.index_dir / "model" / "meta.json"),
    "model manifest": ("model", lambda s: s.index_dir / "model" / "MANIFEST.json"),
}


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _garble(path: Path) -> None:
    """Flip the bits of up to 4 KB in the middle: same size, different bytes."""
    data = bytearray(path.read_bytes())
    width = max(1, min(4096, len(data) // 3))
    start = (len(data) - width) // 2
    for i in range(start, start + width):
        data[i] ^= 0xA5
    path.write_bytes(bytes(data))


DAMAGES: dict[str, Callable[[Path], None]] = {
    "truncate": _truncate,
    "garble the middle": _garble,
    "zero-length": lambda path: path.write_bytes(b""),
    "delete": lambda path: path.unlink(),
}


def _answers(client) -> dict:  # type: ignore[no-untyped-def]
    """{what: (status, JSON)} for the searches and a suggestion."""
    out = {}
    for q in QUERIES:
        r = client.get("/api/search", query_string={"q": q})
        out[q] = (r.status_code, r.get_json())
    r = client.post("/api/suggest", json=DRAFT, headers={"Authorization": f"Bearer {TOKEN}"})
    body = r.get_json()
    if isinstance(body, dict) and isinstance(body.get("trained_on"), dict):
        body["trained_on"].pop("date", None)  # a retrained model is newer, not different
    out["suggest"] = (r.status_code, body)
    return out


_REFERENCE: dict = {}


def reference() -> dict:
    """The undamaged site's answers (the template site is never written to)."""
    if not _REFERENCE:
        _REFERENCE.update(_answers(make_app(template_site(), API_TOKEN=TOKEN).test_client()))
        assert all(status == 200 for status, _ in _REFERENCE.values()), _REFERENCE
        assert all(body["total"] > 0 for q, (_, body) in _REFERENCE.items() if q != "suggest")
    return _REFERENCE


def assert_503_or_correct(client, site: Site, part: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Every answer is the undamaged one or a calm 503; returns what answered 503."""
    expected = reference()
    refused = []
    for what, (status, body) in _answers(client).items():
        touched = (what == "suggest") == (part == "model")
        if status == 503 and touched:
            message = body["error"]["message"]
            assert "pprnet build" in message, message
            assert str(site.index_dir.parent) not in message and "/" not in message, message
            refused.append(what)
        else:
            assert (status, body) == expected[what], (what, status, body)
    page = client.get("/", query_string={"q": "alliance"})
    html = page.get_data(as_text=True)
    if page.status_code == 503:
        assert part == "index" and "pprnet build" in html, html[:2000]
        assert str(site.index_dir.parent) not in html and "Traceback" not in html
    else:
        assert page.status_code == 200
    return refused


@pytest.mark.parametrize("damage", list(DAMAGES))
@pytest.mark.parametrize("kind", list(KINDS))
def test_damaged_file_gives_503_or_correct_answers_and_build_restores(tmp_path, kind, damage):
    site = copy_site(tmp_path)
    part, where = KINDS[kind]
    DAMAGES[damage](where(site))

    app = make_app(site, API_TOKEN=TOKEN, AUTO_REBUILD=False)  # restarted on the damage
    client = app.test_client()
    refused = assert_503_or_correct(client, site, part)
    assert refused, f"{kind} / {damage} went unnoticed"  # every cell here is detected

    args = ["build", "--quiet", "--corpus", str(site.corpus_dir), "--index", str(site.index_dir)]
    result = CliRunner().invoke(pprnet, [*args, "--no-model" if part == "index" else "--no-index"])
    assert result.exit_code == 0, result.output
    assert _answers(client) == reference()  # the same site, without a restart


# --------------------------------------------------------------------------- healing itself


def wait_for_heal(client, timeout: float = 120.0) -> dict:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        answers = _answers(client)
        if all(status == 200 for status, _ in answers.values()):
            return answers
        assert time.monotonic() < deadline, f"not healed in {timeout:.0f} s: {answers}"
        time.sleep(0.5)


@pytest.mark.parametrize("kind, damage", [
    ("segment", "garble the middle"),  # silent before: the same hits from a garbled segment
    ("pointer", "delete"),
    ("model arrays", "truncate"),
    ("taxonomy", "garble the middle"),  # silently replaced by the bundled one before
])
def test_the_site_rebuilds_in_the_background_and_serves_again(tmp_path, kind, damage):
    site = copy_site(tmp_path)
    part, where = KINDS[kind]
    DAMAGES[damage](where(site))
    app = make_app(site, API_TOKEN=TOKEN)  # AUTO_REBUILD on, as `pprnet serve` runs it
    client = app.test_client()
    assert assert_503_or_correct(client, site, part)  # the first request starts the rebuild
    assert wait_for_heal(client) == reference()
    healer = app.extensions["pprnet"].healer
    deadline = time.monotonic() + 60
    while healer.running:  # the child swaps its work in a moment before it exits
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert healer.runs >= 1  # healed by the site's own rebuild, nobody else's


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.mark.parametrize("kind, damage", [("postings arrays", "truncate"),
                                          ("model arrays", "truncate")])
def test_pprnet_serve_on_a_damaged_folder_starts_and_heals(tmp_path, kind, damage):
    """Issue #16's two cases: a truncated postings file (empty answers before) and a
    truncated model (serve exited with a traceback before)."""
    site = copy_site(tmp_path)
    _, where = KINDS[kind]
    DAMAGES[damage](where(site))
    expected = reference()["alliance"][1]
    with serve_site(site, {"PPRNET_API_TOKEN": TOKEN}) as port:
        url = f"http://127.0.0.1:{port}/api/search?q=alliance"
        deadline = time.monotonic() + 120
        while True:
            status, body = _get(url)
            assert status in (200, 503), (status, body)
            if status == 200:
                assert body == expected
                if kind == "postings arrays":
                    break
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/api/suggest", data=json.dumps(DRAFT).encode(),
                    headers={"Authorization": f"Bearer {TOKEN}",
                             "Content-Type": "application/json"})
                try:
                    with urllib.request.urlopen(request, timeout=10) as r:
                        healed = json.loads(r.read())
                        healed["trained_on"].pop("date", None)  # retrained: newer, same model
                        assert healed == reference()["suggest"][1]
                        break
                except urllib.error.HTTPError as exc:
                    assert exc.code == 503
            else:
                assert "pprnet build" in body["error"]["message"]
            assert time.monotonic() < deadline, "pprnet serve never healed"
            time.sleep(0.5)
    log = next(site.index_dir.parent.glob("server-*.log")).read_text()
    assert "Traceback" not in log, log[-3000:]
    assert "damaged" in log  # the details are in the log


# --------------------------------------------------------------------------- command line


@pytest.mark.parametrize("kind", ["postings arrays", "model arrays"])
def test_the_command_line_says_damaged_in_one_line(tmp_path, kind):
    site = copy_site(tmp_path)
    part, where = KINDS[kind]
    _garble(where(site))
    base = ["--corpus", str(site.corpus_dir), "--index", str(site.index_dir)]
    if part == "index":
        args = [sys.executable, "-m", "explorer.cli", "search", "alliance", *base]
        stdin = None
    else:
        args = [sys.executable, "-m", "explorer.cli", "suggest", "-", *base]
        stdin = "# Repairing alliance ruptures\n\nThe working alliance predicted outcome.\n"
    proc = subprocess.run(args, input=stdin, capture_output=True, text=True, timeout=120,
                          cwd=REPO, check=False)
    assert proc.returncode != 0
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    what = "search index" if part == "index" else "topic model"
    assert what in lines[0] and "is damaged" in lines[0] and "run `pprnet build`" in lines[0]
    assert "Traceback" not in proc.stderr
