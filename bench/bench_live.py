"""Update latency of the live room: 200 open text pages while 20 delegations
write, on TWO web processes sharing PostgreSQL.

    .venv/bin/python bench/bench_live.py --mode stream|poll [--pages 200] [--writers 20] [--every 20] [--seconds 60]

``--mode stream`` (the default): two uvicorn servers with ``REDIS_URL`` (db
``BENCH_LIVE_REDIS_DB``, 6), each page holding one event stream
(backend/pages/stream.py) as live.js does: a ``patch`` event is the update
itself, a ``changed`` event makes the page fetch its text. ``--mode poll``:
two gunicorn servers without Redis, each page polling as below.

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

Latency of a write on a page: from the writer's response to the moment the
page shows it. Right after its response each writer reads the declaration's
latest event id (so at least its own write's); the page shows the write once
an update brings it to that event or a later one (the ``id`` of a stream's
event; the ``data-after`` of a fetched patch or page). Reports p50/p95/max
over every (write, page) pair, the CPU seconds per second of the web servers,
of this client and of the whole machine, and the load average.
Raw: bench/out/live-latest.json.
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
PY = sys.executable
DB = os.environ.get("BENCH_LIVE_DB", "consenso_bench_live")  # dropped and created
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
        self.shown: list[tuple[float, int]] = []  # (when, the last event the page then shows)
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
                    self.shown.append((time.monotonic(), after))
                elif response.status_code not in (200, 304):
                    self.errors += 1
            except httpx.HTTPError:
                self.errors += 1
            await asyncio.sleep(POLL)
        await self.client.aclose()

    async def stream(self, stop: float) -> None:
        """What live.js does with an event stream."""
        first = await self.client.get(self.text)
        found = re.search(r'data-stream="([^"]+)"', first.text)
        assert found, "no event stream offered: REDIS_URL and an ASGI server are needed"
        url = html.unescape(found.group(1))
        last_id = ""
        while time.monotonic() < stop:
            headers = {"Accept": "text/event-stream"} | ({"Last-Event-ID": last_id} if last_id else {})
            try:
                async with asyncio.timeout(max(0.1, stop - time.monotonic())):
                    async with self.client.stream("GET", url, headers=headers, timeout=None) as response:
                        if response.status_code != 200:
                            self.errors += 1
                            await asyncio.sleep(1)
                            continue
                        event, data = "", []
                        async for line in response.aiter_lines():
                            if line.startswith("event: "):
                                event = line[7:]
                            elif line.startswith("id: "):
                                last_id = line[4:]
                            elif line.startswith("data: "):
                                data.append(line[6:])
                            elif line == "" and event:
                                now = time.monotonic()
                                if event == "patch":
                                    self.shown.append((now, int(last_id)))
                                    self.reloads.append((now, now))
                                elif event == "changed":
                                    page = await self.client.get(self.text, headers={"HX-Request": "true"})
                                    self.full += 1
                                    if page.status_code != 200:
                                        self.errors += 1
                                    self.shown.append((time.monotonic(), self._after(page.text)))
                                    self.reloads.append((now, time.monotonic()))
                                event, data = "", []
            except TimeoutError:
                break
            except httpx.HTTPError:
                self.errors += 1
                await asyncio.sleep(1)
        await self.client.aclose()


async def writer(
    base: str,
    token: str,
    declaration: int,
    every: float,
    start: float,
    stop: float,
    log: list[float],
    marks: list[tuple[float, int]],
    db: Any,
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
                done = time.monotonic()
                log.append(done)
                async with db.cursor() as cursor:  # at least this write's own event (committed)
                    await cursor.execute("SELECT max(id) FROM drafting_event WHERE declaration_id = %s", [declaration])
                    row = await cursor.fetchone()
                marks.append((done, int(row[0])))


def latencies(marks: list[tuple[float, int]], pages: list[Page]) -> list[float]:
    """For each write and page: when the page first showed that write's event or a later one."""
    out = []
    for done, event in marks:
        for page in pages:
            seen = [when for when, after in page.shown if after >= event]
            if seen:
                out.append(max(0.0, min(seen) - done))
    return out


def proc_cpu(pid: int) -> float:
    """CPU seconds of a process and its descendants (alive now)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        todo.extend(children.get(p, []))
    return total


def machine_cpu() -> float:
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait


async def main_async(
    args: argparse.Namespace, bases: list[str], world: dict[str, Any], servers: list[int]
) -> dict[str, Any]:
    import psycopg

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
    marks: list[tuple[float, int]] = []
    db = await psycopg.AsyncConnection.connect(f"postgresql://postgres@127.0.0.1:5432/{DB}", autocommit=True)
    writers = [
        writer(bases[i % 2], w["token"], world["declaration"], args.every, start, stop, writes, marks, db)
        for i, w in enumerate(world["writers"][: args.writers])
    ]

    async def window() -> dict[str, float]:
        """CPU over the writing window (after the pages opened)."""
        await asyncio.sleep(max(0.0, start - time.monotonic()))
        before = (sum(proc_cpu(p) for p in servers), time.process_time(), machine_cpu(), time.monotonic())
        await asyncio.sleep(max(0.0, stop - time.monotonic() - 1))
        after = (sum(proc_cpu(p) for p in servers), time.process_time(), machine_cpu(), time.monotonic())
        span = after[3] - before[3]
        return {
            "servers_cpu_per_s": round((after[0] - before[0]) / span, 2),
            "client_cpu_per_s": round((after[1] - before[1]) / span, 2),
            "machine_cpu_per_s": round((after[2] - before[2]) / span, 2),
        }

    runs = [p.stream(stop) if args.mode == "stream" else p.run(stop) for p in pages]
    measuring = asyncio.create_task(window())
    await asyncio.gather(*runs, *writers)
    cpu = await measuring
    await db.close()
    # only writes early enough for every page to have been told since
    lat = sorted(latencies([m for m in marks if m[0] < stop - 3], pages))
    polls = sorted(t for p in pages for t in p.polls)  # warm-up included
    return {
        "mode": args.mode,
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
        **cpu,
        "load": os.getloadavg(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=("stream", "poll"), default="stream")
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
    # two ports: BENCH_LIVE_PORTS="8142,8143", else free ones
    wanted = os.environ.get("BENCH_LIVE_PORTS", "")
    ports = [int(p) for p in wanted.split(",")] if wanted else [free_port(), free_port()]
    if args.mode == "stream":
        env["REDIS_URL"] = f"redis://127.0.0.1:6379/{os.environ.get('BENCH_LIVE_REDIS_DB', '6')}"
        env["CONSENSO_JOBS"] = "inline"  # no worker needed: the bench makes no exports
        command = [sys.executable, "-m", "uvicorn", "backend.asgi:application", "--lifespan", "off"]
        command += ["--workers", str(args.workers), "--log-level", "warning", "--no-access-log", "--host", "127.0.0.1"]
        command += ["--timeout-graceful-shutdown", "3"]
        commands = [[*command, "--port", str(port)] for port in ports]
    else:
        command = [sys.executable, "-m", "gunicorn", "backend.wsgi", "--workers", str(args.workers), "--threads", "4"]
        command += ["-k", "gthread", "--keep-alive", "75", "--log-level", "warning"]
        commands = [[*command, "-b", f"127.0.0.1:{port}"] for port in ports]
    servers = [subprocess.Popen(c, cwd=ROOT, env=env) for c in commands]
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
        result = asyncio.run(main_async(args, bases, world, [s.pid for s in servers]))
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
    print(json.dumps(result, indent=2))
    (OUT / f"live-{args.mode}-latest.json").write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
