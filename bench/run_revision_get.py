"""Benchmark GET /api/revisions/{id}/ against the framework's ceiling.

    bench/run_revision_get.sh [--ref HEAD] [--rebuild] [--workers N] [--duration 20] [--warmup 5]

By default it measures the working tree. ``--ref REF`` measures a commit
instead: ``git archive REF`` is unpacked under bench/out/src/ (with this
bench/ copied over it) and the data build, the server and the profile all run
from there, so code that others are editing meanwhile cannot change what is
measured halfway.

One run, one gunicorn server (production profile, PostgreSQL), wrk with 50
connections against, in turn:

* ``ours``: GET /api/revisions/{id}/ of a 200-paragraph revision with 2,000
  proposals (token auth, as a member delegate);
* ``ceiling``: a bench-only Django view returning the same bytes,
  precomputed (bench/views.py: no auth, no database, no rendering).
  (The two cached-body prototypes once measured beside them landed in the
  product: backend/api/rendered.py and backend/api/auth.py; issue 18 removed them.)

Before loading it checks the responses (200, 200 paragraphs, 2,000 proposals,
the ceiling body byte-identical). It prints a table and the markdown rows for
bench/RESULTS.md, and writes bench/out/revision_get-<timestamp>.json; then
profiles the request in process (bench/profile_revision_get.py).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"
# BENCH_VENV: another venv (a git worktree without its own .venv uses the main checkout's,
# with PYTHONPATH pointing at the worktree).
VENV_BIN = Path(os.environ.get("BENCH_VENV", ROOT / ".venv")) / "bin"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
CLK_TCK = os.sysconf("SC_CLK_TCK")
# The static copy of the body, served by WhiteNoise from the same gunicorn (bench.settings'
# WHITENOISE_ROOT): the floor for p99, as the ceiling view is for throughput.
STATIC_ROOT = OUT / "static"
STATIC_NAME = "revision-body.json"
READS = ("revision", "text")


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


# --- Prerequisites -------------------------------------------------------------------
def ensure_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk:
        return wrk
    log("wrk is missing: installing the Debian package")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "wrk"], check=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    )
    wrk = shutil.which("wrk")
    if not wrk:
        raise SystemExit("could not install wrk")
    return wrk


def ensure_bench_deps() -> Path | None:
    """orjson (the profile's rendering comparison) and py-spy (sampling the workers
    under load), installed into bench/out/deps: never into the project's venv, never
    used by the server. Returns py-spy's path, or None."""
    deps = OUT / "deps"
    missing = [
        name
        for name, marker in (("orjson", deps / "orjson"), ("py-spy", deps / "bin" / "py-spy"))
        if not marker.exists()
    ]
    if missing:
        result = subprocess.run(
            [str(VENV_BIN / "pip"), "install", "-q", "--target", str(deps), *missing], capture_output=True, text=True
        )
        if result.returncode != 0:
            log(f"could not install {missing} into bench/out/deps; those steps are skipped")
    py_spy = deps / "bin" / "py-spy"
    return py_spy if py_spy.exists() else None


def prepare_source(ref: str | None) -> tuple[Path, str]:
    """The tree to measure: the working tree, or ``git archive REF`` with this bench/ on top."""
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    if ref is None:
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain"], capture_output=True, text=True
        ).stdout.splitlines()
        return ROOT, f"working tree (HEAD {head}, {len(dirty)} files changed or untracked)"
    sha = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", ref], capture_output=True, text=True, check=True
    ).stdout.strip()
    src = OUT / "src" / sha
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", sha], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
    (src / "bench").mkdir(exist_ok=True)
    for f in BENCH.iterdir():
        if f.is_file() and f.suffix in (".py", ".sh"):
            shutil.copy2(f, src / "bench" / f.name)
    return src, f"commit {sha} ({ref}), bench/ from the working tree"


