"""Soak: a workshop's worth of delegations on the real stack, then invariants.

    .venv/bin/python bench/soak.py --seconds 60 --clients 100
    .venv/bin/python bench/soak.py --fault redis      # Redis stopped for 30 s during the mixed phase
    .venv/bin/python bench/soak.py --fault postgres   # PostgreSQL restarted during the mixed phase

Loopback only, bounded in time and in requests, stops by itself:

1. drops and creates the database ``consenso_soak`` (127.0.0.1:5432, user
   postgres), migrates, loads the demo workshop (``load_demo``) and adds a
   delegate user for every member delegation (all 11 registered present),
   the PPT, the Technical Secretariat and observers (bench/soak_world.py);
2. starts gunicorn (production profile, ``-w 5``) on 127.0.0.1:8731 (or a free
   port), a Celery worker (prefork, concurrency 1) and beat on Redis db 9;
3. runs three phases of asyncio + httpx clients (bench/soak_load.py), every
   request logged with its outcome: **mixed** (``--clients`` clients for
   ``--seconds``: members read the draft and the working text, submit,
   support, object to and withdraw proposals, object to paragraphs and ask for
   the compilation; observers read (and try writes they may not make); the PPT
   accepts, rejects, agrees, reopens, brackets and issues revisions; the TS
   reads, exports and issues revisions), then **read** (``--read-clients``
   clients reading the current draft only) and **submit** (``--submit-clients``
   members submitting proposals only);
4. waits for the worker to finish every export, stops the processes, and
   checks the invariants (bench/soak_invariants.py) against the database;
5. prints per-operation throughput and p50/p99, the CPU split and the
   invariants, and writes bench/out/soak-<UTC>.json and the request log
   (bench/out/soak-<UTC>-requests.jsonl).

Exit status: 0 when every invariant held (and, under a fault, the fault's own
checks held), 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import soak_world as sw  # noqa: E402
from bench.soak_load import Shared, records_as_dicts, run_phase  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
PG_VERSION = sorted(p.name for p in Path("/etc/postgresql").iterdir())[0] if Path("/etc/postgresql").exists() else "15"
REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379", "--save", "",
    "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log",
]  # fmt: skip


# --- CPU ------------------------------------------------------------------------------
def _stat(pid: int) -> tuple[str, int, int, int] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm = raw[raw.index("(") + 1 : raw.rindex(")")]
    f = raw[raw.rindex(")") + 2 :].split()
    return comm, int(f[1]), int(f[3]), int(f[11]) + int(f[12])  # comm, ppid, session, utime+stime


def _machine_busy() -> float:
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    return (sum(parts) - parts[3] - parts[4]) / CLK_TCK


class Cpu:
    """CPU seconds by group, sampled every 0.5 s (processes that come and go count
    too): gunicorn, the Celery worker and beat (their sessions), PostgreSQL
    backends of the soak database, this client process, and everything else."""

    def __init__(self, sessions: dict[str, int], database: str) -> None:
        self.sessions, self.database = sessions, database
        self.first: dict[tuple[str, int], int] = {}
        self.last: dict[tuple[str, int], int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> dict[tuple[str, int], int]:
        by_session = {sid: name for name, sid in self.sessions.items()}
        seen: dict[tuple[str, int], int] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            pid = int(entry)
            st = _stat(pid)
            if st is None:
                continue
            comm, _, session, ticks = st
            if pid == os.getpid():
                seen[("client", pid)] = ticks
            elif session in by_session:
                seen[(by_session[session], pid)] = ticks
            elif comm.startswith("postgres"):
                try:
                    cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
                except OSError:
                    continue
                if f" {self.database} ".encode() in cmd:
                    seen[("postgres", pid)] = ticks
        return seen

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            for key, ticks in self._sample().items():
                self.first.setdefault(key, 0)  # first seen in the window: started within it
                self.last[key] = ticks

    def __enter__(self) -> Cpu:
        base = self._sample()
        self.first, self.last = dict(base), dict(base)
        self.m0, self.t0 = _machine_busy(), time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        for key, ticks in self._sample().items():
            self.first.setdefault(key, 0)
            self.last[key] = ticks
        self.m1, self.t1 = _machine_busy(), time.monotonic()

    def cores(self) -> dict[str, float]:
        wall = self.t1 - self.t0
        groups: dict[str, float] = defaultdict(float)
        for key, ticks in self.last.items():
            groups[key[0]] += (ticks - self.first.get(key, 0)) / CLK_TCK / wall
        machine = (self.m1 - self.m0) / wall
        out = {k: round(v, 2) for k, v in sorted(groups.items())}
        out["others"] = round(max(0.0, machine - sum(groups.values())), 2)
        out["machine"] = round(machine, 2)
        return out


# --- Figures --------------------------------------------------------------------------
def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))]


def figures(recs: list[dict[str, Any]], wall: float) -> dict[str, Any]:
    ops: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in recs:
        ops[r["op"]].append(r)
    out: dict[str, Any] = {}
    for op, rs in sorted(ops.items()):
        answered = [r["ms"] for r in rs if r["status"]]
        ok = [r for r in rs if 200 <= r["status"] < 300]
        per_second = Counter(int(r["t"]) for r in ok)
        seconds = [per_second.get(s, 0) for s in range(1, max(1, int(wall)) - 1)]
        out[op] = {
            "n": len(rs),
            "ok": len(ok),
            "per_s": round(len(ok) / wall, 1),
            "all_per_s": round(len(rs) / wall, 1),
            "min_ok_per_s": min(seconds) if seconds else None,
            "median_ok_per_s": statistics.median(seconds) if seconds else None,
            "p50": round(pct(answered, 50), 1),
            "p99": round(pct(answered, 99), 1),
            "max": round(max(answered), 1) if answered else None,
            "status": dict(sorted(Counter(str(r["status"]) for r in rs).items())),
        }
    out["_all"] = {"n": len(recs), "per_s": round(len(recs) / wall, 1), "wall_s": round(wall, 2)}
    return out


def table(phase: str, fig: dict[str, Any]) -> str:
    lines = [
        f"**{phase}** ({fig['_all']['n']:,} requests in {fig['_all']['wall_s']} s, {fig['_all']['per_s']} req/s)",
        "",
        "| operation | requests | 2xx/s | p50 ms | p99 ms | statuses |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for op, f in fig.items():
        if op.startswith("_"):
            continue
        statuses = ", ".join(f"{k}: {v}" for k, v in f["status"].items())
        lines.append(f"| {op} | {f['n']:,} | {f['per_s']} | {f['p50']} | {f['p99']} | {statuses} |")
    return "\n".join(lines)


# --- Faults during the soak -------------------------------------------------------------
def redis_answers() -> bool:
    r = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "ping"], capture_output=True, text=True)
    return r.stdout.strip() == "PONG"


def redis_outage(seconds: float, marks: dict[str, float], t0: float) -> None:
    """Stop this machine's Redis for ``seconds``; always start it again."""
    try:
        subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave"], capture_output=True)
        deadline = time.monotonic() + 10
        while redis_answers() and time.monotonic() < deadline:
            time.sleep(0.1)
        marks["down"] = time.perf_counter() - t0
        time.sleep(seconds)
    finally:
        Path("/var/lib/redis").mkdir(parents=True, exist_ok=True)
        Path("/var/log/redis").mkdir(parents=True, exist_ok=True)
        subprocess.run(REDIS_START, capture_output=True)
        deadline = time.monotonic() + 30
        while not redis_answers() and time.monotonic() < deadline:
            time.sleep(0.1)
        marks["up"] = time.perf_counter() - t0
        sw.log(f"Redis is back after {marks['up'] - marks.get('down', marks['up']):.1f} s")


