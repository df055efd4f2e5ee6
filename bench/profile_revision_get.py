"""Where the time of GET /api/revisions/{id}/ goes, in process (no load).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/consenso_bench \\
        .venv/bin/python bench/profile_revision_get.py [--n 30] [--json bench/out/profile.json]

Runs against the data of bench/build_data.py with bench.settings (DEBUG off),
one request at a time through the whole Django stack (django.test.Client:
middleware, DRF, token auth, the view, JSON rendering), and splits it:

* queries: how many, and their time as the database driver saw it;
* ``selectors.revision_text``: its reads and the assembly in Python (the
  copies of its queries timed apart, rows only and as raw SQL, went with
  issue 18: they had drifted from the selector they copied);
* rendering: DRF's JSONRenderer on the same data, and orjson when importable;
* the whole request, which after the first serves the body cached under its
  ETag (backend/api/rendered.py): framework, auth, access checks, the version;
* the ceiling view, for comparison.

It also writes a cProfile of 10 requests (top functions by own and by
cumulative time) to bench/out/profile_revision_get.txt.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(os.environ.get("BENCH_OUT", ROOT / "bench" / "out"))


def _median_ms(fn: Callable[[], Any], n: int) -> float:
    for _ in range(3):
        fn()
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(samples), 2)


def _gc_ms(fn: Callable[[], Any], n: int) -> float:
    """Mean milliseconds per call spent inside the garbage collector."""
    spent = [0.0]
    started = [0.0]

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            spent[0] += time.perf_counter() - started[0]

    for _ in range(3):
        fn()
    gc.callbacks.append(callback)
    try:
        for _ in range(n):
            fn()
    finally:
        gc.callbacks.remove(callback)
    return round(spent[0] * 1000 / n, 2)


def profile(*, revision_id: int, token: str, n: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.renderers import JSONRenderer

    from drafting import selectors
    from drafting.models import Revision

    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")
    url = f"/api/revisions/{revision_id}/"
    resp = client.get(url)
    assert resp.status_code == 200, resp.status_code
    body = resp.content
    from django.conf import settings

    ceiling_body = Path(settings.BENCH_CEILING_BODY)  # type: ignore[misc]  # bench.settings only
    ceiling_body.parent.mkdir(parents=True, exist_ok=True)
    ceiling_body.write_bytes(body)  # what the ceiling view serves

    # Queries of one request (after a warm one: connection open, caches filled).
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    queries: list[dict[str, Any]] = [
        {"ms": round(float(q["time"]) * 1000, 2), "sql": q["sql"][:160]} for q in ctx.captured_queries
    ]

    revision = Revision.objects.select_related("declaration__meeting", "issued_by").get(pk=revision_id)
    data = selectors.revision_text(revision=revision)
    renderer = JSONRenderer()
    result: dict[str, Any] = {
        "body_bytes": len(body),
        "queries": {"count": len(queries), "ms_total": round(sum(q["ms"] for q in queries), 2), "list": queries},
        "median_ms": {
            "full_request": _median_ms(lambda: client.get(url), n),
            "revision_text": _median_ms(lambda: selectors.revision_text(revision=revision), n),
            "render_drf_json": _median_ms(lambda: renderer.render(data), n),
            "ceiling_request": _median_ms(lambda: client.get("/bench/ceiling/"), n),
        },
    }
    try:
        import orjson

        result["median_ms"]["render_orjson"] = _median_ms(lambda: orjson.dumps(data), n)
        result["orjson_version"] = orjson.__version__
    except ImportError:
        result["median_ms"]["render_orjson"] = None
    # No "rest of the request" any more (full - revision_text - rendering): since the rendered body is
    # cached under its ETag (backend/api/rendered.py), a warm request builds neither, and the difference
    # came out negative. ``full_request`` is now that rest: auth, access, the version, the cached body.

    # Garbage collection: CPU the collector spends while revision_text builds ~30,000 dicts and
    # lists, measured with gc callbacks; then with the start-up objects frozen out of it
    # (gc.freeze(), as a gunicorn post-fork hook could do).
    result["gc"] = {"collector_ms_per_revision_text": _gc_ms(lambda: selectors.revision_text(revision=revision), n)}
    gc.freeze()
    try:
        result["gc"]["collector_ms_after_gc_freeze"] = _gc_ms(lambda: selectors.revision_text(revision=revision), n)
        result["gc"]["frozen_objects"] = gc.get_freeze_count()
    finally:
        gc.unfreeze()

    prof = cProfile.Profile()
    prof.enable()
    for _ in range(10):
        client.get(url)
    prof.disable()
    text = io.StringIO()
    text.write(f"cProfile of 10 x GET {url} in process (bench.settings, DEBUG off)\n\n")
    stats = pstats.Stats(prof, stream=text)
    text.write("== by own time (tottime) ==\n")
    stats.sort_stats("tottime").print_stats(25)
    text.write("== by cumulative time ==\n")
    stats.sort_stats("cumulative").print_stats(40)
    (OUT / "profile_revision_get.txt").write_text(text.getvalue())
    result["cprofile_file"] = "bench/out/profile_revision_get.txt"
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--dataset", type=Path, default=OUT / "dataset.json")
    parser.add_argument("--json", type=Path, default=OUT / "profile_revision_get.json")
    args = parser.parse_args(argv)
    dataset = json.loads(args.dataset.read_text())
    os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{dataset['database']}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    extra = OUT / "deps"  # orjson, if the runner could install it there (bench-only)
    if extra.is_dir():
        sys.path.append(str(extra))
    import django

    django.setup()
    result = profile(revision_id=dataset["revision_id"], token=dataset["token"], n=args.n)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(
        json.dumps(
            {k: v for k, v in result.items() if k != "queries"}
            | {"queries": {k: v for k, v in result["queries"].items() if k != "list"}},
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
