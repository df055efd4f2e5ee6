"""A PDF conversion killed mid-way leaves its work directory (documents and
a LibreOffice profile) behind; the next conversion removes it (issue 13)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from exports import pdf


def test_work_directories_of_dead_processes_are_removed_and_live_ones_kept() -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    tmp = Path(tempfile.gettempdir())
    stale = tmp / f"consenso-lo-{gone.pid}-killed"
    (stale / "profile").mkdir(parents=True)
    (stale / "profile" / "registrymodifications.xcu").write_text("<x/>")
    live = tmp / f"consenso-lo-{os.getpid()}-running"
    live.mkdir()
    try:
        removed = pdf.sweep_stale_workdirs()
        assert stale in removed and not stale.exists()
        assert live.exists()
    finally:
        live.rmdir()