def dataset_usable(dataset_file: Path, src: Path) -> bool:
    if not dataset_file.exists():
        return False
    import psycopg

    dataset = json.loads(dataset_file.read_text())
    on_disk = sorted(p.stem for p in (src / "drafting" / "migrations").glob("[0-9]*.py"))
    try:
        with psycopg.connect(f"{PG}/{dataset['database']}", connect_timeout=5) as conn:
            applied = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM django_migrations WHERE app = 'drafting' ORDER BY name"
                ).fetchall()
            ]
            if applied != on_disk:
                log("the schema changed since the data set was built (new migrations): rebuilding")
                return False
            row = conn.execute(
                "SELECT (SELECT count(*) FROM drafting_apitoken WHERE key = %s),"
                " (SELECT count(*) FROM drafting_proposal WHERE revision_id = %s),"
                " (SELECT version FROM drafting_declaration WHERE id = %s)",
                [dataset["token"], dataset["revision_id"], dataset["declaration_id"]],
            ).fetchone()
    except psycopg.Error:
        return False
    return row == (1, dataset["proposals"], dataset["declaration_version"])


# --- Measuring CPU -------------------------------------------------------------------
def _proc_stat(pid: int) -> tuple[str, int, int] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    return comm, int(fields[1]), int(fields[11]) + int(fields[12])  # comm, ppid, utime+stime


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _machine_busy() -> float:
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    return (sum(parts) - parts[3] - parts[4]) / CLK_TCK  # all but idle and iowait


class CpuTracker:
    """CPU seconds used by the gunicorn server (master and workers) and by the PostgreSQL
    backends of the bench database (their process title names it), sampled every 0.25 s
    per process, so backends that come and go (CONN_MAX_AGE recycles connections) count
    too; and by the whole machine."""

    def __init__(self, server_pid: int, database: str) -> None:
        self.server_pid, self.database = server_pid, database
        self.baseline: dict[tuple[str, int], int] = {}
        self.latest: dict[tuple[str, int], int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> dict[tuple[str, int], int]:
        seen = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            pid = int(entry)
            stat = _proc_stat(pid)
            if stat is None:
                continue
            comm, ppid, ticks = stat
            if self.server_pid and (pid == self.server_pid or ppid == self.server_pid):
                seen[("gunicorn", pid)] = ticks
            elif comm.startswith("postgres") and f" {self.database} " in _cmdline(pid):
                seen[("postgres", pid)] = ticks
        return seen

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            self.latest.update(self._sample())

    def __enter__(self) -> CpuTracker:
        self.baseline = self._sample()
        self.latest = dict(self.baseline)
        self.machine0, self.t0 = _machine_busy(), time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.latest.update(self._sample())
        self.machine1, self.t1 = _machine_busy(), time.monotonic()

    def seconds(self, kind: str) -> float:
        return sum(v - self.baseline.get(k, 0) for k, v in self.latest.items() if k[0] == kind) / CLK_TCK

    def cores(self, wrk_cpu: float = 0.0) -> dict[str, float]:
        """Average cores used; ``others`` is everything else on the machine (other sessions'
        tests, say): the benchmark is only clean when it stays near 0."""
        wall = self.t1 - self.t0
        gunicorn, postgres = self.seconds("gunicorn") / wall, self.seconds("postgres") / wall
        machine, wrk = (self.machine1 - self.machine0) / wall, wrk_cpu / wall
        return {
            "gunicorn": round(gunicorn, 2),
            "postgres": round(postgres, 2),
            "wrk": round(wrk, 2),
            "others": round(max(0.0, machine - gunicorn - postgres - wrk), 2),
            "machine": round(machine, 2),
        }


def wait_for_quiet(server_pid: int, database: str, *, threshold: float, max_wait: float) -> float:
    """Wait (up to ``max_wait`` s) until the rest of the machine uses under ``threshold`` cores;
    return what it used in the last 2 s sample."""
    deadline = time.monotonic() + max_wait
    told = False
    while True:
        with CpuTracker(server_pid, database) as tracker:
            time.sleep(2)
        others = tracker.cores()["others"]
        if others < threshold or time.monotonic() > deadline:
            if others >= threshold:
                log(f"WARNING: other processes still use {others} cores; measuring anyway")
            return others
        if not told:
            log(f"other processes use {others} cores of {os.cpu_count()}: waiting up to {max_wait:.0f} s")
            told = True


# --- wrk -----------------------------------------------------------------------------
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value.strip())
    if not match:
        raise ValueError(f"unexpected wrk duration {value!r}")
    return round(float(match.group(1)) * _UNITS[match.group(2)], 2)


