#!/usr/bin/env python3
"""Set up and run Consenso with nothing installed but Python 3.11+.

    python3 dev.py serve   # set up, load the demo, serve on http://127.0.0.1:8000/sign-in/
    python3 dev.py serve [--demo] [ADDRESS]   # --demo: load the demo into DATABASE_URL's database too
    python3 dev.py test    # set up, lint (ruff, mypy), run the whole test suite
    python3 dev.py lock    # after changing dependencies in pyproject.toml: rewrite the lock files

The first run creates ``.venv`` and installs the exact versions pinned in
``requirements-dev.lock`` (``requirements.lock`` is the same without the
development tools: what the Docker image installs); later runs reinstall only
when a lock file changed. If ``pyproject.toml``'s dependencies changed since
the lock files were written, it stops and says to run ``python3 dev.py lock``
rather than install something other than what was declared.

``serve`` loads the demo on the embedded default only: with ``DATABASE_URL``
set (a real database), pass ``--demo`` to load it (never in production).
Environment variables pass through, so ``DATABASE_URL=postgres://...
REDIS_URL=redis://... python3 dev.py test`` runs the same suite on PostgreSQL
and Redis with a real Celery worker.
"""

from __future__ import annotations

import hashlib
import json
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
LOCK = ROOT / "requirements.lock"  # what production installs (the Dockerfile)
DEV_LOCK = ROOT / "requirements-dev.lock"  # the same versions, plus tests and tools
# The first line of each lock file: which pyproject.toml dependencies it was compiled from.
LOCK_MARK = "# pyproject.toml dependencies sha256: "


def run(*args: str | Path, **kwargs: object) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True, **kwargs)  # type: ignore[call-overload]


def declared_dependencies() -> str:
    """A fingerprint of what pyproject.toml declares (dependencies and extras),
    so a lock compiled from other declarations is noticed."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {"requires-python": project["requires-python"], "dependencies": project["dependencies"]}
    declared["optional-dependencies"] = project.get("optional-dependencies", {})
    return hashlib.sha256(json.dumps(declared, sort_keys=True).encode()).hexdigest()


def check_locks() -> None:
    wanted = LOCK_MARK + declared_dependencies()
    for lock in (LOCK, DEV_LOCK):
        first = lock.read_text().splitlines()[0] if lock.exists() else ""
        if first != wanted:
            sys.exit(
                f"{lock.name} was not compiled from pyproject.toml's current dependencies.\n"
                "Run `python3 dev.py lock` to rewrite the lock files, then commit them."
            )


def ensure_venv() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"Consenso needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    check_locks()
    wanted = hashlib.sha256(DEV_LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted and PYTHON.exists():
        return
    if not PYTHON.exists():
        print(f"Creating a virtual environment in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    packages = sum(1 for line in DEV_LOCK.read_text().splitlines() if "==" in line and not line.startswith("#"))
    print(f"Installing {packages} pinned packages from {DEV_LOCK.name} (the first time takes a minute or two) ...")
    # pip prints a line per package as it goes: that is the progress.
    run(PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "on", "-r", DEV_LOCK)
    print("Installing Consenso itself (editable) ...", flush=True)
    run(PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "--quiet", "--no-deps", "-e", ".")
    STAMP.write_text(wanted)
    print("Environment ready.", flush=True)


def lock(args: list[str]) -> None:
    """Compile both lock files with uv (the version pinned in pyproject.toml),
    the development one constrained by the production one so both agree."""
    import tomllib

    if not PYTHON.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    dev = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["dev"]
    uv_pin = next(req for req in dev if req.startswith("uv=="))
    run(PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "--quiet", uv_pin)
    common = ["pip", "compile", "pyproject.toml", "--universal", "--python-version", "3.11", "--quiet"]
    common += ["--custom-compile-command", "python3 dev.py lock", *args]
    run(BIN / "uv", *common, "--extra", "sentry", "-o", LOCK)
    run(BIN / "uv", *common, "--extra", "sentry", "--extra", "dev", "-c", LOCK, "-o", DEV_LOCK)
    mark = LOCK_MARK + declared_dependencies()
    for path in (LOCK, DEV_LOCK):
        path.write_text(f"{mark}\n{path.read_text()}")
    print(f"Wrote {LOCK.name} and {DEV_LOCK.name}; commit them with pyproject.toml.")


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
    # The demo (published password) goes into the embedded default's SQLite file
    # only; a real database (DATABASE_URL) gets it only when asked: --demo.
    demo = "--demo" in args or not os.environ.get("DATABASE_URL")
    args = [a for a in args if a != "--demo"]
    address = args[0] if args else os.environ.get("CONSENSO_ADDRESS", "127.0.0.1:8000")
    run(PYTHON, "manage.py", "migrate", "--no-input")
    if demo:
        run(PYTHON, "manage.py", "load_demo")
    else:
        print("DATABASE_URL is set: no demo loaded (python3 dev.py serve --demo loads it).", flush=True)
    # Silence-procedure deadlines: Celery beat's job with Redis; here a small
    # companion process checks them every 30 s, and ends with the server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop the children too
    commands = [
        ["process_deadlines", "--every", "30"],
        # Imports and exports run here, never inside a web request or the sweep.
        ["run_jobs"],
        ["runserver", address, "--noreload"],
    ]
    if os.environ.get("REDIS_URL"):
        # With Redis the pages hold event streams (backend/pages/stream.py): an ASGI server.
        # Without it they poll, which runserver (WSGI) serves.
        host, _, port = address.rpartition(":")
        commands[-1] = ["-m", "uvicorn", "backend.asgi:application", "--host", host.strip("[]") or "127.0.0.1"]
        commands[-1] += ["--port", port, "--lifespan", "off", "--timeout-graceful-shutdown", "3"]
    children: list[subprocess.Popen[bytes]] = []
    # Every child is started inside the try, so that a stop at any moment (SIGTERM
    # while starting or while waiting for the server) still ends the ones started.
    try:
        for command in commands:
            program = [] if command[0] == "-m" else ["manage.py"]
            children.append(subprocess.Popen([str(PYTHON), *program, *command], cwd=ROOT))
        _wait_for(address)
        print(
            f"\nAPI docs: http://{address}/api/docs/\nConsenso is ready; sign in at http://{address}/sign-in/",
            flush=True,
        )
        children[-1].wait()
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
    run(PYTHON, "-m", "mypy", "backend", "drafting", "workers", "exports", "bench")
    run(PYTHON, "-m", "pytest", *args)


def main() -> None:
    commands = {"serve": serve, "test": test}
    if len(sys.argv) >= 2 and sys.argv[1] == "lock":
        os.chdir(ROOT)
        lock(sys.argv[2:])
        return
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    os.chdir(ROOT)
    ensure_venv()
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
