"""docker-compose.yml, run as a secretariat would run it, without a Docker engine.

No Docker engine runs here, so this starts the compose services' own commands
(read from docker-compose.yml, so they cannot drift) as separate processes,
the way the containers would run them:

- as an unprivileged user (``nobody``), each in a working directory of its
  own holding a copy of the code it cannot write to (the image's /app);
- with the environment the compose file gives them, interpolated from
  ``.env.example`` as docker-compose would (only the database, the Redis URL,
  the volumes' paths and the port are mapped to this machine);
- web and worker sharing one media directory (the ``media`` volume), beat
  writing its schedule in its own (the ``beat`` volume);
- after the one-shot ``migrate`` service, which the others wait for.

Then a Secretariat user asks web for a Word and a PDF export, the worker
renders them, web serves them; and after web, worker and beat are stopped
and started again, the same files are still served. The health checks are
the compose file's too. Needs PostgreSQL and Redis (``.ci/run``'s second
step) and root (to become ``nobody``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import yaml
from django.conf import settings

from tests.conftest import needs_postgres, needs_redis

ROOT = Path(__file__).resolve().parent.parent
HOST = "consenso.test"
# What the image holds in /app (Dockerfile's COPY lines).
CODE = ["manage.py", "backend", "drafting", "exports", "workers"]

pytestmark = [
    needs_postgres,
    needs_redis,
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0, reason="runs the services as 'nobody', which needs root (CI runs as root)"),
]


# --- docker-compose.yml, read as docker-compose reads it ----------------------------
def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


_VARIABLE = re.compile(r"\$\$|\$\{(\w+)(?:(:-|:\?)([^}]*))?\}")


def interpolate(value: Any, variables: dict[str, str]) -> Any:
    """Compose's ${VAR}, ${VAR:-default}, ${VAR:?error} and $$ (a literal $)."""
    if isinstance(value, dict):
        return {k: interpolate(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, variables) for v in value]
    if not isinstance(value, str):
        return value

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.groups()
        if variables.get(name):
            return variables[name]
        if op == ":?":
            raise AssertionError(f"docker-compose would refuse: {arg}")
        return arg if op == ":-" else ""

    return _VARIABLE.sub(one, value)


def compose_services(variables: dict[str, str]) -> dict[str, Any]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return dict(interpolate(compose["services"], variables))


# --- The machine's side --------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_url(name: str) -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def admin_sql(sql: str) -> None:
    import psycopg

    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"] or "postgres", dbname="postgres"
    ) as conn:
        conn.autocommit = True
        conn.execute(sql)


