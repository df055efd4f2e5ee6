#!/usr/bin/env bash
# GET /api/revisions/{id}/ vs the framework's ceiling: see bench/README.md.
# Starts gunicorn itself (PostgreSQL on 127.0.0.1:5432), loads both with wrk,
# stops the server, prints the table; results go to bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${BENCH_VENV:-.venv}/bin/python" bench/run_revision_get.py "$@"
