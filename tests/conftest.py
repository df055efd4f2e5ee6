"""Shared fixtures.

``world`` builds a small conference the way users would meet it: member
states (one holding the PPT, one absent), an observer state, an observer
organization, civil society and the Technical Secretariat, a meeting and a
declaration with a zero draft issued through the services.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from rest_framework.test import APIClient

from drafting import services
from drafting.models import ApiToken, Declaration, Delegation, Meeting, Revision
from tests.factories import DelegateFactory, DelegationFactory, MeetingFactory

ROOT = Path(__file__).resolve().parent.parent
K = Delegation.Kind


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _access_caches_empty() -> Iterator[None]:
    """Each test starts with no remembered identity or role (ids are reused
    across tests on SQLite; see drafting/access_cache.py)."""
    from drafting.access_cache import access_caches_clear

    access_caches_clear()
    yield
    access_caches_clear()


@pytest.fixture(autouse=True)
def _no_language_left_active() -> Iterator[None]:
    """A request through the test client leaves its language active in the
    thread (LocaleMiddleware activates it; nothing deactivates it after the
    response), so a test whose last request was Spanish turned the next
    test's refusals Spanish (tests/test_bilingual_headings.py before
    tests/test_services.py). Each test starts and ends with none active."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _jobs_inline(settings: Any) -> None:
    """Without Redis, tests run import and export jobs at once in the caller
    (``CONSENSO_JOBS=inline``, a test-only mode), so that a test can follow a
    job to its end in one call. The real embedded default (the request only
    queues; ``manage.py run_jobs`` runs) is proved by tests/test_embedded_jobs.py,
    which sets ``settings.CONSENSO_JOBS = "embedded"``; with Redis, jobs go to
    the real Celery worker."""
    if not settings.REDIS_URL:
        settings.CONSENSO_JOBS = "inline"


@pytest.fixture(autouse=True)
def _let_test_teardown_flush_the_event_log(request: pytest.FixtureRequest) -> Iterator[None]:
    """Transactional tests end with a flush (DELETE FROM every table). On
    PostgreSQL that is a TRUNCATE, which migration 0007's trigger refuses
    unless the session says it means it; SQLite runs row DELETEs, which it
    refuses. So, on PostgreSQL, this says so on the connection that flushes;
    on SQLite it empties the event log with the trigger lifted for that one
    statement, before the flush, and puts the trigger straight back."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        yield
        return
    from django.db import connection, transaction

    from drafting.migrations import _event_triggers

    request.getfixturevalue("transactional_db")
    yield
    if settings.USING_POSTGRES:
        with connection.cursor() as cursor:
            cursor.execute("SET consenso.allow_truncate = 'on'")
        return
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in _event_triggers.SQLITE_REVERSE:
            cursor.execute(sql)
        cursor.execute("DELETE FROM drafting_event")
        for sql in _event_triggers.SQLITE:
            cursor.execute(sql)


def zero_draft(n_preamble: int = 2, n_operative: int = 3) -> list[dict[str, Any]]:
    return [
        {"kind": "title", "paragraphs": [{"kind": "title", "text": "Declaration of San Salvador"}]},
        {
            "kind": "preamble",
            "paragraphs": [
                {"kind": "preambular", "text": f"Recalling the {i + 1}st principle of the Charter,"}
                for i in range(n_preamble)
            ],
        },
        {
            "kind": "operative",
            "heading": "DECISIONS",
            "paragraphs": [
                {"kind": "operative", "text": f"Promote safe, orderly and regular migration, item {i + 1}."}
                for i in range(n_operative)
            ],
        },
    ]


def bilingual(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``sections`` with each paragraph's other-language version (issue 15), so
    that the world's text starts with both versions current, as the RCM's do."""
    return [
        {**s, "paragraphs": [{**p, "translation_text": f"[EN] {p['text']}"} for p in s["paragraphs"]]} for s in sections
    ]


@dataclass
class World:
    meeting: Meeting
    declaration: Declaration
    revision: Revision
    users: dict[str, Any] = field(default_factory=dict)
    delegations: dict[str, Delegation] = field(default_factory=dict)

    def client(self, role: str | None) -> APIClient:
        client = APIClient()
        if role is not None:
            user = self.users[role]
            token = ApiToken.objects.filter(user=user).first() or ApiToken.objects.create(user=user, name="tests")
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    def paragraph_ids(self, revision: Revision | None = None) -> list[int]:
        revision = revision or self.revision
        return list(revision.paragraphs.order_by("position").values_list("paragraph_id", flat=True))


ROLES = {
    # role name → (delegation code, kind, present at the meeting)
    "ppt": ("SLV", K.MEMBER_STATE, True),
    "mex": ("MEX", K.MEMBER_STATE, True),
    "can": ("CAN", K.MEMBER_STATE, True),
    "nic": ("NIC", K.MEMBER_STATE, False),
    "arg": ("ARG", K.OBSERVER_STATE, True),
    "iom": ("IOM", K.OBSERVER_ORGANIZATION, True),
    "rncom": ("RNCOM", K.CIVIL_SOCIETY, True),
    "ts": ("TS", K.SECRETARIAT, False),
}


