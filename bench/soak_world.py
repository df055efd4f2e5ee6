"""The soak's world and processes: a fresh PostgreSQL database with the demo
workshop and a delegate user for every seat, and the production-style server,
Celery worker and beat that the soak (bench/soak.py) and the faults
(bench/faults.py) run against. Bench-only: nothing here is imported by the product.

Django is configured in the calling process (``django_setup``) on the same
database as the server, so the bench can build the world through the
services and check the invariants afterwards against the rows themselves.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
VENV_BIN = ROOT / ".venv" / "bin"
PG_HOST, PG_PORT = "127.0.0.1", 5432
DB_NAME = "consenso_soak"
# Others' suites use Redis dbs 5-7 (and other sessions came and went on 9 and 13:
# a foreign worker on our db takes our messages and drops them, so the
# sweep has to hand them over again). The cache goes to the next db.
REDIS_DB = int(os.environ.get("SOAK_REDIS_DB", "11"))
DEFAULT_PORT = 8731

# How many delegate users each seat gets (the clients are spread over them).
MEMBER_CODES = ["BLZ", "CAN", "CRI", "DOM", "SLV", "GTM", "HND", "MEX", "NIC", "PAN", "USA"]
OBSERVER_CODES = ["ARG", "COL", "IOM", "UNHCR", "RNCOM"]


def log(message: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def database_url(name: str = DB_NAME) -> str:
    return f"postgres://postgres@{PG_HOST}:{PG_PORT}/{name}"


def redis_url(db: int = REDIS_DB) -> str:
    return f"redis://127.0.0.1:6379/{db}"


def base_env(*, db_name: str = DB_NAME, redis: str | None = None, media: Path | None = None) -> dict[str, str]:
    """Environment of the server, worker and beat: the production profile."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(db_name),
        "CONSENSO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "False",  # TLS ends at the proxy; the bench speaks plain HTTP on loopback
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "MEDIA_ROOT": str(media or OUT / "soak-media"),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    if redis:
        env["REDIS_URL"] = redis
    else:
        env.pop("REDIS_URL", None)
    return env


def recreate_database(name: str = DB_NAME) -> None:
    for sql in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"):
        subprocess.run(
            ["psql", "-h", PG_HOST, "-p", str(PG_PORT), "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql],
            check=True,
        )


def redis_db_in_use(db: int = REDIS_DB) -> int:
    """How many clients other than us are connected to our broker's db."""
    r = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "client", "list"], capture_output=True, text=True)
    return sum(1 for line in r.stdout.splitlines() if f" db={db} " in f" {line} ")


def flush_redis(db: int = REDIS_DB) -> None:
    for n in (db, (db + 1) % 16):  # the broker's db and the cache's
        subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "-n", str(n), "flushdb"], capture_output=True)


