"""Take the README's screenshots of the explorer on the bundled corpus into ``docs/``.

    scripts/screenshots            # or: .venv/bin/python scripts/screenshots.py [--out docs]

Runs a real ``pprnet serve`` on a copy of ``corpus/`` (the browser tests' `serve_site`
helper, editor on) and drives Debian's Chromium with Playwright through four views: search
with its facets, a summary, the topics explorer and the editor's suggestions. Each view is
one viewport-sized PNG; when ``pngquant`` is installed the PNGs are also quantised, and
the script fails if any is 150 KB or more, so the README stays light.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.conftest import CHROMIUM  # noqa: E402
from tests.web_helpers import Site, build_site, serve_site  # noqa: E402

MAX_BYTES = 150_000
VIEWPORT = {"width": 1280, "height": 1000}
SCALE = 0.75  # a wide page at three quarters: the facets fit, the file stays small
PASSWORD = "screenshots only"
DRAFT_TITLE = "Naming ruptures helps repair the alliance"
DRAFT_BODY = (
    "Ruptures in the working alliance between client and therapist were common. When "
    "therapists named the rupture and invited the client to talk about it, the alliance was "
    "repaired and clients improved more. Clients rated the bond with their therapist after "
    "each session, and sessions with a repaired rupture were followed by larger gains."
)


def shoot(base: str, out: Path, summary_id: str) -> list[Path]:
    """The four views, as PNG files in ``out``."""
    from playwright.sync_api import sync_playwright

    shots = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_context(viewport=VIEWPORT, device_scale_factor=SCALE).new_page()

        def save(name: str) -> None:
            path = out / f"{name}.png"
            page.screenshot(path=path)
            shots.append(path)

        page.goto(f"{base}/?q=alliance+rupture&source=blog-post")
        save("search")
        page.goto(f"{base}/summary/{summary_id}")
        save("summary")
        page.goto(f"{base}/topics")
        save("topics")
        page.goto(f"{base}/editor")
        page.get_by_label("Editor password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector("#title")
        page.get_by_label("Title", exact=True).fill(DRAFT_TITLE)
        page.get_by_label("Published (month)").fill("2025-03")
        page.get_by_label("Summary", exact=True).fill(DRAFT_BODY)
        page.get_by_role("button", name="Suggest tags").click()
        page.wait_for_selector(".suggest-list")
        page.locator(".suggest-list").first.scroll_into_view_if_needed()
        page.evaluate("document.querySelector('.suggest-list').closest('fieldset, section')"
                      ".scrollIntoView({block: 'start'})")
        save("editor")
        browser.close()
    return shots


def compress(paths: list[Path]) -> None:
    """Quantise with pngquant when it is installed (it keeps text crisp at 256 colours)."""
    tool = shutil.which("pngquant")
    if tool is None:
        print("pngquant not installed: PNGs kept as Chromium wrote them", file=sys.stderr)
        return
    for path in paths:
        subprocess.run([tool, "--force", "--skip-if-larger", "--strip", "--quality", "60-90",
                        "--output", str(path), str(path)], check=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    from explorer.corpus import load_corpus

    with tempfile.TemporaryDirectory(prefix="pprnet-shots-") as tmp:
        site = Site(Path(tmp) / "corpus", Path(tmp) / "index")
        shutil.copytree(REPO / "corpus", site.corpus_dir)
        build_site(site.corpus_dir, site.index_dir)
        posts = [s for s in load_corpus(site.corpus_dir).summaries if s.published]
        summary = max(posts, key=lambda s: (s.published, s.id))  # the newest blog post
        env = {"PPRNET_EDITOR_PASSWORD": PASSWORD, "PPRNET_SECRET_KEY": "shots-" + "k" * 32}
        with serve_site(site, env) as port:
            shots = shoot(f"http://127.0.0.1:{port}", args.out, summary.id)
    compress(shots)
    too_big = [p for p in shots if p.stat().st_size >= MAX_BYTES]
    for path in shots:
        print(f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path}  "
              f"{path.stat().st_size / 1000:.0f} KB")
    if too_big:
        print(f"over {MAX_BYTES // 1000} KB: {', '.join(p.name for p in too_big)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