class Services:
    """The compose services' commands, as separate processes run by ``nobody``."""

    def __init__(self, base: Path, services: dict[str, Any], mapping: dict[str, str], python: Path) -> None:
        self.base = base
        self.python = python
        self.services = services
        self.mapping = mapping
        self.nobody = pwd.getpwnam("nobody")
        self.running: dict[str, tuple[subprocess.Popen[bytes], Path]] = {}

    def _map(self, text: str) -> str:
        for container, here in self.mapping.items():
            text = text.replace(container, here)
        return text

    def workdir(self, name: str) -> Path:
        """The service's own /app (root's, read-only to nobody) and home (nobody's)."""
        app = self.base / name / "app"
        if not app.exists():
            app.mkdir(parents=True)
            for item in CODE:
                source = ROOT / item
                if source.is_dir():
                    shutil.copytree(source, app / item, ignore=shutil.ignore_patterns("__pycache__"))
                else:
                    shutil.copy(source, app / item)
            home = self.base / name / "home"
            (home / "tmp").mkdir(parents=True)
            for path in (home, home / "tmp"):
                os.chown(path, self.nobody.pw_uid, self.nobody.pw_gid)
        return self.base / name

    def environment(self, name: str) -> dict[str, str]:
        place = self.workdir(name)
        env = {key: self._map(str(value)) for key, value in self.services[name]["environment"].items()}
        # What the Dockerfile's ENV lines give every container.
        env.update(
            PATH=f"{self.python.parent}:/usr/bin:/bin",
            PYTHONPATH=str(place / "app"),
            PYTHONDONTWRITEBYTECODE="1",
            PYTHONUNBUFFERED="1",
            HOME=str(place / "home"),
            TMPDIR=str(place / "home" / "tmp"),
            HOSTNAME=socket.gethostname(),
            LANG="C.UTF-8",
        )
        return env

    def command(self, name: str) -> list[str]:
        command = self.services[name]["command"]
        if isinstance(command, str):  # mapped whole: a mapping may span arguments (--host … --port …)
            return shlex.split(self._map(command))
        return [self._map(arg) for arg in command]

    def _as_nobody(self, argv: list[str]) -> list[str]:
        return as_nobody(argv)

    def run(self, name: str, argv: list[str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self._as_nobody(argv or self.command(name)),
            cwd=self.workdir(name) / "app",
            env=self.environment(name),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def start(self, name: str) -> None:
        log = self.base / f"{name}.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                self._as_nobody(self.command(name)),
                cwd=self.workdir(name) / "app",
                env=self.environment(name),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.running[name] = (process, log)

    def healthy(self, name: str, timeout: float = 120) -> None:
        """Until the service's own compose health check passes."""
        test = self.services[name]["healthcheck"]["test"]
        argv = ["sh", "-c", self._map(test[1])] if test[0] == "CMD-SHELL" else [self._map(a) for a in test[1:]]
        deadline = time.monotonic() + timeout
        while True:
            process, log = self.running[name]
            assert process.poll() is None, f"{name} exited:\n{log.read_text()[-5000:]}"
            result = self.run(name, argv, timeout=60)
            if result.returncode == 0:
                return
            assert time.monotonic() < deadline, f"{name} never healthy: {result.stdout}{result.stderr}"
            time.sleep(1)

    def stop(self, name: str) -> None:
        process, _ = self.running.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)  # as `docker-compose stop` does
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def log(self, name: str) -> str:
        return (self.base / f"{name}.log").read_text(errors="replace")


# --- Talking to web as Caddy would ----------------------------------------------------
class Web:
    def __init__(self, port: int) -> None:
        self.port = port
        self.token = ""

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, bytes]:
        headers = {
            "Host": HOST,  # the room's name, as the browser sent it to Caddy
            "X-Forwarded-Proto": "https",  # Caddy terminated TLS
            "X-Forwarded-For": "192.0.2.10",  # the delegate's laptop
            "Content-Type": "application/json",
        }
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=json.dumps(body).encode() if body is not None else None,
            headers=headers,
            method=method,
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def json(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        status, data = self.request(method, path, body)
        return status, json.loads(data)

    def export(self, body: dict[str, Any]) -> dict[str, Any]:
        status, job = self.json("POST", "/api/exports/", body)
        assert status == 201, job
        assert job["status"] == "queued"  # web queued it; it did not render it
        deadline = time.monotonic() + 180
        while job["status"] in ("queued", "running"):
            assert time.monotonic() < deadline, job
            time.sleep(0.5)
            status, job = self.json("GET", f"/api/exports/{job['id']}/")
            assert status == 200, job
        assert job["status"] == "done", job
        return dict(job)

    def download(self, job: dict[str, Any]) -> bytes:
        status, data = self.request("GET", f"/api/exports/{job['id']}/file/")
        assert status == 200, data[:500]
        assert hashlib.sha256(data).hexdigest() == job["checksum"]
        return data


def as_nobody(argv: list[str]) -> list[str]:
    nobody = pwd.getpwnam("nobody")
    return ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups", *argv]


@pytest.fixture(scope="session")
def image_python() -> Path:
    """The image's Python: a virtual environment with exactly requirements.lock
    installed (the Dockerfile's ``pip install -r requirements.lock``, no
    development tools), from a Python that ``nobody`` can run (the suite's own
    may live in root's home). Kept per lock file's contents, so it is built once."""
    lock = (ROOT / "requirements.lock").read_bytes()
    place = Path(tempfile.gettempdir()) / f"consenso-image-venv-{hashlib.sha256(lock).hexdigest()[:16]}"
    python, ready = place / "bin" / "python", place / ".installed"
    if ready.exists():
        return python
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3", shutil.which("python3") or ""):
        check = "import sys, venv; assert sys.version_info >= (3, 11)"
        if candidate and subprocess.run(as_nobody([candidate, "-c", check]), capture_output=True).returncode == 0:
            break
    else:
        pytest.skip("no Python 3.11+ that the user 'nobody' may run (needed to run the services unprivileged)")
    # Built where it is used: scripts (gunicorn, celery) name their Python by absolute path.
    shutil.rmtree(place, ignore_errors=True)
    subprocess.run([candidate, "-m", "venv", str(place)], check=True, capture_output=True)
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "-r", str(ROOT / "requirements.lock")],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    ready.touch()
    return python