def parse_wrk(text: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pct in ("50", "75", "90", "99"):
        match = re.search(rf"^\s+{pct}%\s+(\S+)", text, re.M)
        out[f"p{pct}_ms"] = _ms(match.group(1)) if match else None
    match = re.search(r"(\d+) requests in ([\d.]+\w+), ([\d.]+\w+) read", text)
    if match:
        out["requests"] = int(match.group(1))
        out["duration_s"] = round(_ms(match.group(2)) / 1000, 2)
        out["read"] = match.group(3)
    match = re.search(r"Requests/sec:\s+([\d.]+)", text)
    out["rps"] = float(match.group(1)) if match else None
    match = re.search(r"Transfer/sec:\s+(\S+)", text)
    out["transfer_per_s"] = match.group(1) if match else None
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    kinds = ("connect", "read", "write", "timeout")
    out["socket_errors"] = dict(zip(kinds, map(int, match.groups()), strict=True)) if match else {}
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    out["non_2xx"] = int(match.group(1)) if match else 0
    return out


def run_wrk(
    wrk: str,
    url: str,
    *,
    token: str,
    seconds: int,
    connections: int,
    threads: int,
    server_pid: int,
    database: str,
    measure: bool,
    headers: tuple[str, ...] = (),
) -> dict[str, Any]:
    extra = [arg for header in headers for arg in ("-H", header)]
    cmd = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "60s",
        "--latency",
        "-H",
        f"Authorization: Token {token}",
        *extra,
        url,
    ]
    with CpuTracker(server_pid, database) as tracker:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        text = proc.stdout.read() if proc.stdout else ""  # until wrk exits
        _, wait_status, usage = os.wait4(proc.pid, 0)  # reaps wrk, with the CPU time of all its threads
        proc.returncode = os.waitstatus_to_exitcode(wait_status)
        wrk_cpu = usage.ru_utime + usage.ru_stime
    if proc.returncode != 0:
        raise SystemExit(f"wrk failed ({proc.returncode}):\n{text}")
    result = parse_wrk(text)
    if measure:
        result["cpu_cores"] = tracker.cores(wrk_cpu)
        if result.get("requests"):
            # CPU cost of one request: robust to other load on the machine, unlike req/s.
            result["cpu_ms_per_request"] = {
                k: round(tracker.seconds(k) * 1000 / result["requests"], 2) for k in ("gunicorn", "postgres")
            }
        result["wrk_output"] = text
    return result


