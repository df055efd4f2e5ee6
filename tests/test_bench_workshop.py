"""bench/workshop.py, the instrument issue 18 measures a whole workshop with, keeps working:
a small workshop runs end to end through the API with only expected answers (no timing asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_small_workshop_runs_through_adoption_and_three_exports(tmp_path: Path) -> None:
    out = tmp_path / "workshop.json"
    args = ["--proposals", "12", "--positions", "20", "--reads", "40", "--max-seconds", "240", "--json", str(out)]
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "workshop.py"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(out.read_text())
    assert result["unexpected"] == [] and not result["timed_out"]
    kinds = result["kinds"]
    # A position asked for while nothing is pending becomes a proposal: 32 writes in all.
    positions = kinds["support"]["count"] + kinds.get("object", {"count": 0})["count"]
    assert kinds["submit_proposal"]["count"] >= 12 and kinds["submit_proposal"]["count"] + positions == 32
    assert kinds["issue_rev1"]["count"] == kinds["adoption_propose"]["count"] == kinds["adoption_adopt"]["count"] == 1
    assert 40 <= kinds["read_working_text"]["count"] <= 80  # about --reads, plus the chair's refreshes
    assert all(k["queries"] > 0 and k["cpu_s"] >= 0 for k in kinds.values())
    assert [(e["kind"], e["status"]) for e in result["exports"]] == [
        ("compilation", "done"),
        ("clean", "done"),
        ("tracked", "done"),
    ]
    assert result["proposals_left_pending"] == 0
    assert "workshop (seed 18): total" in done.stdout
