"""Hostile text from the request to the Word document.

tests/test_bad_input.py covers the refusals one field at a time (C0 control
characters, lone surrogates, limits lowered through settings, malformed
JSON). This file adds what it does not: the real default limits against a
1 MB paragraph, a 10,000-paragraph revision and a body past the upload limit;
and the text that *is* accepted (HTML and script, right-to-left marks and
overrides, combining marks, C1 controls, invisible and astral characters)
followed all the way: stored in NFC, answered as sent, escaped in the HTML
redline, accepted into the working text, issued as a revision, and rendered
into clean and compilation .docx files that python-docx opens again with the
text intact.
"""

from __future__ import annotations

import io
import json
import time
import unicodedata
import zipfile
from typing import Any

import docx
import pytest
from django.conf import settings

from drafting.models import Event, Paragraph, Proposal, Revision
from tests.conftest import World, zero_draft
from workers.exporting import render_document

pytestmark = pytest.mark.django_db

PROPOSALS = "/api/proposals/"


def nothing_written() -> tuple[int, int, int, int]:
    return (Revision.objects.count(), Paragraph.objects.count(), Proposal.objects.count(), Event.objects.count())


def assert_error_shape(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) >= {"error", "detail", "fields"}, body
    assert isinstance(body["detail"], str) and body["detail"]
    return body


def proposal_body(world: World, text: str, index: int = -1) -> dict[str, Any]:
    return {
        "declaration": world.declaration.pk,
        "revision": world.revision.pk,
        "paragraph": world.paragraph_ids()[index],
        "kind": "replace",
        "text": text,
    }


def docx_text(data: bytes) -> str:
    """Every paragraph of the document, tables included, as python-docx reads it back."""
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


# --- Sizes at the real default limits ---------------------------------------------------
def test_a_1_mb_paragraph_in_a_proposal_is_400_at_the_default_limit(world: World) -> None:
    assert settings.CONSENSO_MAX_PARAGRAPH_CHARS == 20_000  # the default this test is about
    before = nothing_written()
    text = "Migración segura, ordenada y regular. " * 27_600  # 1,048,800 characters, ~1.1 MB in UTF-8
    assert len(text.encode()) > 1_000_000
    response = world.client("mex").post(PROPOSALS, proposal_body(world, text), format="json")
    body = assert_error_shape(response, 400)
    assert body["error"] == "invalid"
    assert body["fields"]["text"] == [f"At most 20000 characters are allowed here; got {len(text.strip())}."]
    assert nothing_written() == before


def test_a_1_mb_paragraph_in_a_revision_is_400_naming_the_paragraph(world: World) -> None:
    sections = zero_draft()
    sections[2]["paragraphs"][1]["text"] = "x" * 1_048_576
    before = nothing_written()
    response = world.client("ts").post(
        f"/api/declarations/{world.declaration.pk}/revisions/", {"sections": sections}, format="json"
    )
    body = assert_error_shape(response, 400)
    assert any("paragraphs" in key and "text" in key for key in body["fields"]), body["fields"]
    assert "At most 20000" in json.dumps(body)
    assert nothing_written() == before


def test_a_10000_paragraph_revision_is_400_quickly(world: World) -> None:
    assert settings.CONSENSO_MAX_PARAGRAPHS_PER_REVISION == 3_000
    sections = zero_draft()
    sections[2]["paragraphs"] = [{"kind": "operative", "text": f"Operative paragraph {i}."} for i in range(10_000)]
    before = nothing_written()
    started = time.monotonic()
    response = world.client("ts").post(
        f"/api/declarations/{world.declaration.pk}/revisions/", {"sections": sections}, format="json"
    )
    elapsed = time.monotonic() - started
    body = assert_error_shape(response, 400)
    assert body["error"] == "invalid"
    messages = {key: value for key, value in body["fields"].items() if key.startswith("sections")}
    assert messages and all("3000" in " ".join(value) for value in messages.values()), body["fields"]
    assert nothing_written() == before
    assert elapsed < 10, f"refusing 10,000 paragraphs took {elapsed:.1f} s"


def test_a_body_past_the_upload_limit_is_413_in_the_error_shape(world: World) -> None:
    # 10,000 paragraphs of 1,000 characters: ~10 MB, past the default 8 MB limit
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 8 * 1024 * 1024
    sections = zero_draft()
    sections[2]["paragraphs"] = [{"kind": "operative", "text": "y" * 1_000} for _ in range(10_000)]
    raw = json.dumps({"sections": sections})
    assert len(raw) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    before = nothing_written()
    response = world.client("ts").post(
        f"/api/declarations/{world.declaration.pk}/revisions/", data=raw, content_type="application/json"
    )
    body = assert_error_shape(response, 413)
    assert body["error"] == "too_large"
    assert nothing_written() == before


