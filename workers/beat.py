"""Celery beat's scheduler, with a heartbeat a health check can read.

Beat has no ``inspect ping`` of its own: a beat that hangs (its broker
connection stuck, its schedule file unwritable) looks alive to a process
check. This scheduler touches ``<schedule file>.heartbeat`` on every tick,
and ``python -m workers.beat --check <schedule file>`` (the compose file's
health check) fails once that file is older than ``--max-age`` seconds.
Beat runs with ``--max-interval`` below that age, so a healthy beat ticks in
time even when nothing is due.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from celery.beat import PersistentScheduler


def heartbeat_path(schedule: str | Path) -> Path:
    return Path(f"{schedule}.heartbeat")


class HeartbeatScheduler(PersistentScheduler):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # celery.beat.Service passes the --schedule file by keyword.
        self.heartbeat = heartbeat_path(kwargs["schedule_filename"])
        super().__init__(*args, **kwargs)

    def tick(self, *args: Any, **kwargs: Any) -> float:
        interval = float(super().tick(*args, **kwargs))
        self.heartbeat.touch()
        return interval


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Is celery beat ticking? Exit 0 if so.")
    parser.add_argument("--check", required=True, metavar="SCHEDULE_FILE", help="beat's --schedule file")
    parser.add_argument("--max-age", type=float, default=90.0, help="seconds since the last tick (default 90)")
    options = parser.parse_args(argv)
    beat = heartbeat_path(options.check)
    try:
        age = time.time() - beat.stat().st_mtime
    except FileNotFoundError:
        print(f"unhealthy: {beat} does not exist (beat has not ticked yet)")
        return 1
    if age > options.max_age:
        print(f"unhealthy: beat last ticked {age:.0f} s ago")
        return 1
    print(f"healthy: beat ticked {age:.0f} s ago")
    return 0


if __name__ == "__main__":
    sys.exit(main())
