"""``pprnet serve``: builds the index when missing or stale, then hands the app to waitress."""

from __future__ import annotations

import os
import re
import shutil
import socket
import time

import pytest
from click.testing import CliRunner

from explorer import builder
from explorer.cli import main as cli
from explorer.corpus import write_summary
from explorer.search.store import current_dir
from explorer.web import server
from tests.web_helpers import copy_site, make_summaries, write_corpus


class FakeServer:
    """What `waitress.create_server` returns, minus the listening: `run` returns at once."""

    def __init__(self, port: int) -> None:
        self.effective_port = port

    def run(self) -> None:
        return None


@pytest.fixture()
def fake_waitress(monkeypatch):
    calls = []
    import waitress

    def create_server(app, **kw):  # type: ignore[no-untyped-def]
        calls.append((app, kw))
        return FakeServer(kw["port"])

    monkeypatch.setattr(waitress, "create_server", create_server)
    monkeypatch.setattr(server, "granian_usable", lambda: False)  # waitress at any --workers
    return calls


def touch_later(path, seconds: float = 5.0) -> None:
    future = time.time() + seconds
    os.utime(path, (future, future))


def test_fresh_index_is_not_stale(tmp_path):
    site = copy_site(tmp_path)
    assert builder.index_staleness(site.corpus_dir, site.index_dir) is None


def test_missing_index_is_stale(tmp_path):
    write_corpus(tmp_path / "corpus", make_summaries(5))
    reason = builder.index_staleness(tmp_path / "corpus", tmp_path / "index")
    assert reason and "no search index" in reason


def test_changed_corpus_makes_index_stale(tmp_path):
    site = copy_site(tmp_path)
    touch_later(next(site.corpus_dir.glob("*.md")))
    reason = builder.index_staleness(site.corpus_dir, site.index_dir)
    assert reason and "corpus changed" in reason


def test_serve_builds_missing_index_and_model_then_serves(tmp_path, fake_waitress):
    write_corpus(tmp_path / "corpus", make_summaries(12))
    result = CliRunner().invoke(cli, ["serve", "--corpus", str(tmp_path / "corpus"),
                                      "--index", str(tmp_path / "index"), "--port", "8123",
                                      "--host", "127.0.0.1"])
    assert result.exit_code == 0, result.output
    assert current_dir(tmp_path / "index").is_dir()
    assert (tmp_path / "index" / "model").is_dir()
    ((app, kwargs),) = fake_waitress
    assert kwargs["host"] == "127.0.0.1" and kwargs["port"] == 8123
    assert kwargs["threads"] == 8
    assert app.debug is False
    assert "http://127.0.0.1:8123/" in result.output
    response = app.test_client().get("/?q=alliance")
    assert response.status_code == 200


def test_serve_reuses_a_fresh_index(tmp_path, fake_waitress):
    site = copy_site(tmp_path)
    before = current_dir(site.index_dir)
    result = CliRunner().invoke(cli, ["serve", "--corpus", str(site.corpus_dir),
                                      "--index", str(site.index_dir)])
    assert result.exit_code == 0, result.output
    assert current_dir(site.index_dir) == before
    assert "Building" not in result.output


def test_serve_rebuilds_a_stale_index(tmp_path, fake_waitress):
    site = copy_site(tmp_path)
    before = current_dir(site.index_dir)
    extra = make_summaries(41)[40]
    write_summary(extra, site.corpus_dir)
    touch_later(site.corpus_dir / f"{extra.id}.md")
    result = CliRunner().invoke(cli, ["serve", "--corpus", str(site.corpus_dir),
                                      "--index", str(site.index_dir)])
    assert result.exit_code == 0, result.output
    assert current_dir(site.index_dir) != before
    ((app, _),) = fake_waitress
    found = app.test_client().get(f"/api/summaries/{extra.id}")
    assert found.status_code == 200


def test_serve_with_broken_corpus_and_no_index_fails_clearly(tmp_path, fake_waitress):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, make_summaries(3))
    (corpus / "broken.md").write_text("---\nid: [unclosed\n---\nbody\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["serve", "--corpus", str(corpus),
                                      "--index", str(tmp_path / "index")])
    assert result.exit_code == 1
    assert "cannot build the index" in result.output
    assert "Traceback" not in result.output
    assert not fake_waitress


def test_serve_with_broken_corpus_keeps_serving_the_old_index(tmp_path, fake_waitress):
    site = copy_site(tmp_path)
    broken = site.corpus_dir / "broken.md"
    broken.write_text("---\nid: [unclosed\n---\nbody\n", encoding="utf-8")
    touch_later(broken)
    result = CliRunner().invoke(cli, ["serve", "--corpus", str(site.corpus_dir),
                                      "--index", str(site.index_dir)])
    assert result.exit_code == 0, result.output
    assert "serving the existing index" in result.output
    assert fake_waitress


