"""Issuing Rev.1 from the working text of the GA data set with the carry-over as it was
before commit 93703fe (Django's ``bulk_update``), against the code of the working tree.

    .venv/bin/python bench/scale_ga_before_fix.py [--db consenso_ga] [--ref 6e41d82]

Needs the data set of bench/scale_ga.py. The two helpers that commit changed
(``_reset_working_text`` and ``_carry_over_proposals``) are taken from ``git show
REF:drafting/services/revisions.py`` and patched into the current module; the rest is
the current code. Each issue runs in a transaction that is rolled back. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="consenso_ga")
    parser.add_argument("--ref", default="6e41d82")
    parser.add_argument("--dataset", type=Path, default=ROOT / "bench" / "out" / "scale_ga_dataset.json")
    args = parser.parse_args()
    os.environ.update(DJANGO_SETTINGS_MODULE="bench.settings", DATABASE_URL=f"{PG}/{args.db}", LOG_LEVEL="WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from drafting import services
    from drafting.models import Declaration
    from drafting.services import revisions

    dataset = json.loads(args.dataset.read_text())
    ppt = get_user_model().objects.get(auth_token__key=dataset["tokens"]["ppt"])
    declaration = Declaration.objects.get(pk=dataset["declaration_id"])
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{args.ref}:drafting/services/revisions.py"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    old = types.ModuleType("drafting.services._revisions_before_fix")
    sys.modules[old.__name__] = old  # dataclasses look their module up
    exec(compile(source, "revisions_before_fix.py", "exec"), old.__dict__)
    current = {name: getattr(revisions, name) for name in ("_reset_working_text", "_carry_over_proposals")}

    class Rollback(Exception):
        pass

    out = {}
    for label, functions in (("before (bulk_update)", {n: getattr(old, n) for n in current}), ("now", current)):
        for name, fn in functions.items():
            setattr(revisions, name, fn)
        t0 = time.perf_counter()
        try:
            with transaction.atomic():
                services.revision_issue_from_working_text(actor=ppt, declaration=declaration)
                raise Rollback
        except Rollback:
            pass
        out[label] = round(time.perf_counter() - t0, 2)
        print(f"{label}: {out[label]} s", file=sys.stderr, flush=True)
    print(json.dumps({"revision_from_working_text_s": out, "ref": args.ref}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