def django_setup(env: dict[str, str]) -> None:
    """Configure Django in this process on the soak's database (development
    profile, so nothing here needs the server's secret)."""
    for key in ("DATABASE_URL", "REDIS_URL", "MEDIA_ROOT"):
        if key in env:
            os.environ[key] = env[key]
        else:
            os.environ.pop(key, None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "backend.settings"
    os.environ["DEBUG"] = "False"  # no query log growing in memory
    os.environ.pop("CONSENSO_ENV", None)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- The world ------------------------------------------------------------------------
@dataclass
class Seat:
    username: str
    code: str
    kind: str  # member, ppt, ts, observer
    token: str


@dataclass
class World:
    declaration_id: int
    meeting_id: int
    seats: list[Seat] = field(default_factory=list)

    def by_kind(self, kind: str) -> list[Seat]:
        return [s for s in self.seats if s.kind == kind]


def populate(*, per_member: int = 8, per_observer: int = 2, ppt_users: int = 3, ts_users: int = 2) -> World:
    """The demo workshop (``load_demo``: 11 member delegations, 9 present),
    every member and a few observers registered as present, and delegate
    users for every seat, each with an API token. Runs on the database
    Django is configured for; idempotent on a fresh one."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from drafting.demo import demo_load
    from drafting.models import ApiToken, Delegate, Delegation, Meeting
    from drafting.services.organisation import organisation_change_record

    call_command("migrate", verbosity=0, interactive=False)
    declaration, _ = demo_load()
    meeting: Meeting = declaration.meeting
    User = get_user_model()
    ts = User.objects.get(username="ts")
    missing = Delegation.objects.filter(code__in=MEMBER_CODES + OBSERVER_CODES).exclude(meetings=meeting)
    if missing.exists():
        codes = sorted(missing.values_list("code", flat=True))
        meeting.participants.add(*missing)
        organisation_change_record(actor=ts, obj=meeting, action="changed", fields=[f"participants +{codes}"])

    def user(username: str, code: str, *, staff_of: Meeting | None = None) -> str:
        account, created = User.objects.get_or_create(username=username)
        if created:
            account.set_unusable_password()  # the bench uses tokens only
            account.save()
            Delegate.objects.create(user=account, delegation=Delegation.objects.get(code=code))
        if staff_of is not None:
            staff_of.secretariat_staff.add(account)
        return str(ApiToken.objects.get_or_create(user=account)[0].key)

    seats: list[Seat] = []
    ppt_code = meeting.ppt.code
    for code in MEMBER_CODES:
        if code == ppt_code:
            names = ["ppt.slv"] + [f"ppt.slv.{i}" for i in range(2, ppt_users + 1)]
            seats += [Seat(n, code, "ppt", user(n, code)) for n in names]
            continue
        seats += [Seat(f"soak.{code.lower()}.{i}", code, "member", user(f"soak.{code.lower()}.{i}", code)) for i in
                  range(1, per_member + 1)]  # fmt: skip
    for code in OBSERVER_CODES:
        seats += [Seat(f"soak.{code.lower()}.{i}", code, "observer", user(f"soak.{code.lower()}.{i}", code)) for i in
                  range(1, per_observer + 1)]  # fmt: skip
    names = ["ts"] + [f"soak.ts.{i}" for i in range(2, ts_users + 1)]
    seats += [Seat(n, "TS", "ts", user(n, "TS", staff_of=meeting)) for n in names]
    return World(declaration_id=declaration.pk, meeting_id=meeting.pk, seats=seats)


# --- Processes -------------------------------------------------------------------------
def port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(preferred: int = DEFAULT_PORT) -> int:
    if port_free(preferred):
        return preferred
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_status(url: str, timeout: float = 5) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


def _spawn(cmd: list[str], env: dict[str, str], log_file: Path) -> subprocess.Popen[bytes]:
    log_file.parent.mkdir(parents=True, exist_ok=True)
    # A session of its own: stopping it stops exactly its process group.
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=log_file.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(proc: subprocess.Popen[bytes] | None, *, timeout: float = 30) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=timeout)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def start_server(env: dict[str, str], *, port: int, workers: int, log_file: Path) -> subprocess.Popen[bytes]:
    cmd = [
        str(VENV_BIN / "gunicorn"), "backend.wsgi", "-w", str(workers), "--bind", f"127.0.0.1:{port}",
        "--backlog", "2048", "--timeout", "60", "--graceful-timeout", "10", "--log-level", "warning",
    ]  # fmt: skip
    server = _spawn(cmd, env, log_file)
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited at start-up; see {log_file}")
        if http_status(f"http://127.0.0.1:{port}/api/health/") == 200:
            return server
        time.sleep(0.3)
    stop(server)
    raise SystemExit(f"gunicorn did not answer within 40 s; see {log_file}")


def start_worker(env: dict[str, str], *, log_file: Path, name: str = "soak") -> subprocess.Popen[bytes]:
    cmd = [
        str(VENV_BIN / "celery"), "-A", "workers", "worker", "-Q", "celery,imports", "--pool=prefork",
        "--concurrency=1", "--loglevel=INFO", "--hostname", f"{name}-{os.getpid()}@%h", "--without-gossip",
        "--without-mingle",
    ]  # fmt: skip
    return _spawn(cmd, env, log_file)


def start_beat(env: dict[str, str], *, log_file: Path) -> subprocess.Popen[bytes]:
    schedule = OUT / f"soak-beat-schedule-{os.getpid()}"
    cmd = [str(VENV_BIN / "celery"), "-A", "workers", "beat", "--loglevel=WARNING", "-s", str(schedule)]
    return _spawn(cmd, env, log_file)


def wait_worker(seconds: float = 60) -> None:
    """Until a worker answers on the soak's broker (Django configured here with its REDIS_URL)."""
    from workers import app

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if app.control.ping(timeout=1.0):
            return
        time.sleep(0.5)
    raise SystemExit(f"the Celery worker did not answer within {seconds:.0f} s")


def children_of(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def machine() -> dict[str, Any]:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        "",
    )
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    pg = subprocess.run(
        ["psql", "-h", PG_HOST, "-U", "postgres", "-Atc", "SHOW server_version"], capture_output=True, text=True
    )
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": sys.version.split()[0],
        "postgresql": pg.stdout.strip(),
        "git_head": head.stdout.strip(),
    }
