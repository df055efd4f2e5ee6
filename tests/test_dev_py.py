"""dev.py installs exactly what the lock files pin, and refuses to install
when pyproject.toml declares something the lock files were not compiled from
(rather than silently install something else)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_lock_files_match_pyproject_and_pin_the_tools() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
    assert spec and spec.loader
    dev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dev)
    mark = dev.LOCK_MARK + dev.declared_dependencies()
    for name in ("requirements.lock", "requirements-dev.lock"):
        lines = (ROOT / name).read_text().splitlines()
        assert lines[0] == mark, f"{name} is stale: run python3 dev.py lock"
        pins = [line for line in lines if line and not line.startswith((" ", "#"))]
        assert pins and all("==" in line for line in pins), name
    dev_pins = {line.split("==")[0] for line in (ROOT / "requirements-dev.lock").read_text().splitlines()}
    assert {"ruff", "mypy", "lxml", "django-axes"} <= dev_pins

    # the development lock pins production's packages at the same versions
    def pins(name: str) -> set[str]:
        return {line.split(";")[0].strip() for line in (ROOT / name).read_text().splitlines() if "==" in line}

    prod, devl = pins("requirements.lock"), pins("requirements-dev.lock")
    assert prod <= devl


def test_dev_py_stops_with_a_clear_message_when_pyproject_and_lock_disagree(tmp_path: Path) -> None:
    # Given a checkout where someone added a dependency without relocking
    for name in ("dev.py", "requirements.lock", "requirements-dev.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    pyproject = (ROOT / "pyproject.toml").read_text()
    pyproject = pyproject.replace("dependencies = [\n", 'dependencies = [\n    "six",\n', 1)
    (tmp_path / "pyproject.toml").write_text(pyproject)
    # When dev.py is asked to set up
    result = subprocess.run(
        [sys.executable, "dev.py", "test"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    # Then it stops before creating or installing anything, saying what to run
    assert result.returncode != 0
    assert "python3 dev.py lock" in result.stderr
    assert not (tmp_path / ".venv").exists()