def test_serve_missing_corpus_folder(tmp_path, fake_waitress):
    result = CliRunner().invoke(cli, ["serve", "--corpus", str(tmp_path / "nope"),
                                      "--index", str(tmp_path / "index")])
    assert result.exit_code != 0
    assert "corpus folder not found" in result.output
    assert not fake_waitress


def test_serve_rejects_bad_port():
    result = CliRunner().invoke(cli, ["serve", "--port", "99999"])
    assert result.exit_code == 2
    assert "port" in result.output.lower()


@pytest.mark.parametrize("workers", ["0", "many", "65"])
def test_serve_rejects_bad_workers(workers):
    result = CliRunner().invoke(cli, ["serve", "--workers", workers])
    assert result.exit_code == 2
    assert "--workers" in result.output


def test_serve_with_workers_starts_granian_with_an_app_per_worker(tmp_path, monkeypatch):
    site = copy_site(tmp_path)
    calls = []
    monkeypatch.setattr(server, "granian_usable", lambda: True)
    monkeypatch.setattr(server, "run_granian", lambda make, granian: calls.append(
        (make, granian)))
    monkeypatch.delenv("PPRNET_SECRET_KEY", raising=False)
    result = CliRunner().invoke(cli, ["serve", "--corpus", str(site.corpus_dir), "--index",
                                      str(site.index_dir), "--workers", "3", "--port", "0"])
    assert result.exit_code == 0, result.output
    ((make, granian),) = calls
    assert granian.workers == 3 and granian.blocking_threads == 8
    assert granian.bind_port > 0  # port 0: a free port was picked, to print and to serve
    assert (site.index_dir / "secret_key").is_file()  # made before any worker starts
    first, second = make(), make()  # what two workers load: separate apps, one key
    assert first.app is not second.app
    assert first.app.config["SECRET_KEY"] == second.app.config["SECRET_KEY"]
    response = first.app.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json()["status"] == "ok"


def test_serve_with_workers_prints_the_address_once_it_answers(tmp_path, monkeypatch):
    """granian's workers open the port themselves: the ready line waits for one to answer
    (here a plain socket stands in for them), so whoever reads it can connect at once."""
    site = copy_site(tmp_path)
    monkeypatch.setattr(server, "granian_usable", lambda: True)

    def serve_a_while(make, granian) -> None:  # type: ignore[no-untyped-def]
        time.sleep(0.3)
        assert "ready" not in capsys_out()
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", granian.bind_port))
            sock.listen(8)
            deadline = time.monotonic() + 5
            while "ready" not in capsys_out() and time.monotonic() < deadline:
                time.sleep(0.02)

    printed: list[str] = []
    monkeypatch.setattr(server, "run_granian", serve_a_while)
    import explorer.commands.web_commands as web_commands
    monkeypatch.setattr(web_commands.click, "echo", lambda text="", **kw: printed.append(text))

    def capsys_out() -> str:
        return "\n".join(printed)

    result = CliRunner().invoke(cli, ["serve", "--corpus", str(site.corpus_dir), "--index",
                                      str(site.index_dir), "--workers", "2", "--port", "0"])
    assert result.exit_code == 0, result.output
    (line,) = [p for p in printed if "ready" in p]
    assert "granian, 2 workers × 8 threads" in line
    assert re.search(r"http://127\.0\.0\.1:(\d+)/", line)


def test_serve_with_workers_on_a_taken_port_fails_clearly(tmp_path, monkeypatch):
    site = copy_site(tmp_path)
    monkeypatch.setattr(server, "granian_usable", lambda: True)
    monkeypatch.setattr(server, "run_granian", lambda make, granian: None)
    for reuse_port in (False, True):  # a plain server, or another granian (SO_REUSEPORT)
        with socket.socket() as taken:
            if reuse_port:
                taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            taken.bind(("127.0.0.1", 0))
            taken.listen(1)
            port = taken.getsockname()[1]
            result = CliRunner().invoke(cli, ["serve", "--corpus", str(site.corpus_dir),
                                              "--index", str(site.index_dir), "--workers", "2",
                                              "--port", str(port)])
        assert result.exit_code != 0
        assert f"cannot listen on 127.0.0.1:{port}" in result.output


def test_serve_help():
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--corpus", "--index", "--threads", "--workers"):
        assert option in result.output


def test_model_retrained_when_only_the_model_is_missing(tmp_path, fake_waitress):
    site = copy_site(tmp_path)
    shutil.rmtree(site.index_dir / "model")
    before = current_dir(site.index_dir)
    result = CliRunner().invoke(cli, ["serve", "--corpus", str(site.corpus_dir),
                                      "--index", str(site.index_dir)])
    assert result.exit_code == 0, result.output
    assert (site.index_dir / "model").is_dir()
    assert current_dir(site.index_dir) == before  # the index itself was fresh
