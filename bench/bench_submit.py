"""Proposal submissions on PostgreSQL with 100 writers, side by side with a
bare DRF view doing one authenticated INSERT, in one run (issue 18).

    .venv/bin/python bench/bench_submit.py [--writers 100] [--seconds 15] [--slices 5] [--rounds 2]
        [--db consenso_bench_submit]

What it does:

1. **World**: drops and creates the database ``--db`` (PostgreSQL on
   127.0.0.1:5432), migrates, and builds the soak's world
   (``bench.soak_world.populate``: the demo workshop, the 11 member
   delegations present, ``--per-member`` delegates each with an API token).
2. **Server**: ``gunicorn backend.wsgi`` with ``bench.settings`` (the
   product's production profile plus the bench-only ``/bench/insert/``),
   ``--workers`` sync workers (default 2 x cores + 1) on ``--port``.
3. **Load**: ``wrk`` with ``--writers`` connections, alternating for
   ``--rounds`` rounds, each phase's ``--seconds`` cut into ``--slices``
   runs that take turns (this machine's speed drifts within minutes; phases
   run whole one after the other met different machines: ratios of 0.35 to
   0.53 in one run). The phases: ``--seconds`` against ``/bench/insert/`` (the floor:
   token authentication, the same JSON body parsed, one INSERT of a proposal
   row, ``{"id": …}`` back), then against ``/bench/same-statements/`` (the
   statements a submission runs, through the product's functions: its read,
   then its guarded write of the proposal and its event; and nothing else: no
   validation, cleaning or serializer), then ``--seconds`` against ``POST
   /api/proposals/`` (the product: access, the read, validation, the guarded
   write, the full answer). Every request carries another member delegate's
   token and a proposable paragraph in turn, and a wording unique to it.
4. **Output**: per phase the requests per second, the non-2xx count, the
   server's CPU per request (the gunicorn workers' user + system time from
   /proc, divided by the requests), and the ratio product / floor of the
   rates in each round; then the check that nothing was lost or
   duplicated: every wording answered 201 is in the table once (rows may
   exceed the 201s by the requests still in flight when wrk stopped).
   JSON in ``bench/out/submit-latest.json``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import soak_world  # noqa: E402

OUT = ROOT / "bench" / "out"

LUA = r"""
local tokens = {%(tokens)s}
local paragraphs = {%(paragraphs)s}
local counter = 0
local ids = 0
function setup(thread)
  ids = ids + 1
  thread:set("id", ids)
end
function init(args)
  path = args[1]
  phase = args[2]