def pg_answers() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", sw.PG_HOST, "-p", str(sw.PG_PORT)]).returncode == 0


def postgres_restart(marks: dict[str, float], t0: float) -> None:
    marks["down"] = time.perf_counter() - t0
    try:
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, "main", "restart"],
                       capture_output=True, timeout=120)  # fmt: skip
    finally:
        deadline = time.monotonic() + 60
        while not pg_answers() and time.monotonic() < deadline:
            time.sleep(0.2)
        if not pg_answers():  # never leave the machine without its database
            subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, "main", "start"], timeout=120)
        marks["up"] = time.perf_counter() - t0
        sw.log(f"PostgreSQL restarted ({marks['up'] - marks['down']:.1f} s)")


def fault_checks(kind: str, recs: list[dict[str, Any]], marks: dict[str, float]) -> dict[str, Any]:
    """What the clients saw around the fault."""
    down, up = marks.get("down", 0.0), marks.get("up", 0.0)
    slack = 2.0
    during = [r for r in recs if down <= r["t"] <= up + slack]
    after = [r for r in recs if r["t"] > up + 5]
    statuses = Counter(str(r["status"]) for r in during)
    submits = [r for r in during if r["op"] == "submit"]
    exports = [r for r in during if r["op"].startswith("export_")]
    out: dict[str, Any] = {
        "window_s": [round(down, 2), round(up, 2)],
        "during": dict(sorted(statuses.items())),
        "submits_during": dict(sorted(Counter(str(r["status"]) for r in submits).items())),
        "exports_during": dict(sorted(Counter(str(r["status"]) for r in exports).items())),
        "after": dict(sorted(Counter(str(r["status"]) for r in after).items())),
        "500s_anywhere": sum(1 for r in recs if r["status"] >= 500 and r["status"] != 503),
        "export_ids_during": sorted({r["created"] for r in exports if r.get("created")}),
    }
    checks: dict[str, bool] = {"no 500s": out["500s_anywhere"] == 0}
    if kind == "redis":
        ok = sum(1 for r in submits if r["status"] == 201)
        checks["proposal writes kept succeeding while Redis was down"] = ok > 0 and not any(
            r["status"] >= 500 or r["status"] == 0 for r in submits
        )
        checks["exports were accepted while Redis was down"] = any(r["status"] in (200, 201) for r in exports)
    if kind == "postgres":
        bad = [r for r in during if r["status"] >= 500 and r["status"] != 503]
        checks["only 503s (no 500s) while PostgreSQL was down"] = not bad
        checks["service resumed by itself"] = bool(after) and any(200 <= int(s) < 300 for s in out["after"])
        out["503s_during"] = statuses.get("503", 0)
        out["no_answer_during"] = statuses.get("0", 0)
    out["checks"] = checks
    return out


