"""A small, realistic corpus for the web tests, and a built site (corpus + index + model).

The text is plain English built from topic-specific sentences, so search, facets, "more
like this" and the topic model all have something real to work with, and the browser
screenshots look like the archive. Building is done once per test process into a
template folder; tests that write (the editor) get their own copy.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path

from explorer.corpus import load_corpus, write_summary
from explorer.records import Citation, Summary

TOPIC_SENTENCES: dict[str, tuple[list[str], list[str]]] = {
    "Alliance and Therapeutic Relationship": (
        ["Alliance ruptures and their repair", "The working alliance in brief therapy",
         "Bond, goals and tasks: the alliance revisited", "Early alliance and later outcome"],
        [
            "The working alliance between client and therapist predicted how much clients improved.",
            "Ruptures in the alliance were common, and repairing a rupture openly was linked to better outcomes.",
            "Clients rated the bond with their therapist and their agreement on goals and tasks after each session.",
            "Therapists who noticed withdrawal and confrontation ruptures could invite the client to talk about them.",
        ],
    ),
    "Depression and Depressive Symptoms": (
        ["Psychotherapy for adults with major depression", "Preventing relapse of depression",
         "Depressive symptoms in primary care", "Behavioural activation for low mood"],
        [
            "Adults with major depression received sixteen sessions and their depressive symptoms were measured weekly.",
            "Relapse of depression within two years was less frequent after psychotherapy than after medication alone.",
            "Low mood, loss of interest and hopelessness eased over the course of treatment.",
            "Behavioural activation helped depressed clients return to rewarding activities.",
        ],
    ),
    "Anxiety Disorders": (
        ["Exposure for panic and worry", "Treating generalized anxiety disorder",
         "Social anxiety in young adults"],
        [
            "Clients with panic disorder and generalized anxiety disorder practised exposure between sessions.",
            "Worry and avoidance decreased as clients faced feared situations gradually.",
            "Social anxiety improved when clients dropped their safety behaviours.",
        ],
    ),
    "Cognitive Therapy (CT) and Cognitive-Behavioural Therapy (CBT)": (
        ["Cognitive behavioural therapy compared with usual care", "CBT delivered online",
         "Homework in cognitive therapy"],
        [
            "Cognitive behavioural therapy taught clients to notice and test unhelpful thoughts.",
            "Homework completion in CBT predicted faster improvement.",
            "Cognitive restructuring and thought records were the core techniques.",
        ],
    ),
    "Empathy": (
        ["Therapist empathy and client outcome", "Is empathic accuracy enough?",
         "Feeling understood in therapy"],
        [
            "Clients who felt understood by an empathic therapist reported larger gains.",
            "Empathic accuracy, the therapist's ability to read the client's feelings, varied from session to session.",
            "Empathy was rated by clients, therapists and observers, and the client ratings predicted outcome best.",
        ],
    ),
    "Group Psychotherapy": (
        ["Cohesion in group psychotherapy", "Group therapy for eating disorders",
         "Leading process groups"],
        [
            "Group cohesion, the sense of belonging among members, predicted improvement in group therapy.",
            "Members of the group supported one another and learned from each other's experiences.",
            "Group leaders who encouraged feedback between members saw lower dropout.",
        ],
    ),
    "Feedback and Progress Monitoring": (
        ["Routine outcome monitoring in clinics", "Feedback to therapists on client progress",
         "Catching clients who are not on track"],
        [
            "Therapists received feedback from routine outcome monitoring before every session.",
            "Progress monitoring flagged clients who were not on track so that therapists could adjust treatment.",
            "Feedback reduced deterioration, especially for clients at risk of a poor outcome.",
        ],
    ),
    "Termination": (
        ["Ending therapy well", "Planned and unplanned termination",
         "How clients experience the last session"],
        [
            "A planned termination gave clients time to review their gains and plan for setbacks.",
            "Unplanned endings were frequent, and many clients left without a final session.",
            "Clients valued saying goodbye and reflecting on the therapy relationship at termination.",
        ],
    ),
    "Training": (
        ["Does training improve therapist skill?", "Deliberate practice for trainees",
         "Supervision of novice therapists"],
        [
            "Trainees who engaged in deliberate practice improved their skills in difficult conversations.",
            "Supervision and training workshops changed what therapists did in session.",
            "Graduate students rehearsed responses to recorded client statements.",
        ],
    ),
}
# Every other summary gets a second topic, from plausible partners of its first.
PARTNERS: dict[str, list[str]] = {
    "Alliance and Therapeutic Relationship": [
        "Empathy", "Cognitive Therapy (CT) and Cognitive-Behavioural Therapy (CBT)", "Empathy",
        "Termination",
    ],
    "Depression and Depressive Symptoms": [
        "Cognitive Therapy (CT) and Cognitive-Behavioural Therapy (CBT)", "Anxiety Disorders",
    ],
    "Anxiety Disorders": ["Cognitive Therapy (CT) and Cognitive-Behavioural Therapy (CBT)"],
    "Cognitive Therapy (CT) and Cognitive-Behavioural Therapy (CBT)": [
        "Depression and Depressive Symptoms", "Anxiety Disorders",
    ],
    "Empathy": ["Alliance and Therapeutic Relationship", "Training"],
    "Group Psychotherapy": ["Termination", "Alliance and Therapeutic Relationship"],
    "Feedback and Progress Monitoring": ["Training", "Depression and Depressive Symptoms"],
    "Termination": ["Alliance and Therapeutic Relationship", "Group Psychotherapy"],
    "Training": ["Feedback and Progress Monitoring", "Empathy"],
}
TYPES = {
    "Meta-analysis": "A meta-analysis pooled the effect sizes of many studies.",
    "Randomized controlled trial": "Participants were randomly allocated in a randomized controlled trial.",
    "Naturalistic, observational or qualitative study": "The naturalistic study followed clients seen in routine practice.",
    "Review, chapter or commentary": "This review summarised what is known and what is not.",
}
IMPLICATIONS = [
    "Therapists can use these findings to talk with clients about what to expect.",
    "Clinicians may want to ask about this directly and revisit it over the course of therapy.",
    "The results support paying attention to this early in treatment.",
]
SURNAMES = ["Smith", "Nguyen", "García", "Okafor", "Müller", "Kowalski", "Haddad", "Lindqvist",
            "Tanaka", "O'Brien", "Rossi", "Dubois"]
JOURNALS = ["Psychotherapy Research", "Journal of Counseling Psychology", "Psychotherapy",
            "Journal of Consulting and Clinical Psychology", "Clinical Psychology Review"]
SCRIPT_TITLE = "A <script>alert(1)</script> test of escaping"


def make_summaries(n: int = 40, seed: int = 7) -> list[Summary]:
    """``n`` summaries over 2015-2024, each with one or two topics from TOPIC_SENTENCES."""
    rng = random.Random(seed)
    topics = list(TOPIC_SENTENCES)
    types = list(TYPES)
    summaries = []
    for i in range(n):
        main = topics[i % len(topics)]
        chosen = [main]
        if i % 2 == 0:
            partners = PARTNERS[main]
            chosen.append(partners[(i // len(topics)) % len(partners)])
        titles, sentences = TOPIC_SENTENCES[main]
        title = f"{titles[i // len(topics) % len(titles)]} ({i + 1})"
        body_parts = []
        for topic in chosen:
            body_parts.extend(rng.sample(TOPIC_SENTENCES[topic][1], 2))
        rtype = types[i % len(types)]
        body_parts.append(TYPES[rtype])
        body = " ".join(body_parts[:3]) + "\n\n" + " ".join(body_parts[3:])
        year = 2015 + (i * 7) % 10
        month = 1 + (i * 5) % 12
        authors = [f"{rng.choice(SURNAMES)}, {chr(65 + rng.randrange(26))}."
                   for _ in range(1 + i % 4)]
        summaries.append(
            Summary(
                id=f"{year}-{month:02d}-web-test-{i + 1:02d}",
                published=f"{year}-{month:02d}",
                title=title,
                body=body.strip(),
                implications=rng.choice(IMPLICATIONS),
                citation=Citation(
                    authors=authors,
                    year=str(year - 1),
                    title=f"{title.split(' (')[0]}: a study",
                    journal=JOURNALS[i % len(JOURNALS)],
                    volume=str(40 + i % 20),
                    issue=str(1 + i % 4),
                    pages=f"{100 + i}–{110 + i}",
                    doi=f"10.1000/webtest.{i + 1}",
                ),
                topics=chosen,
                research_type=rtype,
            )
        )
    # One summary whose text tries to inject markup: it must come out inert everywhere.
    summaries[0].title = SCRIPT_TITLE
    summaries[0].body += "\n\nA client wrote <img src=x onerror=alert(2)> in the alliance diary."
    return summaries


def write_corpus(folder: Path, summaries: list[Summary]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for summary in summaries:
        write_summary(summary, folder)


def build_site(corpus_dir: Path, index_dir: Path) -> None:
    """Index the corpus and train the topic model, as ``pprnet build`` does."""
    from explorer.commands.web_commands import prepare_index

    prepare_index(corpus_dir, index_dir, force=True)


@dataclass(frozen=True)
class Site:
    corpus_dir: Path
    index_dir: Path

    def summaries(self) -> list[Summary]:
        return load_corpus(self.corpus_dir).summaries


@functools.cache
def template_site() -> Site:
    """Built once per test process; read-only for tests (copy it before writing)."""
    root = Path(tempfile.mkdtemp(prefix="pprnet-web-"))
    atexit.register(shutil.rmtree, root, True)
    site = Site(root / "corpus", root / "index")
    write_corpus(site.corpus_dir, make_summaries())
    build_site(site.corpus_dir, site.index_dir)
    return site


def copy_site(dest: Path) -> Site:
    """A private, writable copy of the template site."""
    source = template_site()
    site = Site(dest / "corpus", dest / "index")
    shutil.copytree(source.corpus_dir, site.corpus_dir)
    shutil.copytree(source.index_dir, site.index_dir, ignore=shutil.ignore_patterns("*.lock"))
    return site


def make_app(site: Site, **config):  # type: ignore[no-untyped-def]
    from explorer.web import create_app

    settings = {
        "CORPUS_DIR": site.corpus_dir,
        "INDEX_DIR": site.index_dir,
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "TESTING": True,
        "MODEL_RETRAIN_DELAY": None,  # tests of background retraining turn it on
    }
    settings.update(config)
    return create_app(settings)


def form_fields(html: str) -> list[tuple[str, str]]:
    """What a browser would submit from the editor form (inputs, ticked boxes, textareas)."""
    form = re.search(r'<form method="post" action="/editor/draft".*?</form>', html, re.S).group(0)
    fields = []
    for tag in re.findall(r"<input\b[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name:
            continue
        if re.search(r'type="(checkbox|radio)"', tag) and " checked" not in tag:
            continue
        fields.append((name.group(1), unescape(value.group(1)) if value else ""))
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form,
                                  re.S):
        fields.append((name, unescape(value)))
    return fields


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve_site(site: Site, env: dict[str, str], *args: str, command: list[str] | None = None,
               cwd: Path | None = None) -> Iterator[int]:
    """A real ``pprnet serve`` on a free loopback port; yields the port once /healthz answers.

    The server sees no PPRNET_* variable of the test run's own, only those in ``env``.
    ``command`` replaces ``python -m explorer.cli`` (an installed ``pprnet``, say) and
    ``cwd`` the checkout as the folder it runs in.
    """
    import pytest

    port = free_port()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("PPRNET_")}
    full_env.update({"PYTHONUNBUFFERED": "1", **env})
    log = open(site.index_dir.parent / f"server-{port}.log", "w+", encoding="utf-8")  # noqa: SIM115
    proc = subprocess.Popen(
        [*(command or [sys.executable, "-m", "explorer.cli"]), "serve", "--host", "127.0.0.1",
         "--port", str(port), "--corpus", str(site.corpus_dir), "--index", str(site.index_dir),
         *args],
        env=full_env, stdout=log, stderr=subprocess.STDOUT, cwd=cwd or Path(__file__).parent.parent,
        start_new_session=True,  # its own process group: its workers are stopped with it
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"pprnet serve exited with {proc.returncode}:\n{log.read()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"pprnet serve did not answer within 90 s:\n{log.read()}")
            time.sleep(0.2)
        yield port
    finally:
        stop_server(proc)
        log.close()


def stop_server(proc: subprocess.Popen, timeout: float = 10) -> None:
    """Stop a ``pprnet serve`` started with ``start_new_session=True``: SIGTERM, then
    SIGKILL after ``timeout``. A server killed before its workers stopped (a slow, loaded
    machine) would leave them running without a parent; they are in its process group,
    so they end there too."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def token_of(html: str) -> str:
    """The CSRF token of a page's form."""
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in_as_editor(client, password: str) -> str:  # type: ignore[no-untyped-def]
    """Sign ``client`` in to the editor; returns the signed-in session's CSRF token."""
    token = token_of(client.get("/editor").get_data(as_text=True))
    response = client.post("/editor/login", data={"password": password, "csrf_token": token})
    assert response.status_code == 302, response.status_code
    return token_of(client.get("/editor").get_data(as_text=True))
