"""The Word documents of the real 2022 declaration, from the domain through
drafting.selectors.exports and exports, as the `export_document` command writes them."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from drafting import services
from drafting.demo import demo_load
from drafting.models import Declaration, Paragraph
from tests.test_exports_tracked import accept_all, body_of, reject_all, texts
from workers.exporting import render_document

pytestmark = pytest.mark.django_db
OP2 = "The RCM recognizes that the Global Compact for Migration represents"


def users() -> dict[str, object]:
    from django.contrib.auth.models import User

    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def demo() -> Declaration:
    declaration, _ = demo_load()
    return declaration


def body(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def test_the_zero_draft_renders_clean_with_its_paragraphs(demo: Declaration) -> None:
    text = body(render_document(declaration_id=demo.pk, kind="clean"))
    for paragraph in Paragraph.objects.filter(declaration=demo).exclude(kind__in=["title", "place_date"]):
        assert paragraph.text in text
    assert "Draft" in text and "Zero draft" in text


def test_the_compilation_attributes_pending_proposals(demo: Declaration) -> None:
    u = users()
    op2 = Paragraph.objects.get(
        declaration=demo, text__startswith="The RCM recognizes that the Global Compact for Migration represents"
    )
    proposal = services.proposal_submit(
        actor=u["mex"],
        declaration=demo,
        revision_id=demo.revisions.get().pk,
        paragraph_id=op2.pk,  # type: ignore[arg-type]
        kind="replace",
        text=op2.text.replace("a historic step", "a decisive step"),
    )
    services.position_set(actor=u["can"], proposal=proposal, stance="support")  # type: ignore[arg-type]
    services.position_set(actor=u["usa"], proposal=proposal, stance="object", reason="Keep historic.")  # type: ignore[arg-type]
    text = body(render_document(declaration_id=demo.pk, kind="compilation"))
    assert "Proposed by Mexico; supported by Canada; objection: United States (Keep historic.)" in text


def test_tracked_changes_between_rev1_and_the_zero_draft_accept_and_reject_exactly(demo: Declaration) -> None:
    # Given Rev.1 made of an accepted Mexican rewording of OP2
    u = users()
    zero = demo.revisions.get()
    op2 = Paragraph.objects.get(
        declaration=demo, text__startswith="The RCM recognizes that the Global Compact for Migration represents"
    )
    old_text = op2.text
    proposal = services.proposal_submit(
        actor=u["mex"],
        declaration=demo,
        revision_id=zero.pk,
        paragraph_id=op2.pk,  # type: ignore[arg-type]
        kind="replace",
        text=old_text.replace("a historic step", "a decisive step"),
    )
    services.proposal_decide(actor=u["ppt.slv"], proposal=proposal, decision="accept", version=proposal.version)  # type: ignore[arg-type]
    rev1 = services.revision_issue_from_working_text(actor=u["ppt.slv"], declaration=demo)  # type: ignore[arg-type]
    # When the tracked-changes document of Rev.1 is rendered
    data = render_document(declaration_id=demo.pk, kind="tracked", revision_id=rev1.pk)
    # Then accepting all gives Rev.1's paragraphs and rejecting all the zero draft's
    accepted, rejected = texts(accept_all(body_of(data))), texts(reject_all(body_of(data)))
    assert any("a decisive step" in t for t in accepted) and not any("a historic step" in t for t in accepted)
    assert any(old_text in t for t in rejected)
    # And the change is Mexico's
    assert b'w:author="Mexico"' in zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")


def test_the_record_and_the_command(demo: Declaration, tmp_path: Path) -> None:
    out = tmp_path / "record.docx"
    call_command("export_document", str(demo.pk), "record", str(out))
    table = docx.Document(str(out)).tables[0]
    assert any("revision issued" in cell.text for row in table.rows for cell in row.cells)
    with pytest.raises(CommandError, match="first revision"):
        call_command("export_document", str(demo.pk), "tracked", str(tmp_path / "t.docx"))
