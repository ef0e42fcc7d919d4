"""The wheel works on its own: built, installed into a fresh venv, run from another folder.

Only an editable install used to work (templates and the taxonomy were read from the
checkout). This test builds the wheel as `pip install .` would, installs it into a new
venv, and from a temporary folder runs `pprnet check`, `dump`, `build` and `serve` on a
copy of part of the bundled corpus that has no taxonomy.yaml (so the packaged default
taxonomy is used), then fetches every kind of page over HTTP.

The fresh venv gets the project's dependencies (Flask, NLTK, scikit-learn, ...) through a
.pth line naming this venv's site-packages: installing them again would take minutes and
the network. Nothing of the checkout can leak in that way: a directory added by a .pth
line does not have its own .pth files run, so the editable install's path entry stays
out, the wheel installs into the fresh venv's own site-packages (which comes first), and
the test asserts where ``explorer`` is imported from. Slow-ish (about 30 s), kept in CI.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import BUNDLED_CORPUS, REPO
from tests.web_helpers import Site, serve_site

pytestmark = pytest.mark.slow

PASSWORD = "wheel-test-password"
TOKEN = "wheel-test-token-" + "t" * 24
CORPUS_FILES = 40  # enough to train the model and fill the pages, few enough to be quick
SOURCE_PARTS = ("pyproject.toml", "README.md", "explorer", "templates")


@dataclass(frozen=True)
class Installed:
    venv: Path
    workdir: Path  # the "other folder" every command runs in

    def bin(self, name: str) -> Path:
        return self.venv / "bin" / name

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([str(self.bin("pprnet")), *args], cwd=self.workdir,
                              env=clean_env(), capture_output=True, text=True, timeout=300)
        if check and done.returncode != 0:
            pytest.fail(f"pprnet {' '.join(args)} exited {done.returncode}:\n{done.stderr}")
        return done


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without anything that points into the checkout or its venv."""
    drop = ("PPRNET_", "PYTHON", "VIRTUAL_ENV", "PIP_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.update({"PYTHONUNBUFFERED": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1", **extra})
    return env


def run(argv: list[str], cwd: Path) -> None:
    done = subprocess.run(argv, cwd=cwd, env=clean_env(), capture_output=True, text=True,
                          timeout=600)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(argv)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")


