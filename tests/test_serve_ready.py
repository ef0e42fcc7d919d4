"""`pprnet serve` (and so `scripts/run`) says where the site is once it answers there."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.web_helpers import copy_site, stop_server

REPO = Path(__file__).resolve().parent.parent


def serve(site, port: int) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PPRNET_")}
    return subprocess.Popen(
        [sys.executable, "-m", "explorer.cli", "serve", "--host", "127.0.0.1", "--port",
         str(port), "--corpus", str(site.corpus_dir), "--index", str(site.index_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO,
        start_new_session=True,  # see stop_server
    )


def test_serve_prints_the_url_once_it_answers(tmp_path):
    site = copy_site(tmp_path)
    proc = serve(site, 0)  # any free port: the printed URL must say which
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.fullmatch(r"PPRNet Explorer is ready: (http://127\.0\.0\.1:(\d+)/)  "
                             r"\(editor off \(set PPRNET_EDITOR_PASSWORD\); [^;()]+; "
                             r"Ctrl\+C stops\)\n",  # [^;()]+: the server, e.g. "granian, 2 workers"
                             line)
        assert match, line
        assert int(match.group(2)) > 0
        # ready means ready: the very first request after the line is answered
        with urllib.request.urlopen(match.group(1) + "healthz", timeout=10) as response:
            assert response.status == 200
    finally:
        stop_server(proc, timeout=20)


def test_serve_on_a_busy_port_says_so_in_one_line(tmp_path):
    site = copy_site(tmp_path)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = serve(site, port)
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2
    assert out == ""
    assert err.strip().splitlines()[-1] == (
        f"pprnet: error: cannot listen on 127.0.0.1:{port}: Address already in use "
        "(is another server on that port? try --port)")

