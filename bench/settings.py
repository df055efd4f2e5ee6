"""Settings for benchmarks: the product's settings, production style, plus
bench-only URLs (the framework-ceiling view). Never used in production.

The runner (bench/run_revision_get.py) also sets CONSENSO_ENV=production with
a random SECRET_KEY, so the production profile of backend/settings.py is what
gets measured; this module only makes sure of the parts that matter for speed.
"""

from __future__ import annotations

from backend.settings import *  # noqa: F403
from backend.settings import BASE_DIR, DATABASES, REST_FRAMEWORK, env

ROOT_URLCONF = "bench.urls"
DEBUG = False  # production style, whatever the environment says
# Production sends JSON only (no browsable API); the same here.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

# The body the ceiling view serves: the benchmarked endpoint's own response,
# saved by the runner before the load starts (same bytes, same length).
_OUT = env.str("BENCH_OUT", default=str(BASE_DIR / "bench" / "out"))
BENCH_CEILING_BODY = env.str("BENCH_CEILING_BODY", default=f"{_OUT}/revision_body.json")

# A static copy of that body (bench/run_revision_get.py writes it before the server's
# last start): WhiteNoise serves it at /<name>, the floor for the p99 comparison.
WHITENOISE_ROOT = env.str("BENCH_STATIC_ROOT", default=f"{_OUT}/static")

# psycopg's server-side binding (issue 18: "where it pays, measure"): the
# submissions bench runs with it off and on, side by side
# (bench/bench_submit.py --binding both). Off unless asked for.
if env.bool("BENCH_SERVER_SIDE_BINDING", default=False) and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