# --- Main -----------------------------------------------------------------------------
def seat_list(world: sw.World, n: int, kinds: dict[str, int] | None = None) -> list[sw.Seat]:
    """``n`` clients over the seats: 3 % PPT (at least 1), 2 % TS, 10 % observers, the rest members."""
    if kinds is None:
        ppt, ts, obs = max(1, round(n * 0.03)), max(1, round(n * 0.02)), round(n * 0.10)
        kinds = {"ppt": ppt, "ts": ts, "observer": obs, "member": max(1, n - ppt - ts - obs)}
    out: list[sw.Seat] = []
    for kind, count in kinds.items():
        pool = world.by_kind(kind)
        out += [pool[i % len(pool)] for i in range(count)]
    return out[:n] if len(out) > n else out


def drain_exports(seconds: float, *, sweep: bool = False) -> dict[str, int]:
    """Wait until no export job is queued or running. With ``sweep``, play
    beat's part here (the export sweep every 2 s), for runs without beat."""
    from django.db import connections

    from drafting.models import ExportJob

    deadline = time.monotonic() + seconds
    while True:
        try:
            live = ExportJob.objects.filter(status__in=["queued", "running"]).count()
            if live and sweep:
                from workers.tasks import export_sweep

                export_sweep.apply()
        except Exception:  # the database restarting under a fault: try again
            connections.close_all()
            live = -1
        if live == 0 or time.monotonic() > deadline:
            break
        time.sleep(2)
    return dict(Counter(ExportJob.objects.values_list("status", flat=True)))


