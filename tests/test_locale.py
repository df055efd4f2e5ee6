"""The Spanish catalogue: every message translated, and the committed .mo
compiled from the committed .po (msgfmt, from gettext, as .ci/run installs)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.conftest import ROOT

PO = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"


def test_every_message_has_a_spanish_translation() -> None:
    text = PO.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text.split("\n\n", 1)[1]
    entries = text.split("\n\n")[1:]
    untranslated = [e for e in entries if re.search(r'^msgstr(\[\d\])? ""$(?!\n")', e, re.M)]
    assert untranslated == []
    assert len(entries) > 200


def test_the_committed_mo_is_compiled_from_the_po(tmp_path: Path) -> None:
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(compiled), str(PO)], check=True)
    assert compiled.read_bytes() == PO.with_suffix(".mo").read_bytes(), (
        "run: msgfmt -o locale/es/LC_MESSAGES/django.mo …"
    )
