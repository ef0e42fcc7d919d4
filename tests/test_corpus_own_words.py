"""Our own words: no summary repeats a run of six words of its study's abstract.

`tests/data/abstract_shingles.json` holds, for every summary whose abstract was found, the
hashed 6-word shingles of that abstract (``../shared/tools/overlap.py shingles``: the first
12 hex digits of SHA-1 of six lowercased, accent-folded words joined by spaces). Hashes
only: the abstracts themselves are not ours and are not in the repository. Summaries
whose abstract could not be checked are listed with the reason. A new summary must be
added to one of the two, so the guard cannot silently skip it.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from pathlib import Path

import pytest

from explorer.corpus import load_corpus

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data" / "abstract_shingles.json"
N = 6


def words(text: str) -> list[str]:
    """The same normalisation as overlap.py: accents folded, lowercased, letters/digits."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.findall(r"[a-z0-9]+", text)


def prose(path: Path) -> str:
    """A corpus file's text after its front matter (what overlap.py compares)."""
    text = path.read_text(encoding="utf-8")
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end != -1:
            return text[end + 4 :]
    return text


def shingle(ws: list[str]) -> str:
    return hashlib.sha1(" ".join(ws).encode()).hexdigest()[:12]


def repeated_runs(ws: list[str], hashes: set[str]) -> list[str]:
    """The runs of the summary whose every 6-word window is one of the abstract's."""
    runs: list[str] = []
    i = 0
    while i <= len(ws) - N:
        if shingle(ws[i : i + N]) in hashes:
            j = i + 1
            while j <= len(ws) - N and shingle(ws[j : j + N]) in hashes:
                j += 1
            runs.append(" ".join(ws[i : j + N - 1]))
            i = j
        else:
            i += 1
    return runs


@pytest.fixture(scope="module")
def data() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(REPO / "corpus").summaries


def test_every_summary_is_checked_or_says_why_not(data, corpus):
    checked, unchecked = set(data["checked"]), set(data["unchecked"])
    assert not checked & unchecked
    ids = {s.id for s in corpus}
    assert ids - checked - unchecked == set(), "summaries missing from the own-words guard"
    assert (checked | unchecked) - ids == set(), "guard entries for summaries that are gone"
    assert all(isinstance(why, str) and len(why) > 10 for why in data["unchecked"].values())
    assert all(entry["hashes"] for entry in data["checked"].values())


def test_no_summary_repeats_six_words_of_its_abstract(data, corpus):
    problems = []
    for summary in corpus:
        entry = data["checked"].get(summary.id)
        if entry is None:
            continue
        runs = repeated_runs(words(prose(Path(summary.path))), set(entry["hashes"]))
        problems += [f"{summary.id}: {run!r}" for run in runs]
    assert not problems, "summaries repeat their abstract:\n" + "\n".join(problems)


def test_the_guard_catches_a_copied_run(data, corpus):
    """The check itself: a sentence made of an abstract's shingle is found (via the hash)."""
    ws = words("the working alliance predicted how much clients improved across sessions")
    hashes = {shingle(ws[i : i + N]) for i in range(len(ws) - N + 1)}
    text = "In short, the working alliance predicted how much clients improved, they say."
    assert repeated_runs(words(text), hashes) == [
        "the working alliance predicted how much clients improved"]
    assert repeated_runs(words("A wholly different sentence of our own making here."), hashes) == []