def redis_uptime() -> int | None:
    """Redis's uptime: if it shrank during a run, someone restarted it (other
    sessions' tests stop it on purpose), and queued messages were lost with it."""
    r = subprocess.run(["redis-cli", "-h", "127.0.0.1", "info", "server"], capture_output=True, text=True)
    for line in r.stdout.splitlines():
        if line.startswith("uptime_in_seconds:"):
            return int(line.split(":")[1])
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=60, help="mixed phase (default 60)")
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--read-seconds", type=float, default=15, help="read-only phase (0: skip)")
    ap.add_argument("--read-clients", type=int, default=50)
    ap.add_argument("--paced-seconds", type=float, default=15, help="paced read phase (0: skip)")
    ap.add_argument("--read-interval", type=float, default=1.0, help="paced phase: each reader every N s")
    ap.add_argument("--submit-seconds", type=float, default=15, help="submit-only phase (0: skip)")
    ap.add_argument("--submit-clients", type=int, default=50)
    ap.add_argument("--workers", type=int, default=5, help="gunicorn sync workers (default 2 × cores + 1)")
    ap.add_argument("--port", type=int, default=sw.DEFAULT_PORT)
    ap.add_argument("--max-requests", type=int, default=400_000, help="per phase, a bound besides time")
    ap.add_argument("--revision-every", type=float, default=15.0, help="seconds between revisions issued")
    ap.add_argument("--export-every", type=float, default=1.0, help="seconds between export requests")
    ap.add_argument("--fault", choices=["none", "redis", "postgres"], default="none")
    ap.add_argument("--fault-at", type=float, default=15.0, help="seconds into the mixed phase")
    ap.add_argument("--fault-seconds", type=float, default=30.0, help="Redis outage length")
    ap.add_argument("--drain-seconds", type=float, default=300.0, help="wait for exports at most this long")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    if args.fault == "redis" and args.seconds < args.fault_at + args.fault_seconds + 10:
        args.seconds = args.fault_at + args.fault_seconds + 15
        sw.log(f"mixed phase lengthened to {args.seconds:.0f} s to cover the outage")

    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    sw.OUT.mkdir(parents=True, exist_ok=True)
    media = sw.OUT / f"soak-media-{stamp}"
    env = sw.base_env(redis=sw.redis_url(), media=media)
    env["EXPORT_SWEEP_SECONDS"] = env["SILENCE_SWEEP_SECONDS"] = "5"
    # A job handed to the broker but not picked up within this is handed over
    # again by the sweep (the default is 60 s; a lost message costs that much).
    env["CONSENSO_EXPORT_REDISPATCH_SECONDS"] = "10"

    sw.log(f"fresh database {sw.DB_NAME}, Redis db {sw.REDIS_DB} (SOAK_REDIS_DB to change)")
    if sw.redis_db_in_use():
        sw.log(f"WARNING: {sw.redis_db_in_use()} clients already on Redis db {sw.REDIS_DB}: another session's?")
    sw.recreate_database()
    sw.flush_redis()
    sw.django_setup(env)
    world = sw.populate()
    sw.log(f"{len(world.seats)} seats; declaration {world.declaration_id}")
    port = sw.free_port(args.port)
    logs = sw.OUT / f"soak-{stamp}"
    server = worker = beat = None
    results: list[Any] = []
    report: dict[str, Any] = {"stamp": stamp, "args": vars(args), "machine": sw.machine(), "port": port}
    phases: dict[str, Any] = {}
    redis_up0, t_start = redis_uptime(), time.monotonic()
    all_recs: list[dict[str, Any]] = []
    try:
        server = sw.start_server(env, port=port, workers=args.workers, log_file=Path(f"{logs}-gunicorn.log"))
        worker = sw.start_worker(env, log_file=Path(f"{logs}-worker.log"))
        beat = sw.start_beat(env, log_file=Path(f"{logs}-beat.log"))
        sw.wait_worker()
        sw.log(f"gunicorn -w {args.workers} on 127.0.0.1:{port}, worker {worker.pid}, beat {beat.pid}")
        from django.db import connections

        connections.close_all()
        base = f"http://127.0.0.1:{port}"
        shared = Shared(world.declaration_id, revision_every=args.revision_every, export_every=args.export_every)
        plan: list[tuple[str, float, list[sw.Seat], Any, float]] = [
            ("mixed", args.seconds, seat_list(world, args.clients), None, 0.0)
        ]
        members = args.read_clients * 9 // 10
        readers = seat_list(world, args.read_clients, {"member": members, "observer": args.read_clients - members})
        only_read = {"member": [("read_text", 1.0)], "observer": [("read_text", 1.0)]}
        if args.read_seconds:
            plan.append(("read", args.read_seconds, readers, only_read, 0.0))
        if args.paced_seconds:
            plan.append(("read_paced", args.paced_seconds, readers, only_read, args.read_interval))
        if args.submit_seconds:
            submitters = seat_list(world, args.submit_clients, {"member": args.submit_clients})
            plan.append(("submit", args.submit_seconds, submitters, {"member": [("submit", 1.0)]}, 0.0))
        sessions = {"gunicorn": server.pid, "worker": worker.pid, "beat": beat.pid}
        for name, seconds, seats, mix, interval in plan:
            marks: dict[str, float] = {}
            fault_thread = None
            t0 = time.perf_counter()
            if name == "mixed" and args.fault != "none":
                if args.fault == "redis":
                    timer = threading.Timer(args.fault_at, redis_outage, (args.fault_seconds, marks, t0))
                else:
                    timer = threading.Timer(args.fault_at, postgres_restart, (marks, t0))
                timer.daemon = True
                timer.start()
                fault_thread = timer
            sw.log(f"phase {name}: {len(seats)} clients for {seconds:.0f} s")
            with Cpu(sessions, sw.DB_NAME) as cpu:
                phase = run_phase(
                    phase=name, base=base, shared=shared, seats=seats, seconds=seconds, mix=mix,
                    max_requests=args.max_requests, seed=args.seed, interval=interval,
                )  # fmt: skip
                recs, wall = asyncio.run(phase)
            if fault_thread is not None:
                fault_thread.join()
            dicts = records_as_dicts(recs)
            # Phase times in the records are relative to the phase's own clock start.
            all_recs += dicts
            fig = figures(dicts, wall)
            phases[name] = {"clients": len(seats), "seconds": seconds, "figures": fig, "cpu": cpu.cores()}
            if marks:
                phases[name]["fault"] = fault_checks(args.fault, dicts, marks)
            print(table(name, fig), flush=True)
            print(f"CPU (cores): {phases[name]['cpu']}", flush=True)
            if marks:
                print(f"fault: {json.dumps(phases[name]['fault'], default=str)}", flush=True)
        sw.log("waiting for the worker to finish the exports")
        report["exports_after_drain"] = drain_exports(args.drain_seconds)
        redis_up1 = redis_uptime()
        elapsed = time.monotonic() - t_start
        restarted = redis_up0 is None or redis_up1 is None or redis_up1 < redis_up0 + elapsed - 5
        report["redis_restarted_during_run"] = bool(restarted) if args.fault != "redis" else "by the fault"
        if restarted and args.fault != "redis":
            sw.log("NOTE: Redis was restarted during the run by someone else (uptime reset)")
    finally:
        sw.stop(server)
        sw.stop(beat)
        sw.stop(worker)
        if args.fault == "redis" and not redis_answers():
            subprocess.run(REDIS_START, capture_output=True)
    from django.db import connections

    connections.close_all()
    from bench.soak_invariants import check_all, summary

    results = check_all(world.declaration_id, all_recs)
    print(summary(results), flush=True)
    from drafting.models import Event, ExportJob, Position, Proposal, Revision

    report["data"] = {
        "proposals": Proposal.objects.count(),
        "proposal_status": dict(Counter(Proposal.objects.values_list("status", flat=True))),
        "positions": Position.objects.count(),
        "events": Event.objects.count(),
        "revisions": Revision.objects.count(),
        "export_jobs": ExportJob.objects.count(),
    }
    print(f"data: {report['data']}", flush=True)
    report["phases"] = phases
    report["invariants"] = [r.as_dict() for r in results]
    out = sw.OUT / f"soak-{stamp}.json"
    out.write_text(json.dumps(report, indent=1, default=str))
    with (sw.OUT / f"soak-{stamp}-requests.jsonl").open("w") as f:
        for r in all_recs:
            f.write(json.dumps(r) + "\n")
    sw.log(f"wrote {out}")
    ok = all(r.held for r in results)
    for phase in phases.values():
        if "fault" in phase:
            ok = ok and all(phase["fault"]["checks"].values())
    # Without a fault nothing is down, so a 5xx (even a 503) is a defect: the
    # deadlocks of December 2026 showed up only as a few 503s among thousands.
    server_errors = Counter(f"{r['op']} {r['status']}" for r in all_recs if r["status"] >= 500)
    if args.fault == "none" and server_errors:
        sw.log(f"FAILED: server errors without a fault: {dict(server_errors)} (see {logs}-gunicorn.log)")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
