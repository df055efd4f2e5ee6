"""The layering written down in architecture.json holds: every module's
imports (including those inside functions) are read with ast and checked
against it, so a new import that crosses a layer fails here, not in review."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = json.loads((ROOT / "architecture.json").read_text())
LAYERS: dict[str, dict[str, object]] = SPEC["layers"]
FIRST_PARTY = {*LAYERS, "bench", "tests"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules(package: str) -> Iterator[tuple[str, Path]]:
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" not in path.parts:
            yield _module_name(path), path


def _imports(path: Path) -> set[str]:
    """Absolute names a module imports (``from a.b import c`` gives a.b and a.b.c)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _crossings(package: str) -> list[str]:
    """Imports of other first-party packages that the layer's ``may_import`` does not allow."""
    allowed = [str(p) for p in LAYERS[package]["may_import"]]  # type: ignore[attr-defined]
    bad = []
    for module, path in _modules(package):
        names = _imports(path)
        for name in names:
            top = name.split(".")[0]
            if top == package or top not in FIRST_PARTY:
                continue
            if any(_within(name, a) for a in allowed):
                continue
            # The bare package of a "from drafting.textengine import x": allowed when x is.
            if any(_within(a, name) for a in allowed) and any(
                _within(other, a) for other in names if other.startswith(name + ".") for a in allowed
            ):
                continue
            bad.append(f"{module} imports {name}")
    return sorted(bad)


@pytest.mark.parametrize("package", sorted(LAYERS))
def test_each_layer_imports_only_what_architecture_json_allows(package: str) -> None:
    assert _crossings(package) == []


def _django_free(module: str) -> bool:
    return any(_within(module, prefix) for prefix in SPEC["django_free"])


def test_the_django_free_modules_import_no_framework_and_no_django_bound_module() -> None:
    frameworks = set(SPEC["framework_packages"])
    bad = []
    for package in ("drafting", "exports"):
        for module, path in _modules(package):
            if not _django_free(module):
                continue
            for name in _imports(path):
                top = name.split(".")[0]
                if top in frameworks or (
                    top in FIRST_PARTY
                    and not _django_free(name)
                    and not any(_django_free(other) for other in _imports(path) if other.startswith(name + "."))
                ):
                    bad.append(f"{module} imports {name}")
    assert bad == []


def test_the_checker_sees_a_crossing(tmp_path: Path) -> None:
    """The checks above can fail: a drafting module importing backend, or the
    text engine importing Django, is reported."""
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from backend.api import http\n    import django.db\n")
    names = _imports(probe)
    assert {"backend.api", "backend.api.http", "django.db"} <= names
    assert not any(_within(n, a) for n in names if n.startswith("backend") for a in LAYERS["drafting"]["may_import"])  # type: ignore[attr-defined]
    assert "drafting.textengine" in SPEC["django_free"] and "django" in SPEC["framework_packages"]


def test_every_top_level_package_is_described() -> None:
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    assert packages - {"bench", "tests"} == set(LAYERS)
