"""Update latency of the live room: 200 open text pages while 20 delegations
write, on TWO web processes (gunicorn) sharing PostgreSQL.

    .venv/bin/python bench/bench_live.py [--pages 200] [--writers 20] [--every 20] [--seconds 60]

What it does: creates the database ``consenso_h14_live`` (PostgreSQL on
127.0.0.1:5432), migrates, loads the demo workshop (31 paragraphs) and gives
each of the 10 member delegations present two delegates; starts two gunicorn
processes on free ports; opens ``--pages`` pages, half on each process, each
doing what ``backend/pages/static/pages/live.js`` does (poll
``/live/meetings/<id>/`` with ``If-None-Match`` every 0.7 s; on a new ETag,
GET the paragraphs changed since the last event the page shows, or the whole
page when the server asks for it); and runs ``--writers`` delegates, each acting every
``--every`` seconds on average through the API (propose, support, object,
withdraw), on either process.

Latency of a write on a page: from the writer's response to the end of the
page's first reload whose poll was sent after that response (so the reload
surely shows the write). Reports p50/p95/max over every (write, page) pair,
and the load (uptime). Raw: bench/out/live-latest.json.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PY = str(ROOT / ".venv" / "bin" / "python")
DB = "consenso_h14_live"
POLL = 0.7


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def setup(env: dict[str, str]) -> dict[str, Any]:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {DB}"], check=True
    )
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"CREATE DATABASE {DB}"], check=True)
    subprocess.run([PY, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PY, "manage.py", "load_demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    script = """
import json
from django.contrib.auth.models import User
from drafting.models import ApiToken
from drafting.models import Delegate, Delegation, Meeting, Declaration
meeting = Meeting.objects.get()
declaration = Declaration.objects.get()
members = list(meeting.participants.filter(kind="member_state")) + [meeting.ppt]
writers = []
for d in members:
    for n in (1, 2):
        u, created = User.objects.get_or_create(username=f"bench.{d.code.lower()}.{n}")
        if created:
            u.set_password("bench-password-14"); u.save()
            Delegate.objects.create(user=u, delegation=d)
        writers.append({"username": u.username, "token": ApiToken.objects.get_or_create(user=u)[0].key})