@pytest.fixture
def deployment(image_python: Path) -> Iterator[tuple[Services, Web, Path]]:
    base = Path(tempfile.mkdtemp(prefix="consenso-compose-"))
    base.chmod(0o755)
    nobody = pwd.getpwnam("nobody")
    media, beat = base / "volumes" / "media", base / "volumes" / "beat"
    for path in (media, beat):
        path.mkdir(parents=True)
        os.chown(path, nobody.pw_uid, nobody.pw_gid)
    database = f"{settings.DATABASES['default']['NAME']}_compose"
    admin_sql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    admin_sql(f"CREATE DATABASE {database}")
    # A Redis database of its own: the suite's worker (on the suite's broker) must not take these jobs.
    broker = urlsplit(settings.REDIS_URL)
    broker_url = urlunsplit(broker._replace(path=f"/{(int(broker.path.strip('/') or 0) + 2) % 16}"))
    import redis

    redis.Redis.from_url(broker_url).flushdb()
    port = free_port()
    variables = read_env_file(ROOT / ".env.example")
    variables.update(SECRET_KEY="compose-test-" + "k3Y-" * 12, CONSENSO_HOST=HOST, POSTGRES_PASSWORD="unused")
    services = compose_services(variables)
    # Only where the containers' world differs from this machine's:
    mapping = {
        str(services["web"]["environment"]["DATABASE_URL"]): database_url(database),
        "redis://redis:6379/0": broker_url,
        "/data/media": str(media),
        "/data/beat": str(beat),
        "--host 0.0.0.0 --port 8000": f"--host 127.0.0.1 --port {port}",
        "localhost:8000": f"localhost:{port}",
    }
    everything = json.dumps({name: services[name] for name in ("migrate", "web", "worker", "importer", "beat")})
    for container in mapping:
        assert container in everything, f"docker-compose.yml no longer mentions {container}: update this test"
    processes = Services(base, services, mapping, image_python)
    try:
        yield processes, Web(port), media
    finally:
        for name in list(processes.running):
            processes.stop(name)
        redis.Redis.from_url(broker_url).flushdb()
        admin_sql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        shutil.rmtree(base, ignore_errors=True)


APP_SERVICES = ("web", "worker", "importer", "beat")


def start_all(services: Services) -> None:
    for name in APP_SERVICES:
        services.start(name)
    for name in APP_SERVICES:
        services.healthy(name)


def test_the_compose_services_render_and_serve_exports_and_keep_them_across_restarts(
    deployment: tuple[Services, Web, Path],
) -> None:
    services, web, media = deployment
    # Given the one-shot migrate service run first, and the operator's training data
    migrated = services.run("migrate")
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    demo = services.run("migrate", ["python", "manage.py", "load_demo", "--allow-production"])
    assert demo.returncode == 0, demo.stdout + demo.stderr
    # and web, worker and beat started and healthy by their compose health checks
    start_all(services)

    # When the Secretariat signs in through the proxy and asks for a Word and a PDF export
    status, body = web.json("POST", "/api/auth/token/", {"username": "ts", "password": "consenso-demo"})
    assert status == 200, body
    web.token = body["token"]
    status, declarations = web.json("GET", "/api/declarations/")
    assert status == 200, declarations
    declaration, meeting = declarations["results"][0]["id"], declarations["results"][0]["meeting"]
    docx_job = web.export({"declaration": declaration, "kind": "clean", "format": "docx"})
    pdf_job = web.export({"declaration": declaration, "kind": "compilation", "format": "pdf"})

    # Then web serves what the worker rendered, from the shared media volume, files nobody's
    docx, pdf = web.download(docx_job), web.download(pdf_job)
    assert docx.startswith(b"PK\x03\x04") and pdf.startswith(b"%PDF-")
    stored = [path for path in media.rglob("*") if path.is_file()]
    assert len(stored) == 2, stored
    assert {path.stat().st_uid for path in stored} == {pwd.getpwnam("nobody").pw_uid}
    assert services.log("worker").count("consenso.export_render") >= 2, services.log("worker")[-3000:]
    assert "consenso.export_render" not in services.log("web")
    # and a pasted draft is read by the importer (its own queue), not by the worker that keeps the deadlines
    status, job = web.json(
        "POST",
        "/api/imports/",
        {"meeting": meeting, "text": "Declaration of the test\n\n1. Promote regular pathways.\n"},
    )
    assert status == 201, job
    deadline = time.monotonic() + 120
    while job["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, job
        time.sleep(0.5)
        status, job = web.json("GET", f"/api/imports/{job['id']}/")
    assert job["status"] == "ready", job
    assert "consenso.import_read[" in services.log("importer"), services.log("importer")[-3000:]
    assert "consenso.import_read[" not in services.log("worker")  # (its start-up banner lists every task)

    # When every app service is stopped and started again (containers recreated, volumes kept)
    for name in APP_SERVICES:
        services.stop(name)
    start_all(services)
    # Then both files are still there, the same bytes
    status, body = web.json("POST", "/api/auth/token/", {"username": "ts", "password": "consenso-demo"})
    assert status == 200, body
    web.token = body["token"]
    assert web.download(docx_job) == docx
    assert web.download(pdf_job) == pdf
    # and beat kept its schedule in its own volume, not in the code's directory
    assert list((services.base / "volumes" / "beat").glob("celerybeat-schedule*"))
    assert not list(services.base.glob("*/app/celerybeat-schedule*"))