# --- HTTP checks ---------------------------------------------------------------------
def http_get(url: str, token: str | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _text_counts(data: dict[str, Any]) -> tuple[int, int, int | None]:
    """(paragraphs, proposals, positions) of a text body: the lean body counts its
    proposals in each paragraph's ``proposal_summary`` (positions unknown: None), the
    inline one lists them."""
    paragraphs = [p for s in data["sections"] for p in s["paragraphs"]]
    if all(isinstance(p.get("proposals"), list) for p in paragraphs):
        proposals = [q for p in paragraphs for q in p["proposals"]]
        return len(paragraphs), len(proposals), sum(len(q["support"]) + len(q["objections"]) for q in proposals)
    return len(paragraphs), sum(p["proposal_summary"]["count"] for p in paragraphs), None


def check_responses(base: str, dataset: dict[str, Any], ceiling_body_file: Path) -> dict[str, Any]:
    """The measured endpoints answer what they should, and the ceiling (and the static copy,
    written here for the server's next start) serve the very same bytes."""
    rid, did, token = dataset["revision_id"], dataset["declaration_id"], dataset["token"]
    status, headers, body = http_get(f"{base}/api/revisions/{rid}/", token)
    assert status == 200, f"GET /api/revisions/{rid}/ answered {status}: {body[:300]!r}"
    assert headers.get("Content-Type", "").startswith("application/json"), headers
    n_paragraphs, n_proposals, positions = _text_counts(json.loads(body))
    assert n_paragraphs == dataset["paragraphs"] == 200, n_paragraphs
    assert n_proposals == dataset["proposals"] == 2000, n_proposals
    inline_bytes = len(body)
    if positions is None:  # the lean body: the proposals themselves on request
        status, _, inline = http_get(f"{base}/api/revisions/{rid}/?proposals=inline", token)
        assert status == 200, status
        _, inline_proposals, positions = _text_counts(json.loads(inline))
        assert inline_proposals == n_proposals, inline_proposals
        inline_bytes = len(inline)
    assert positions == dataset["positions"], (positions, dataset["positions"])
    assert headers.get("ETag"), "the revision text carries an ETag"
    status, text_headers, text_body = http_get(f"{base}/api/declarations/{did}/text/", token)
    assert status == 200, status
    assert text_body == body, "the current draft is the same body as its revision"
    status_304, _, empty = http_get_if_none_match(f"{base}/api/revisions/{rid}/", token, headers["ETag"])
    assert status_304 == 304 and empty == b"", status_304
    status_anon, _, _ = http_get(f"{base}/api/revisions/{rid}/")
    assert status_anon == 401, f"an anonymous GET must be refused, got {status_anon}"

    ceiling_body_file.parent.mkdir(parents=True, exist_ok=True)
    ceiling_body_file.write_bytes(body)
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    (STATIC_ROOT / STATIC_NAME).write_bytes(body)
    status, _, ceiling = http_get(f"{base}/bench/ceiling/", token)
    assert status == 200, status
    assert len(ceiling) == len(body), (len(ceiling), len(body))
    assert ceiling == body, "the ceiling serves the very same bytes"
    return {
        "body_bytes": len(body),
        "inline_body_bytes": inline_bytes,
        "paragraphs": n_paragraphs,
        "proposals": n_proposals,
        "positions": positions,
        "etag": headers.get("ETag"),
        "text_etag": text_headers.get("ETag"),
        "ceiling_body_bytes": len(ceiling),
        "ceiling_identical": True,
        "anonymous_status": status_anon,
    }


def check_static(base: str, body: bytes) -> None:
    status, _, served = http_get(f"{base}/{STATIC_NAME}")
    assert status == 200, f"the static copy answered {status}"
    assert served == body, "the static file serves the very same bytes"


def http_get_if_none_match(url: str, token: str, etag: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}", "If-None-Match": etag})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


# --- Server --------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(*, workers: int, port: int, env: dict[str, str], log_file: Path, src: Path) -> subprocess.Popen[bytes]:
    cmd = [
        str(VENV_BIN / "gunicorn"),
        "backend.wsgi",
        "-w",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(src),
        "--log-level",
        "warning",
        "--backlog",
        "2048",
        "--timeout",
        "120",
    ]
    log(" ".join(cmd[0:1] + [c for c in cmd[1:]]))
    server = subprocess.Popen(
        cmd, env=env, stdout=log_file.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited at start-up; see {log_file}")
        try:
            if http_get(f"http://127.0.0.1:{port}/api/health/")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(server)
    raise SystemExit(f"gunicorn did not answer within 30 s; see {log_file}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # the master stops its workers
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- Machine -------------------------------------------------------------------------
def machine_info(database: str) -> dict[str, Any]:
    def sh(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return ""

    cpu_model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu_model = line.split(":", 1)[1].strip()
            break
    import django
    import gunicorn  # type: ignore[import-untyped]
    import rest_framework

    return {
        "nproc": int(sh(["nproc"]) or 0),
        "cpu_model": cpu_model,
        "memory": sh(["free", "-h"]).splitlines()[1].split()[1] if sh(["free", "-h"]) else "",
        "kernel": platform.release(),
        "git_head": sh(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]),
        "git_uncommitted_files": len(sh(["git", "-C", str(ROOT), "status", "--porcelain"]).splitlines()),
        "python": platform.python_version(),
        "postgresql": sh(["psql", f"{PG}/{database}", "-Atc", "SHOW server_version"]),
        "django": django.get_version(),
        "djangorestframework": rest_framework.VERSION,
        "gunicorn": gunicorn.__version__,
        "wrk": (sh(["wrk", "-v"]) or "").splitlines()[0] if sh(["wrk", "-v"]) else "",
    }


# --- Main ----------------------------------------------------------------------------
def summarise_py_spy(raw_file: Path, top: int = 25) -> dict[str, Any]:
    """py-spy's raw (collapsed) stacks → share of on-CPU samples by function, own and inclusive."""
    own: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    total = 0

    def name(frame: str) -> str:
        match = re.match(r"(.*) \((.*?)(?::\d+)?\)$", frame)
        if not match:
            return frame
        where = match.group(2).split("site-packages/")[-1].replace(str(ROOT) + "/", "")
        return f"{match.group(1)} ({re.sub(r'^.*/bench/out/src/[^/]+/', '', where)})"

    for line in raw_file.read_text().splitlines():
        if not line.strip():
            continue
        stack, count = line.rsplit(" ", 1)
        n = int(count)
        total += n
        frames = [name(f) for f in stack.split(";") if not f.startswith("process ")]
        if frames:
            own[frames[-1]] = own.get(frames[-1], 0) + n
        for f in set(frames):
            inclusive[f] = inclusive.get(f, 0) + n

    def pct(d: dict[str, int]) -> list[tuple[str, float]]:
        return [(k, round(100 * v / total, 1)) for k, v in sorted(d.items(), key=lambda kv: -kv[1])[:top]]

    return {"samples": total, "own_pct": pct(own), "inclusive_pct": pct(inclusive)}


def py_spy_under_load(
    py_spy: Path,
    wrk: str,
    url: str,
    *,
    name: str,
    token: str,
    server_pid: int,
    seconds: int,
    connections: int,
    threads: int,
) -> dict[str, Any] | None:
    """Sample every worker with py-spy while wrk loads ``url`` (a separate window: sampling slows
    the workers, so these seconds are not part of the measured ones)."""
    raw = OUT / f"py-spy-{name}.txt"
    time.sleep(4)  # let the workers finish what the previous load left queued
    load = subprocess.Popen(
        [
            wrk,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds + 3}s",
            "--timeout",
            "60s",
            "-H",
            f"Authorization: Token {token}",
            url,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.5)
    spy = subprocess.run(
        [
            str(py_spy),
            "record",
            "--pid",
            str(server_pid),
            "--subprocesses",
            "--duration",
            str(seconds),
            "--rate",
            "50",
            "--nonblocking",
            "--format",
            "raw",
            "-o",
            str(raw),
        ],
        capture_output=True,
        text=True,
    )
    load.wait()
    if spy.returncode != 0 or not raw.exists():
        log(f"py-spy failed ({spy.returncode}): {spy.stderr.strip()[-300:]}")
        return None
    return summarise_py_spy(raw) | {"raw_file": str(raw.relative_to(ROOT))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark GET /api/revisions/{id}/ against the framework's ceiling.")
    parser.add_argument("--ref", help="measure this git commit (unpacked under bench/out/src/), not the working tree")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the database even if it is usable")
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * (os.cpu_count() or 1) + 1,
        help="gunicorn sync workers (default 2 x cores + 1, gunicorn's advice)",
    )
    parser.add_argument("--duration", type=int, default=20, help="seconds of measured load per endpoint")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of unmeasured load before each")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--rounds", type=int, default=1, help="measure every endpoint this many times; keep each one's cleanest window"
    )
    parser.add_argument("--db", default="consenso_bench", help="the PostgreSQL database to (re)build and read")
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    parser.add_argument("--no-profile", action="store_true", help="skip the in-process profile and py-spy")
    parser.add_argument(
        "--quiet",
        type=float,
        default=0.25,
        help="before each endpoint, wait until other processes use fewer cores than this",
    )
    parser.add_argument("--quiet-wait", type=float, default=30, help="... but at most this many seconds")
    parser.add_argument("--py-spy-seconds", type=int, default=8, help="py-spy window per endpoint (0: none)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    OUT.mkdir(parents=True, exist_ok=True)

    wrk = ensure_wrk()
    src, source = prepare_source(args.ref)
    log(f"measuring the {source}")
    py_spy = None if args.no_profile else ensure_bench_deps()
    dataset_file = OUT / "dataset.json"
    out_env = {**os.environ, "BENCH_OUT": str(OUT), "BENCH_SOURCE": source}
    if (
        args.rebuild
        or not dataset_usable(dataset_file, src)
        or json.loads(dataset_file.read_text())["database"] != args.db
    ):
        log("building the data set (fresh database, through the services; about a minute)")
        subprocess.run(
            [
                str(VENV_BIN / "python"),
                str(src / "bench" / "build_data.py"),
                "--out",
                str(dataset_file),
                "--db",
                args.db,
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            env=out_env,
        )
        rebuilt = True
    else:
        log(f"reusing the data set of {dataset_file.relative_to(ROOT)} (--rebuild to build it anew)")
        rebuilt = False
    dataset = json.loads(dataset_file.read_text())

    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    ceiling_body_file = OUT / "revision_body.json"
    env = {
        **out_env,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"{PG}/{dataset['database']}",
        "CONSENSO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "False",  # TLS ends at the proxy in production; wrk speaks plain HTTP
        "LOG_LEVEL": "WARNING",
        "BENCH_CEILING_BODY": str(ceiling_body_file),
        "BENCH_STATIC_ROOT": str(STATIC_ROOT),
    }
    env.pop("REDIS_URL", None)

    rid, did = dataset["revision_id"], dataset["declaration_id"]
    # name, url, extra headers: one server, one run, one window after the other.
    targets: list[tuple[str, str, tuple[str, ...]]] = [
        ("revision", f"{base}/api/revisions/{rid}/", ()),
        ("text", f"{base}/api/declarations/{did}/text/", ()),
        ("ceiling", f"{base}/bench/ceiling/", ()),
        ("static", f"{base}/{STATIC_NAME}", ()),
        ("ceiling_with_version", f"{base}/bench/ceiling-with-version/{did}/", ()),
    ]

    # A first start writes the body (and its static copy, which WhiteNoise only finds at start-up).
    server = start_server(workers=args.workers, port=port, env=env, log_file=OUT / "gunicorn.log", src=src)
    try:
        checks = check_responses(base, dataset, ceiling_body_file)
    finally:
        stop_server(server)
    targets.append(("revision_304", f"{base}/api/revisions/{rid}/", (f"If-None-Match: {checks['etag']}",)))
    server = start_server(workers=args.workers, port=port, env=env, log_file=OUT / "gunicorn.log", src=src)
    results: dict[str, Any] = {}
    spies: dict[str, Any] = {}
    try:
        check_static(base, ceiling_body_file.read_bytes())
        log(
            f"responses checked: {checks['paragraphs']} paragraphs, {checks['proposals']} proposals, "
            f"{checks['positions']} positions, {checks['body_bytes']:,} bytes (proposals inline: "
            f"{checks['inline_body_bytes']:,}); ceiling and static copy byte-identical"
        )
        windows: dict[str, list[dict[str, Any]]] = {name: [] for name, _, _ in targets}
        for round_ in range(1, args.rounds + 1):
            for name, url, headers in targets:
                background = wait_for_quiet(
                    server.pid, dataset["database"], threshold=args.quiet, max_wait=args.quiet_wait
                )
                log(
                    f"{name} (round {round_}/{args.rounds}): warm-up {args.warmup}s, then {args.duration}s "
                    f"with {args.connections} connections"
                )
                common = {
                    "token": dataset["token"],
                    "connections": args.connections,
                    "threads": args.threads,
                    "server_pid": server.pid,
                    "database": dataset["database"],
                    "headers": headers,
                }
                run_wrk(wrk, url, seconds=args.warmup, measure=False, **common)
                r = run_wrk(wrk, url, seconds=args.duration, measure=True, **common)
                r["others_cores_before"] = background
                r["load_average"] = list(os.getloadavg())
                windows[name].append(r)
                log(f"{name}: {r['rps']:.1f} req/s, p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, cpu {r['cpu_cores']}")
                if r["non_2xx"] or any(r["socket_errors"].values()):
                    log(f"WARNING {name}: non-2xx {r['non_2xx']}, socket errors {r['socket_errors']}")
                if r["cpu_cores"]["others"] > args.quiet:
                    log(
                        f"WARNING {name}: other processes used {r['cpu_cores']['others']} cores during the "
                        "measurement; the numbers are not clean (rerun on a quiet machine)"
                    )
        # On a shared machine: each endpoint's cleanest window (least CPU used by other processes).
        for name, rounds in windows.items():
            results[name] = min(rounds, key=lambda r: r["cpu_cores"]["others"]) | {
                "rounds": [{k: v for k, v in r.items() if k != "wrk_output"} for r in rounds]
            }
        if py_spy is not None and args.py_spy_seconds > 0:
            log(f"py-spy: sampling the workers for {args.py_spy_seconds}s under load on revision (not measured)")
            spies["revision"] = py_spy_under_load(
                py_spy,
                wrk,
                targets[0][1],
                name="revision",
                token=dataset["token"],
                server_pid=server.pid,
                seconds=args.py_spy_seconds,
                connections=args.connections,
                threads=args.threads,
            )
    finally:
        stop_server(server)
        log("server stopped")

    profile: dict[str, Any] | None = None
    if not args.no_profile:
        log("profiling the request in process (bench/profile_revision_get.py)")
        wait_for_quiet(0, dataset["database"], threshold=args.quiet, max_wait=args.quiet_wait)
        tracker = CpuTracker(0, dataset["database"]).__enter__()
        proc = subprocess.Popen(
            [
                str(VENV_BIN / "python"),
                str(src / "bench" / "profile_revision_get.py"),
                "--dataset",
                str(dataset_file),
                "--json",
                str(OUT / "profile_revision_get.json"),
            ],
            env={**env, "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        stderr = proc.stderr.read() if proc.stderr else ""
        _, wait_status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(wait_status)
        tracker.__exit__()
        profile_cores = tracker.cores(usage.ru_utime + usage.ru_stime)  # its "wrk" is the profiler here
        if proc.returncode == 0:
            profile = json.loads((OUT / "profile_revision_get.json").read_text())
            profile["others_cores"] = profile_cores["others"]
        else:
            log(f"profile failed:\n{stderr[-2000:]}")

    ceiling_rps, static_p99 = results["ceiling"]["rps"], results["static"]["p99_ms"]
    goals = {f"{name}: throughput / ceiling >= 0.6": round(results[name]["rps"] / ceiling_rps, 4) for name in READS} | {
        f"{name}: p99 / static p99 <= 1.5": round(results[name]["p99_ms"] / static_p99, 4) for name in READS
    }
    met = {goal: (value >= 0.6 if "throughput" in goal else value <= 1.5) for goal, value in goals.items()}
    now = datetime.datetime.now(datetime.UTC)
    report = {
        "benchmark": "GET /api/revisions/{id}/ vs framework ceiling",
        "when": now.isoformat(timespec="seconds"),
        "command": "bench/run_revision_get.sh " + " ".join(argv if argv is not None else sys.argv[1:]),
        "source": source,
        "machine": machine_info(dataset["database"]),
        "server": {
            "kind": "gunicorn sync workers",
            "workers": args.workers,
            "settings": "bench.settings",
            "env": "CONSENSO_ENV=production, DEBUG=False, CONN_MAX_AGE=60, JSONRenderer only",
        },
        "load": {
            "tool": "wrk",
            "connections": args.connections,
            "threads": args.threads,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
        },
        "dataset": dataset | {"token": "<redacted>", "rebuilt_this_run": rebuilt},
        "checks": checks,
        "results": results,
        "goals": goals,
        "goals_met": met,
        "profile": profile,
        "py_spy": spies,
        "total_seconds": round(time.monotonic() - started, 1),
    }
    out_file = OUT / f"revision_get-{now:%Y%m%dT%H%M%SZ}.json"
    out_file.write_text(json.dumps(report, indent=2) + "\n")
    (OUT / "revision_get-latest.json").write_text(json.dumps(report, indent=2) + "\n")

    print()
    print(
        f"GET /api/revisions/{dataset['revision_id']}/  ({checks['paragraphs']} paragraphs, "
        f"{checks['proposals']} proposals, {checks['body_bytes']:,} bytes)  "
        f"gunicorn -w {args.workers}, wrk -t{args.threads} -c{args.connections} -d{args.duration}s"
    )
    print()
    rows = [
        ("`GET /api/revisions/{id}/`", "revision"),
        ("`GET /api/declarations/{id}/text/`", "text"),
        ("ceiling: bare Django view, same bytes", "ceiling"),
        ("static file, same bytes (WhiteNoise)", "static"),
        ("floor: the ceiling plus reading the version (one raw query)", "ceiling_with_version"),
        ("`GET /api/revisions/{id}/` with If-None-Match (304)", "revision_304"),
    ]
    print(
        "| endpoint | req/s | p50 (ms) | p99 (ms) | / ceiling | p99 / static | CPU ms per request: gunicorn + postgres "
        "| CPU cores: gunicorn / postgres / wrk / others | load avg (1 min) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|---:|")
    for label, key in rows:
        r = results[key]
        c = r["cpu_cores"]
        per = r.get("cpu_ms_per_request", {})
        print(
            f"| {label} | {r['rps']:.1f} | {r['p50_ms']:g} | {r['p99_ms']:g} | {r['rps'] / ceiling_rps:.3f} | "
            f"{r['p99_ms'] / static_p99:.2f} | {per.get('gunicorn', 0):g} + {per.get('postgres', 0):g} | "
            f"{c['gunicorn']} / {c['postgres']} / {c['wrk']} / {c['others']} | {r['load_average'][0]:.2f} |"
        )
    print()
    for goal, value in goals.items():
        print(f"{goal}: {value:.3f} ({'met' if met[goal] else 'NOT met'})")
    if profile:
        m = profile["median_ms"]
        print(
            f"in-process, one request at a time (median ms): full {m['full_request']}, "
            f"revision_text {m['revision_text']}, DRF JSON render {m['render_drf_json']}"
            f" (orjson {m['render_orjson']}), ceiling {m['ceiling_request']}; queries: ours "
            f"{profile['queries']['count']}; garbage collector "
            f"{profile['gc']['collector_ms_per_revision_text']} ms per revision_text call "
            f"({profile['gc']['collector_ms_after_gc_freeze']} after gc.freeze())"
        )
    print(f"results: {out_file.relative_to(ROOT)}  (total {report['total_seconds']} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