print(json.dumps({"meeting": meeting.pk, "declaration": declaration.pk, "writers": writers}))
"""
    done = subprocess.run(
        [PY, "manage.py", "shell", "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


async def sign_in(base: str, username: str) -> httpx.Cookies:
    async with httpx.AsyncClient(base_url=base) as client:
        page = await client.get("/sign-in/")
        token = page.cookies["csrftoken"]
        response = await client.post(
            "/sign-in/",
            data={"username": username, "password": "bench-password-14", "csrfmiddlewaretoken": token},
            headers={"Referer": base + "/sign-in/"},
        )
        assert response.status_code == 302, (username, response.status_code)
        return client.cookies


class Page:
    def __init__(self, base: str, cookies: httpx.Cookies, meeting: int, declaration: int) -> None:
        self.client = httpx.AsyncClient(base_url=base, cookies=cookies, timeout=30)
        self.live = f"/live/meetings/{meeting}/"
        self.text = f"/declarations/{declaration}/text/"
        self.reloads: list[tuple[float, float]] = []  # (poll sent, reload finished)
        self.errors = 0
        self.polls: list[float] = []  # seconds each poll took
        self.full = 0  # reloads of the whole page (more than single paragraphs changed)

    @staticmethod
    def _after(body: str) -> int:
        found = re.search(r'id="live-after" data-after="(\d+)"', body)
        return int(found.group(1)) if found else 0

    async def run(self, stop: float) -> None:
        first = await self.client.get(self.text)
        found = re.search(r'data-live="([^"]+)" data-etag="([^"]+)"', first.text)
        assert found, first.status_code
        self.live, etag = html.unescape(found.group(1)), html.unescape(found.group(2))
        after = self._after(first.text)
        await asyncio.sleep(random.random() * POLL)
        while time.monotonic() < stop:
            sent = time.monotonic()
            try:
                response = await self.client.get(self.live, headers={"If-None-Match": etag})
                self.polls.append(time.monotonic() - sent)
                if response.status_code == 200 and response.headers.get("etag") != etag:
                    etag = response.headers["etag"]
                    # as live.js: the changed paragraphs, or the whole page when asked to
                    patch = await self.client.get(f"{self.text}?changed_since={after}", headers={"HX-Request": "true"})
                    if patch.headers.get("hx-trigger"):
                        patch = await self.client.get(self.text, headers={"HX-Request": "true"})
                        self.full += 1
                    if patch.status_code != 200:
                        self.errors += 1
                    after = self._after(patch.text) or after
                    self.reloads.append((sent, time.monotonic()))
                elif response.status_code not in (200, 304):
                    self.errors += 1
            except httpx.HTTPError:
                self.errors += 1
            await asyncio.sleep(POLL)
        await self.client.aclose()


async def writer(
    base: str, token: str, declaration: int, every: float, start: float, stop: float, log: list[float]
) -> None:
    # a fresh connection per request: a writer is idle for seconds between actions
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Token {token}"}, timeout=30, limits=limits
    ) as api:
        text = (await api.get(f"/api/declarations/{declaration}/working-text/")).json()
        paragraphs = [p["paragraph"] for s in text["sections"] for p in s["paragraphs"]]
        mine: list[int] = []
        await asyncio.sleep(max(0.0, start - time.monotonic()))
        while time.monotonic() < stop:
            await asyncio.sleep(random.expovariate(1 / every))
            if time.monotonic() >= stop:
                break
            current = (await api.get(f"/api/declarations/{declaration}/working-text/")).json()
            pending = [q["id"] for s in current["sections"] for p in s["paragraphs"] for q in p["proposals"]]
            others = [q for q in pending if q not in mine]
            choice = random.random()
            if choice < 0.4 or not others:
                response = await api.post(
                    "/api/proposals/",
                    json={
                        "declaration": declaration,
                        "revision": current["revision"]["id"],
                        "paragraph": random.choice(paragraphs),
                        "kind": "insert_after",
                        "text": f"A new paragraph from the bench, {random.randint(0, 10**6)}.",
                    },
                )
                if response.status_code == 201:
                    mine.append(response.json()["id"])
            elif choice < 0.75:
                response = await api.post(f"/api/proposals/{random.choice(others)}/support/")
            else:
                response = await api.post(
                    f"/api/proposals/{random.choice(others)}/object/", json={"reason": "Not agreed language"}
                )
            if response.status_code < 300:
                log.append(time.monotonic())


def latencies(writes: list[float], pages: list[Page]) -> list[float]:
    out = []
    for w in writes:
        for page in pages:
            after = [done for sent, done in page.reloads if sent >= w]
            if after:
                out.append(min(after) - w)
    return out


async def main_async(args: argparse.Namespace, bases: list[str], world: dict[str, Any]) -> dict[str, Any]:
    users = [w["username"] for w in world["writers"]]
    cookies = {}
    for i, base in enumerate(bases):
        for username in users:
            cookies[(i, username)] = await sign_in(base, username)
    start = time.monotonic() + args.warmup  # the pages open meanwhile; writes start after
    stop = start + args.seconds
    pages = [
        Page(bases[i % 2], cookies[(i % 2, users[i % len(users)])], world["meeting"], world["declaration"])
        for i in range(args.pages)
    ]
    writes: list[float] = []
    writers = [
        writer(bases[i % 2], w["token"], world["declaration"], args.every, start, stop, writes)
        for i, w in enumerate(world["writers"][: args.writers])
    ]
    await asyncio.gather(*(p.run(stop) for p in pages), *writers)
    # only writes early enough for every page to have polled since
    counted = [w for w in writes if w < stop - 3]
    lat = sorted(latencies(counted, pages))
    polls = sorted(t for p in pages for t in p.polls)  # warm-up included
    return {
        "pages": args.pages,
        "writers": args.writers,
        "every_s": args.every,
        "seconds": args.seconds,
        "web_processes": 2,
        "writes": len(writes),
        "writes_per_s": round(len(writes) / args.seconds, 2),
        "reloads": sum(len(p.reloads) for p in pages),
        "full_reloads": sum(p.full for p in pages),
        "page_errors": sum(p.errors for p in pages),
        "warmup_s": args.warmup,
        "polls": len(polls),
        "polls_per_s": round(len(polls) / args.seconds),
        "poll_p50_ms": round(statistics.median(polls) * 1000) if polls else None,
        "poll_p95_ms": round(polls[int(len(polls) * 0.95) - 1] * 1000) if polls else None,
        "pairs": len(lat),
        "p50_ms": round(statistics.median(lat) * 1000) if lat else None,
        "p95_ms": round(lat[int(len(lat) * 0.95) - 1] * 1000) if lat else None,
        "max_ms": round(lat[-1] * 1000) if lat else None,
        "load": os.getloadavg(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--every", type=float, default=20.0, help="mean seconds between one writer's actions")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per web process")
    parser.add_argument("--warmup", type=float, default=20.0, help="seconds for the pages to open before writing")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
        # not the production profile: its cookies are HTTPS-only and this is plain HTTP on loopback
        "DEBUG": "false",
        "LOGIN_THROTTLE_RATE": "10000/min",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    world = setup(env)
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "backend.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--threads",
                "4",
                "-k",
                "gthread",
                "--keep-alive",
                "75",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        for port in ports
    ]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        deadline = time.monotonic() + 60
        for base in bases:
            while True:
                try:
                    if httpx.get(base + "/sign-in/", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, "the web processes did not start"
                time.sleep(0.3)
        result = asyncio.run(main_async(args, bases, world))
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
    print(json.dumps(result, indent=2))
    (OUT / "live-latest.json").write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
