#!/usr/bin/env python3
"""Set up and run Consenso with nothing installed but Python 3.11+.

    python3 dev.py serve   # set up, load the demo, serve on http://127.0.0.1:8000/sign-in/
    python3 dev.py test    # set up, lint (ruff, mypy), run the whole test suite

The first run creates ``.venv`` and installs the project into it; later runs
reinstall only when ``pyproject.toml`` changed. Environment variables pass
through, so ``DATABASE_URL=postgres://... REDIS_URL=redis://... python3 dev.py
test`` runs the same suite on PostgreSQL and Redis with a real Celery worker.
"""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".consenso-installed"


def run(*args: str | Path, **kwargs: object) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True, **kwargs)  # type: ignore[call-overload]


def ensure_venv() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"Consenso needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted and PYTHON.exists():
        return
    if not PYTHON.exists():
        print(f"Creating a virtual environment in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(PYTHON, "-m", "pip", "install", "--quiet", "-e", ".[dev]")
    STAMP.write_text(wanted)


def _wait_for(address: str, seconds: float = 30) -> None:
    """Until the server answers, so that the sign-in address is the last line printed."""
    host, _, port = address.rpartition(":")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)


def serve(args: list[str]) -> None:
    address = args[0] if args else os.environ.get("CONSENSO_ADDRESS", "127.0.0.1:8000")
    run(PYTHON, "manage.py", "migrate", "--no-input")
    run(PYTHON, "manage.py", "load_demo")
    # Silence-procedure deadlines: Celery beat's job with Redis; here a small
    # companion process checks them every 30 s, and ends with the server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop the children too
    children = [
        subprocess.Popen([str(PYTHON), "manage.py", "process_deadlines", "--every", "30"], cwd=ROOT),
        subprocess.Popen([str(PYTHON), "manage.py", "runserver", address, "--noreload"], cwd=ROOT),
    ]
    _wait_for(address)
    print(
        f"\nAPI docs: http://{address}/api/docs/\nConsenso is ready; sign in at http://{address}/sign-in/", flush=True
    )
    try:
        children[1].wait()
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(timeout=30)


def test(args: list[str]) -> None:
    run(BIN / "ruff", "check", ".")
    run(BIN / "ruff", "format", "--check", ".")
    run(PYTHON, "-m", "mypy", "backend", "drafting", "workers", "exports")
    run(PYTHON, "-m", "pytest", *args)


def main() -> None:
    commands = {"serve": serve, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    os.chdir(ROOT)
    ensure_venv()
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