end
function request()
  counter = counter + 1
  local n = id * 7919 + counter
  local body = string.format(
    '{"declaration":%(declaration)d,"revision":%(revision)d,"paragraph":%%d,"kind":"replace",' ..
    '"text":"Bench wording %%s-%%d-%%d."}', paragraphs[(n %% #paragraphs) + 1], phase, id, counter)
  return wrk.format("POST", path, {["Content-Type"] = "application/json",
    ["Authorization"] = "Token " .. tokens[(n %% #tokens) + 1]}, body)
end
"""


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def run_wrk(url: str, script: Path, path: str, phase: str, *, writers: int, seconds: float) -> dict[str, Any]:
    cmd = [
        "wrk",
        "-t",
        "2",
        "-c",
        str(writers),
        "-d",
        f"{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "-s",
        str(script),
        url,
    ]
    out = subprocess.run([*cmd, "--", path, phase], capture_output=True, text=True, check=True).stdout
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    took = re.search(r"requests in ([\d.]+)(ms|s|m)", out)
    assert took is not None, out
    seconds = float(took.group(1)) * {"ms": 0.001, "s": 1.0, "m": 60.0}[took.group(2)]
    return {
        "seconds": seconds,
        "requests": total,
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(1) if errors else "",
        "per_second": rate,
        "wrk": out,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--slices", type=int, default=5, help="each phase's --seconds in this many runs, the phases taking turns"
    )
    parser.add_argument("--per-member", type=int, default=10)
    parser.add_argument("--db", default="consenso_bench_submit")
    parser.add_argument("--port", type=int, default=8110)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument(
        "--binding",
        choices=("off", "on", "both"),
        default="off",
        help="psycopg server-side binding (bench.settings BENCH_SERVER_SIDE_BINDING); "
        "both: each round runs off then on, a server of its own each",
    )
    args = parser.parse_args(argv)
    bindings = ("off", "on") if args.binding == "both" else (args.binding,)

    soak_world.VENV_BIN = Path(sys.executable).parent
    soak_world.recreate_database(args.db)
    env = soak_world.base_env(db_name=args.db)
    soak_world.django_setup(env)
    soak_world.log("building the world")
    world = soak_world.populate(per_member=args.per_member)

    from drafting.models import Paragraph, Revision
    from drafting.states import PROPOSABLE

    revision = Revision.objects.filter(declaration_id=world.declaration_id).order_by("-number").first()
    assert revision is not None
    paragraphs = list(
        Paragraph.objects.filter(declaration_id=world.declaration_id, state__in=list(PROPOSABLE)).values_list(
            "pk", flat=True
        )
    )
    tokens = [s.token for s in world.seats if s.kind in ("member", "ppt")]
    OUT.mkdir(parents=True, exist_ok=True)
    script = OUT / "submit.lua"
    script.write_text(
        LUA
        % {
            "tokens": ", ".join(f'"{t}"' for t in tokens),
            "paragraphs": ", ".join(str(p) for p in paragraphs),
            "declaration": world.declaration_id,
            "revision": revision.pk,
        }
    )
    url = f"http://127.0.0.1:{args.port}"
    phases: list[dict[str, Any]] = []
    for round_, binding in [(r, b) for r in range(1, args.rounds + 1) for b in bindings]:
        server_env = {
            **env,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "BENCH_SERVER_SIDE_BINDING": "1" if binding == "on" else "0",
        }
        suffix = f"-{binding}" if args.binding == "both" else ""
        phases += _round(args, url, script, server_env, round_, suffix)

    ratios, statement_ratios = [], []
    for round_, binding in [(r, b) for r in range(1, args.rounds + 1) for b in bindings]:
        suffix = f"-{binding}" if args.binding == "both" else ""
        floor = next(p for p in phases if p["phase"] == f"floor{round_}{suffix}")
        statements = next(p for p in phases if p["phase"] == f"statements{round_}{suffix}")
        product = next(p for p in phases if p["phase"] == f"product{round_}{suffix}")
        ratios.append(round(product["per_second"] / floor["per_second"], 3))
        statement_ratios.append(round(statements["per_second"] / floor["per_second"], 3))
    result = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": soak_world.machine(),
        "load_average": os.getloadavg(),
        "command": "bench/bench_submit.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "writers": args.writers,
        "workers": args.workers,
        "server_side_binding": args.binding,
        "tokens": len(tokens),
        "paragraphs": len(paragraphs),
        "phases": phases,
        "ratios_product_over_floor": ratios,
        "ratios_statements_over_floor": statement_ratios,
    }
    (OUT / "submit-latest.json").write_text(json.dumps(result, indent=2))
    print("| phase | req/s | non-2xx | server CPU ms/req | rows | duplicated | lost | load avg (1 min) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for p in phases:
        print(
            f"| {p['phase']} | {p['per_second']:.1f} | {p['non_2xx']} | {p['server_cpu_ms_per_request']} | "
            f"{p['rows']} | {p['duplicated']} | {p['lost']} | {p['load_average'][0]:.2f} |"
        )
    print(f"ratios product / floor per round: {ratios}; the same statements alone / floor: {statement_ratios}")
    print(f"load average {os.getloadavg()}")
    bad = any(p["duplicated"] or p["lost"] or p["non_2xx"] for p in phases)
    return 1 if bad else 0


def _round(
    args: argparse.Namespace, url: str, script: Path, server_env: dict[str, str], round_: int, suffix: str
) -> list[dict[str, Any]]:
    """One round on a server of its own: warm up, then the floor and the product."""
    from django.db.models import Count

    from drafting.models import Proposal

    server = soak_world.start_server(
        server_env, port=args.port, workers=args.workers, log_file=OUT / "submit-server.log"
    )
    phases: list[dict[str, Any]] = []
    try:
        workers = soak_world.children_of(server.pid)
        warm = (
            ("warm-floor", "/bench/insert/"),
            ("warm-statements", "/bench/same-statements/"),
            ("warm-product", "/api/proposals/"),
        )
        for name, path in warm:
            run_wrk(url, script, path, f"{name}{round_}{suffix}", writers=args.writers, seconds=3)
        targets = (
            ("floor", "/bench/insert/"),
            ("statements", "/bench/same-statements/"),
            ("product", "/api/proposals/"),
        )
        # Each phase's time in ``--slices`` short runs, the three phases taking
        # turns: this machine's speed drifts by a third within minutes, and
        # phases run one after the other would each meet a different machine.
        totals: dict[str, dict[str, Any]] = {
            target: {"requests": 0, "non_2xx": 0, "seconds": 0.0, "cpu": 0.0, "socket_errors": []}
            for target, _ in targets
        }
        slice_seconds = max(1, round(args.seconds / args.slices))
        for part in range(args.slices):
            for target, path in targets:
                phase = f"{target}{round_}{suffix}"
                soak_world.log(
                    f"{phase} ({part + 1}/{args.slices}): {args.writers} writers for {slice_seconds} s on {path}"
                )
                before = cpu_seconds(workers)
                result = run_wrk(url, script, path, f"{phase}.{part}", writers=args.writers, seconds=slice_seconds)
                total = totals[target]
                total["cpu"] += cpu_seconds(workers) - before
                total["requests"] += result["requests"]
                total["non_2xx"] += result["non_2xx"]
                total["seconds"] += result["seconds"]
                if result["socket_errors"]:
                    total["socket_errors"].append(result["socket_errors"])
                print(result["wrk"], file=sys.stderr)
        for target, path in targets:
            phase, total = f"{target}{round_}{suffix}", totals[target]
            ok = total["requests"] - total["non_2xx"]
            # both counts in one statement: requests still queued when wrk stops go on inserting,
            # and two counts read apart would call those rows duplicates
            counted = Proposal.objects.filter(text__startswith=f"Bench wording {phase}.").aggregate(
                rows=Count("id"), distinct=Count("text", distinct=True)
            )
            distinct = counted["distinct"]
            phases.append(
                {
                    "phase": phase,
                    "target": target,
                    "path": path,
                    "requests": total["requests"],
                    "non_2xx": total["non_2xx"],
                    "socket_errors": "; ".join(total["socket_errors"]),
                    "seconds": round(total["seconds"], 2),
                    "per_second": round(total["requests"] / max(total["seconds"], 1e-9), 1),
                    "ok": ok,
                    "server_cpu_ms_per_request": round(1000 * total["cpu"] / max(total["requests"], 1), 2),
                    "rows": counted["rows"],
                    "duplicated": counted["rows"] - distinct,
                    "lost": max(0, ok - distinct),
                    "load_average": os.getloadavg(),
                }
            )
    finally:
        soak_world.stop(server)
    return phases


if __name__ == "__main__":
    raise SystemExit(main())