# --- Text that is accepted, followed into the documents --------------------------------
HOSTILE = {
    "html-and-script": '<script>alert("x")</script><b onmouseover="steal()">bold</b> &amp; <!-- c --> ]]> & < >',
    "rtl-marks-and-override": "Migración \u200fهجرة آمنة\u200f \u202eevil\u202c and \u2067isolate\u2069 \u200e.",
    "combining-marks": "Declaracio\u0301n de Sa\u0303o Jose\u0301, Z\u0351\u0307\u0323\u0324a\u0308\u0301\u0302lgo"
    + "\u0301" * 40,
    "c1-controls-and-separators": "NEL\u0085 CSI\u009b line\u2028para\u2029 end",
    "invisible-and-astral": "zero\u200bwidth\u200d\ufeffbom 👩🏽‍⚖️ 𝔇𝔢𝔠𝔩 \U0001fffe \ufdd0 \ue000 end.",
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_accepted_hostile_text_is_stored_in_nfc_and_exported_intact(world: World, text: str) -> None:
    expected = unicodedata.normalize("NFC", text).strip()
    mex, can, ppt = world.client("mex"), world.client("can"), world.client("ppt")
    # Given Mexico's proposal of that text for OP3, and Canada's (left pending) for OP2
    created = mex.post(PROPOSALS, proposal_body(world, text, -1), format="json")
    assert created.status_code == 201, created.content[:300]
    # Then it is stored and answered in NFC, exactly
    assert created.json()["text"] == expected
    proposal = Proposal.objects.get(pk=created.json()["id"])
    assert proposal.text == expected and unicodedata.is_normalized("NFC", proposal.text)
    pending = can.post(PROPOSALS, proposal_body(world, text + " (Canada)", -2), format="json")
    assert pending.status_code == 201, pending.content[:300]
    # and the HTML redline of the change escapes it
    preview = mex.get(f"/api/proposals/{proposal.pk}/diff/")
    assert preview.status_code == 200
    redline = preview.json()["html"]
    assert "<script" not in redline and "<b " not in redline
    assert ("&lt;" in redline) is ("<" in expected)
    # When the PPT accepts it and issues the working text as Rev.1
    accepted = ppt.post(f"/api/proposals/{proposal.pk}/accept/", {"version": proposal.version}, format="json")
    assert accepted.status_code == 200, accepted.content[:300]
    issued = ppt.post(f"/api/declarations/{world.declaration.pk}/revisions/next/", {}, format="json")
    assert issued.status_code == 201, issued.content[:300]
    rev1 = mex.get(f"/api/revisions/{issued.json()['id']}/")
    texts = [p["text"] for section in rev1.json()["sections"] for p in section["paragraphs"]]
    assert texts[-1] == expected
    diff = mex.get(f"/api/declarations/{world.declaration.pk}/diff/")
    assert diff.status_code == 200
    redlines = [p["html"] for p in diff.json()["paragraphs"] if p.get("html")]
    assert redlines and not any("<script" in html or "<b " in html for html in redlines)
    # Then the clean text and the compilation are Word documents that open again, with the text in them
    for kind in ("clean", "compilation", "tracked", "record"):
        data = render_document(declaration_id=world.declaration.pk, kind=kind)
        assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
        read_back = docx_text(data)
        if kind in ("clean", "compilation"):
            assert expected in read_back.replace("\n", " ") or _words_in(expected, read_back), (kind, read_back[-600:])
        if kind == "compilation":
            assert _words_in(expected + " (Canada)", read_back)


def _words_in(expected: str, document: str) -> bool:
    """Each word of the expected text appears in the document (a renderer may
    split a paragraph into runs and lines, e.g. at U+2028)."""
    flat = " ".join(document.split())
    return all(word in flat for word in expected.split())


def test_hostile_text_in_a_declaration_title_and_a_revision_reaches_the_letterhead(world: World) -> None:
    title = "Declaración <script>x</script> \u202eRLO\u202c de San Jose\u0301"
    ts = world.client("ts")
    created = ts.post("/api/declarations/", {"meeting": world.meeting.pk, "title": title}, format="json")
    assert created.status_code == 201, created.content[:300]
    assert created.json()["title"] == unicodedata.normalize("NFC", title)
    sections = zero_draft()
    sections[2]["heading"] = "DECISIONES \u200f<i>x</i>"
    sections[2]["paragraphs"][0]["text"] = HOSTILE["combining-marks"] + " " + HOSTILE["html-and-script"]
    issued = ts.post(f"/api/declarations/{created.json()['id']}/revisions/", {"sections": sections}, format="json")
    assert issued.status_code == 201, issued.content[:300]
    data = render_document(declaration_id=created.json()["id"], kind="clean")
    read_back = docx_text(data)
    assert _words_in(unicodedata.normalize("NFC", sections[2]["paragraphs"][0]["text"]), read_back)
    assert "DECISIONES" in read_back


@pytest.mark.parametrize(
    ("escape", "code"),
    [("\\u0000", "U+0000"), ("\\u001f", "U+001F"), ("\\ud800", "U+D800"), ("\\udfff", "U+DFFF"), ("\\uffff", "U+FFFF")],
)
def test_refused_characters_in_a_title_say_where(world: World, escape: str, code: str) -> None:
    # (test_bad_input covers proposal and revision texts; titles go through the same rule)
    before = nothing_written()
    raw = json.dumps({"meeting": world.meeting.pk, "title": "Declaración MARK"}).replace("MARK", escape)
    response = world.client("ts").post("/api/declarations/", data=raw, content_type="application/json")
    body = assert_error_shape(response, 400)
    assert code in json.dumps(body), body
    assert nothing_written() == before
