"""The README's first command, run as a user would: ``python3 dev.py serve``
sets up, loads the demo and serves the pages and the API; it ends by printing
the sign-in page's address; we read the printed tokens and fetch the sign-in
page, the docs and the demo declaration's zero draft over HTTP."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, token: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"} if token else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read()


@pytest.mark.slow
def test_dev_py_serve_serves_docs_and_the_demo_zero_draft(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "CONSENSO_SQLITE_PATH": str(tmp_path / "quickstart.sqlite3")}
    env.pop("DATABASE_URL", None)  # the README's command: the embedded default
    env.pop("REDIS_URL", None)
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "dev.py", "serve", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    status, _ = get(f"http://127.0.0.1:{port}/api/health/")
                    break
                except OSError:
                    assert server.poll() is None, log.read_text()
                    assert time.monotonic() < deadline, log.read_text()
                    time.sleep(0.5)
            sign_in = f"http://127.0.0.1:{port}/sign-in/"
            while sign_in not in log.read_text():
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
            printed = log.read_text()
            # the last line printed is the sign-in page's address (the README says so),
            # apart from the server's log lines (this test's own requests; backend/logs.py's
            # "time LEVEL logger: ..." format, or runserver's "[date] ...")
            logged = re.compile(r"^(\[|\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d)")
            own = [line for line in printed.strip().splitlines() if not logged.match(line)]
            assert own[-1].endswith(sign_in), printed
            status, body = get(sign_in)
            assert status == 200 and b"consenso-demo" in body and b"ppt.slv" in body
            status, body = get(f"http://127.0.0.1:{port}/api/docs/")
            assert status == 200 and b"swagger" in body.lower()
            token = re.search(r"^\s+mex\s+MEX\s+.*Token (\w+)$", printed, re.M)
            assert token, printed
            status, body = get(f"http://127.0.0.1:{port}/api/declarations/1/text/", token.group(1))
            text = json.loads(body)
            assert status == 200 and text["label"] == "Zero draft"
            paragraphs = [p for s in text["sections"] for p in s["paragraphs"]]
            assert len(paragraphs) == 31
            assert paragraphs[0]["text"].startswith("Regional Conference on Migration (RCM) EXTRAORDINARY")
        finally:
            server.terminate()
            server.wait(timeout=30)


@pytest.mark.slow
def test_dev_py_serve_against_a_database_url_loads_no_demo_unless_asked(tmp_path: Path) -> None:
    # Given a real database named by DATABASE_URL (here a SQLite URL: the switch is the variable)
    port = free_port()
    database = tmp_path / "real.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    env.pop("REDIS_URL", None)
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "dev.py", "serve", f"127.0.0.1:{port}"], cwd=ROOT, env=env, stdout=out, stderr=out
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    get(f"http://127.0.0.1:{port}/api/health/")
                    break
                except OSError:
                    assert server.poll() is None, log.read_text()
                    assert time.monotonic() < deadline, log.read_text()
                    time.sleep(0.5)
        finally:
            server.terminate()
            server.wait(timeout=30)
    # Then it migrated and served, but no demo user (published password) exists
    printed = log.read_text()
    assert "no demo loaded" in printed and "Demo loaded" not in printed, printed
    import sqlite3

    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM auth_user").fetchone() == (0,)
