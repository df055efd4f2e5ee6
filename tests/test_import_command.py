"""``manage.py import_draft``: the same job, in the foreground, with progress."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from drafting.models import Declaration, ImportJob, RevisionParagraph
from tests.conftest import World

DRAFT = "DECLARATION OF PANAMA\n\nPanama City, 2 de junio de 2023\n\nDECISIONS\n\n1. Promote regular pathways.\n"


@pytest.mark.django_db
def test_the_command_reads_shows_and_confirms(world: World, tmp_path: Path) -> None:
    path = tmp_path / "panama.txt"
    path.write_text(DRAFT, encoding="utf-8")
    out = io.StringIO()
    call_command("import_draft", str(path), "--meeting", str(world.meeting.pk), "--confirm", stdout=out)
    lines = out.getvalue().splitlines()
    assert any("Uploading panama.txt (" in line for line in lines)
    assert any("Read: 3 paragraphs in 2 sections" in line for line in lines)
    assert "  place and date: Panama City, 2 de junio de 2023" in lines
    assert "Done: declaration" in lines[-1] and "Zero draft" in lines[-1]
    declaration = Declaration.objects.get(title="DECLARATION OF PANAMA")
    assert RevisionParagraph.objects.filter(revision__declaration=declaration).count() == 3
    assert ImportJob.objects.get().status == "confirmed"


@pytest.mark.django_db
def test_without_confirm_the_preview_waits(world: World, tmp_path: Path) -> None:
    path = tmp_path / "panama.txt"
    path.write_text(DRAFT, encoding="utf-8")
    before = Declaration.objects.count()
    out = io.StringIO()
    call_command("import_draft", str(path), "--meeting", str(world.meeting.pk), stdout=out)
    job = ImportJob.objects.get()
    assert job.status == "ready" and f"/api/imports/{job.pk}/confirm/" in out.getvalue()
    assert Declaration.objects.count() == before


@pytest.mark.django_db
def test_an_unreadable_file_is_a_command_error_and_creates_nothing(world: World, tmp_path: Path) -> None:
    path = tmp_path / "draft.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    before = Declaration.objects.count()
    with pytest.raises(CommandError, match="password-protected"):
        call_command("import_draft", str(path), "--meeting", str(world.meeting.pk), "--confirm", stdout=io.StringIO())
    assert Declaration.objects.count() == before


@pytest.mark.django_db
def test_the_command_shows_notes_beside_the_text_and_each_guess(world: World, tmp_path: Path) -> None:
    path = tmp_path / "panama.txt"
    path.write_text("[Unofficial translation]\n" + DRAFT, encoding="utf-8")
    out = io.StringIO()
    call_command("import_draft", str(path), "--meeting", str(world.meeting.pk), stdout=out)
    lines = out.getvalue().splitlines()
    assert "  beside the text (note, line 1): [Unofficial translation]" in lines
    assert any(
        line.startswith("  warning: Line 2: “DECLARATION OF PANAMA” was taken as a line of the title") for line in lines
    )