def copy_source(dest: Path) -> Path:
    """What a wheel is built from, copied so the build leaves nothing in the checkout and
    no stale ``build/`` folder of earlier builds can slip files into the wheel."""
    dest.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for part in SOURCE_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, dest / part, symlinks=True, ignore=ignore)
        else:
            shutil.copy2(source, dest / part)
    return dest


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("wheel")
    source = copy_source(root / "src")
    wheels = root / "wheels"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", str(source),
         "-w", str(wheels)], cwd=root)
    wheel = next(wheels.glob("pprnet_explorer-*.whl"))
    venv = root / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=root)
    fresh_site = Path(subprocess.check_output(
        [str(venv / "bin" / "python"), "-c",
         "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True).strip())
    (fresh_site / "_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # --ignore-installed: pip must not try to uninstall the editable install it can see.
    run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
         "--quiet", "--no-deps", "--no-index", "--ignore-installed", str(wheel)], cwd=root)
    workdir = root / "elsewhere"
    corpus = workdir / "corpus"
    corpus.mkdir(parents=True)
    for path in sorted(BUNDLED_CORPUS.glob("*.md"))[:CORPUS_FILES]:
        shutil.copy2(path, corpus / path.name)
    return Installed(venv, workdir)


def test_the_wheel_carries_templates_static_files_and_default_taxonomy(
    installed: Installed,
) -> None:
    probe = (
        "import explorer, explorer.packaged as p, json; "
        "print(json.dumps([explorer.__file__, str(p.templates_dir()), str(p.static_dir()), "
        "str(p.default_taxonomy()), sorted(str(x.relative_to(p.templates_dir())) "
        "for x in p.templates_dir().rglob('*') if x.is_file())]))"
    )
    out = subprocess.check_output([str(installed.bin("python")), "-c", probe],
                                  cwd=installed.workdir, env=clean_env(), text=True)
    module, templates, static, taxonomy, names = json.loads(out)
    for path in (module, templates, static, taxonomy):
        assert Path(path).resolve().is_relative_to(installed.venv.resolve()), path
        assert not Path(path).resolve().is_relative_to(REPO.resolve()), path
    shipped = REPO / "templates"
    assert names == sorted(str(p.relative_to(shipped)) for p in shipped.rglob("*") if p.is_file())
    assert "base.html" in names


def test_version_check_and_dump_run_from_another_folder(installed: Installed) -> None:
    assert "pprnet, version" in installed.run("--version").stdout
    check = installed.run("check", "--corpus", "corpus")
    assert f"{CORPUS_FILES} summaries" in check.stdout
    assert "0 error(s)" in check.stderr
    rows = [json.loads(line) for line in installed.run("dump", "--corpus", "corpus")
            .stdout.splitlines()]
    assert len(rows) == CORPUS_FILES


@pytest.fixture(scope="module")
def server(installed: Installed) -> Iterator[str]:
    installed.run("build", "--corpus", "corpus", "--index", "index", "--quiet")
    site = Site(installed.workdir / "corpus", installed.workdir / "index")
    env = {"PPRNET_EDITOR_PASSWORD": PASSWORD, "PPRNET_API_TOKEN": TOKEN, "PYTHONPATH": ""}
    with serve_site(site, env, "--threads", "2", command=[str(installed.bin("pprnet"))],
                    cwd=installed.workdir) as port:
        yield f"http://127.0.0.1:{port}"


def fetch(opener: urllib.request.OpenerDirector, url: str, data: bytes | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Status, content type and body; error statuses are answers too."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with opener.open(request, timeout=30) as response:
            return (response.status, response.headers.get("Content-Type", ""),
                    response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read().decode("utf-8")


def test_every_page_kind_is_served_by_the_installed_wheel(installed: Installed,
                                                          server: str) -> None:
    from explorer.exports import FORMATS

    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    rows = [json.loads(line) for line in installed.run("dump", "--corpus", "corpus")
            .stdout.splitlines()]
    first, second = rows[0]["id"], rows[1]["id"]
    status, _, body = fetch(opener, f"{server}/api/topics")
    assert status == 200
    topic = next(t for t in json.loads(body)["topics"] if t["count"])
    word = re.findall(r"[a-z]{6,}", rows[0]["title"].lower())[0]
    ids = f"{first},{second}"

    html_pages = [
        "/", f"/?q={word}", "/topics", f"/topics/{topic['slug']}", f"/summary/{first}",
        f"/list?ids={ids}", "/editor",
    ]
    for path in html_pages:
        status, kind, body = fetch(opener, server + path)
        assert (status, kind.split(";")[0]) == (200, "text/html"), path
        assert "</html>" in body and "PPRNet" in body, path
    status, _, body = fetch(opener, f"{server}/no-such-page")
    assert status == 404 and "There is no page at this address." in body

    for path, kind in [
        (f"/api/search?q={word}", "application/json"),
        (f"/api/summaries/{first}", "application/json"),
        (f"/api/topics/{topic['slug']}", "application/json"),
        (f"/api/list?ids={ids}", "application/json"),
        ("/api/openapi.json", "application/json"),
        (f"/feed.atom?q={word}", "application/atom+xml"),
        ("/static/site.css", "text/css"),
        ("/static/site.js", "text/javascript"),
    ]:
        status, got, body = fetch(opener, server + path)
        assert (status, got.split(";")[0]) == (200, kind), path
        assert body.strip(), path
    assert json.loads(fetch(opener, f"{server}/api/search?q={word}")[2])["total"] >= 1

    for fmt in FORMATS:
        for path in (f"/export.{fmt}?q={word}", f"/summary/{first}/export.{fmt}",
                     f"/list/export.{fmt}?ids={ids}"):
            status, _, body = fetch(opener, server + path)
            assert status == 200 and body.strip(), path

    # The topic model, trained by the installed build, answers through the API.
    status, _, body = fetch(
        opener, f"{server}/api/suggest",
        data=json.dumps({"title": rows[0]["title"], "text": rows[0]["body"]}).encode(),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    assert status == 200, body
    assert json.loads(body)["topics"]

    # The editor's own pages: sign in with the form's CSRF token, then open the editor.
    _, _, login = fetch(opener, f"{server}/editor")
    token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "password": PASSWORD}).encode()
    status, _, body = fetch(opener, f"{server}/editor/login", data=form)
    assert status == 200 and 'action="/editor/draft"' in body
    status, _, body = fetch(opener, f"{server}/editor/edit/{first}")
    assert status == 200 and 'action="/editor/draft"' in body


def test_default_taxonomy_is_the_bundled_corpus_taxonomy() -> None:
    """A folder without taxonomy.yaml reads as it always has: with the blog's own list."""
    from explorer.corpus import load_taxonomy

    assert load_taxonomy(BUNDLED_CORPUS / "no-such-folder") == load_taxonomy(BUNDLED_CORPUS)