def build_world(*, members_only: bool = False, title: str = "XXXI RCM Vice-Ministerial Meeting") -> World:
    delegations = {
        code: DelegationFactory(code=code, name_en=code.title(), kind=kind) for code, kind, _ in ROLES.values()
    }
    users = {
        role: DelegateFactory(user__username=f"{role}-{title[:20]}", delegation=delegations[code]).user
        for role, (code, _, _) in ROLES.items()
    }
    meeting = MeetingFactory(title=title, ppt=delegations["SLV"], members_only=members_only)
    meeting.participants.set([delegations[code] for code, _, present in ROLES.values() if present])
    meeting.secretariat_staff.set([users["ts"]])
    declaration = services.declaration_create(actor=users["ts"], meeting=meeting, title="Declaration of San Salvador")
    revision = services.revision_issue(actor=users["ts"], declaration=declaration, sections=bilingual(zero_draft()))
    return World(meeting=meeting, declaration=declaration, revision=revision, users=users, delegations=delegations)


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def closed_world(db: None) -> World:
    """A members-only meeting."""
    return build_world(members_only=True, title="Members-only consultation")


needs_postgres = pytest.mark.skipif(
    not settings.USING_POSTGRES, reason="needs PostgreSQL: run with DATABASE_URL (as .ci/run does)"
)
needs_redis = pytest.mark.skipif(
    not settings.REDIS_URL, reason="needs Redis and a worker: run with REDIS_URL (as .ci/run does)"
)


def _start_worker(env: dict[str, str], queue: str, name: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "workers",
            "worker",
            "-Q",
            queue,
            # prefork with one child, as in production: a child killed
            # mid-task is noticed by its parent, which requeues the message
            # (tests/test_export_workers.py kills one on purpose).
            "--pool=prefork",
            "--concurrency=1",
            "--loglevel=WARNING",
            "--hostname",
            f"{name}-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
    )


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup: None, django_db_blocker: Any) -> Iterator[subprocess.Popen[bytes]]:
    """A real ``celery worker`` process on the test database and the Redis
    broker, for the default queue (deadlines, exports); and, as
    docker-compose.yml runs them, a second one for the imports queue."""
    from django.db import connection

    db = connection.settings_dict
    url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url}
    proc = _start_worker(env, "celery", "test")
    importer = _start_worker(env, settings.CONSENSO_IMPORT_QUEUE, "test-imports")
    try:
        from workers import app

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if len(app.control.ping(timeout=1.0)) >= 2:
                break
            if proc.poll() is not None or importer.poll() is not None:
                raise RuntimeError("a Celery worker exited at start-up")
        else:
            raise RuntimeError("the Celery workers did not answer within 60 s")
        yield proc
    finally:
        for worker in (proc, importer):
            worker.terminate()
        for worker in (proc, importer):
            worker.wait(timeout=30)


def agree_everything(world: World) -> None:
    """The PPT opens and agrees every paragraph of the working text."""
    from drafting.models import Paragraph

    for paragraph in Paragraph.objects.filter(declaration=world.declaration).exclude(state__in=["agreed", "deleted"]):
        services.paragraph_act(actor=world.users["ppt"], paragraph=paragraph, action="agree")


def silence_under_way(world: World, seconds: float) -> Any:
    """A fully agreed text circulated under silence, deadline ``seconds`` away."""
    import datetime

    from django.utils import timezone

    agree_everything(world)
    revision = services.revision_issue_from_working_text(actor=world.users["ppt"], declaration=world.declaration)
    return services.silence_launch(
        actor=world.users["ppt"],
        declaration=world.declaration,
        revision_id=revision.pk,
        deadline=timezone.now() + datetime.timedelta(seconds=seconds),
    )


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at the same moment in threads; return each result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def runner(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # collected and asserted on by the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]


def redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1).ping())
    except redis.exceptions.RedisError:
        return False


def redis_stop() -> None:
    """Stop this machine's Redis (the broker), as an outage would."""
    subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave"], capture_output=True)
    deadline = time.monotonic() + 10
    while redis_answers():
        assert time.monotonic() < deadline, "Redis did not stop"
        time.sleep(0.1)


def redis_start() -> None:
    """Start it again with the command the machine (and .ci/services.sh) uses."""
    Path("/var/lib/redis").mkdir(parents=True, exist_ok=True)
    Path("/var/log/redis").mkdir(parents=True, exist_ok=True)
    subprocess.run(REDIS_START, check=True, capture_output=True)
    deadline = time.monotonic() + 30
    while not redis_answers():
        assert time.monotonic() < deadline, "Redis did not come back"
        time.sleep(0.1)
