"""An independent reader, LibreOffice, opens every Word document we export.

The four documents are rendered through ``workers.exporting.render_document``
from the demo declaration after a round of negotiation (Rev.1 from accepted
proposals that reword, insert and delete), so the tracked changes have content.
All four are converted to PDF in one LibreOffice run, which starts once.

Without LibreOffice these tests skip on a workstation but fail in CI
(``CI`` set), where .ci/run installs it.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import override_settings
from lxml import etree  # type: ignore[import-untyped]

from drafting import services
from drafting.demo import demo_load
from drafting.models import Declaration, Paragraph
from exports import pdf
from exports.clean import render_clean
from tests.test_exports_clean import declaration
from workers.exporting import KINDS, render_document

# django_db: without a database test in the run, the module's fixture finds no test database.
pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def paragraph(declaration: Declaration, start: str) -> Paragraph:
    return Paragraph.objects.get(declaration=declaration, text__startswith=start)


def negotiate_rev1(declaration: Declaration) -> int:
    """Rev.1 from three accepted proposals: Mexico rewords OP2, Canada inserts a
    paragraph after it, the United States deletes another. Returns Rev.1's id."""
    users = {u.username: u for u in User.objects.all()}
    zero = declaration.revisions.get()
    op2 = paragraph(declaration, "The RCM recognizes that the Global Compact for Migration represents")
    thanks = paragraph(declaration, "Considering that most international migration occurs within regions")
    submitted = [
        ("mex", op2, "replace", op2.text.replace("a historic step", "a decisive step")),
        ("can", op2, "insert_after", "The RCM welcomes the participation of civil society in the Workshop."),
        ("usa", thanks, "delete", ""),
    ]
    for username, target, kind, text in submitted:
        proposal = services.proposal_submit(
            actor=users[username],
            declaration=declaration,
            revision_id=zero.pk,
            paragraph_id=target.pk,
            kind=kind,
            text=text,
        )
        services.proposal_decide(actor=users["ppt.slv"], proposal=proposal, decision="accept", version=proposal.version)
    return services.revision_issue_from_working_text(actor=users["ppt.slv"], declaration=declaration).pk


@pytest.fixture(scope="module")
def documents(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, bytes]]:
    """The .docx of every kind, rendered from the database; the data is rolled back after."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        with transaction.atomic():
            declaration, _ = demo_load()
            rev1 = negotiate_rev1(declaration)
            rendered = {
                kind: render_document(
                    declaration_id=declaration.pk, kind=kind, revision_id=rev1 if kind == "tracked" else None
                )
                for kind in KINDS
            }
            transaction.set_rollback(True)
        yield rendered


@pytest.fixture(scope="module")
def libreoffice() -> str:
    """LibreOffice's path; without it, skip on a workstation and fail in CI."""
    path = pdf.libreoffice_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is not installed; .ci/run installs libreoffice-writer-nogui.")
        pytest.skip("LibreOffice (soffice) is not installed (CI unset; in CI this fails)")
    return path


# Besides the four kinds from the database, the adopted declaration built from
# plain data in test_exports_clean: footnoted reservations, an explanation of
# position, bullets and a table, none of which the demo has yet.
DOCUMENTS = (*KINDS, "adopted, from plain data")


@pytest.fixture(scope="module")
def pdfs(libreoffice: str, documents: dict[str, bytes]) -> dict[str, bytes]:
    """Every document as PDF, from one LibreOffice run."""
    sources = {**documents, DOCUMENTS[-1]: render_clean(declaration(adopted=True))}
    return dict(zip(DOCUMENTS, pdf.convert([sources[name] for name in DOCUMENTS], to="pdf"), strict=True))


@pytest.mark.parametrize("name", DOCUMENTS)
def test_libreoffice_converts_every_kind_to_pdf(pdfs: dict[str, bytes], name: str) -> None:
    data = pdfs[name]
    assert data.startswith(b"%PDF-")
    # An empty Word document gives about 1 KB with no font in it; ours hold
    # the whole declaration (or its record), set in embedded fonts. (How many
    # pages depends on the fonts installed: Carlito, Calibri's metric twin, or a
    # fallback.)
    assert len(data) > 10_000
    assert re.search(rb"/Type\s*/Page\b", data)
    assert b"/FontFile" in data


# -- tracked changes, as LibreOffice reads them ---------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
DC = "http://purl.org/dc/elements/1.1/"
Change = tuple[str, str, str]  # ("ins" | "del", author, date)


def marks_in_order(document_xml: bytes) -> list[Change | None]:
    """What marks each piece of the body, in reading order: every run (its
    enclosing ``w:ins``/``w:del``, or None) and every paragraph mark (the
    ``w:ins``/``w:del`` in its ``w:pPr/w:rPr``, or None)."""

    def change(element: Any) -> Change | None:
        if element is None or element.tag not in (f"{W}ins", f"{W}del"):
            return None
        return (element.tag[len(W) :], element.get(f"{W}author"), element.get(f"{W}date"))

    sequence: list[Change | None] = []
    for element in etree.fromstring(document_xml).iter(f"{W}p"):
        for run in element.iter(f"{W}r"):
            sequence.append(change(run.getparent()))
        mark = element.find(f"{W}pPr/{W}rPr")
        sequence.append(next(filter(None, map(change, mark if mark is not None else [])), None))
    return sequence


def libreoffice_regions(content_xml: bytes) -> list[tuple[str, str]]:
    """The ``text:changed-region`` of an .odt, in order: ("ins" | "del", author)."""
    kinds = {f"{{{TEXT}}}insertion": "ins", f"{{{TEXT}}}deletion": "del"}
    regions = []
    for region in etree.fromstring(content_xml).iter(f"{{{TEXT}}}changed-region"):
        (change,) = (child for child in region if child.tag in kinds)
        regions.append((kinds[change.tag], change.findtext(f"{{{OFFICE}}}change-info/{{{DC}}}creator")))
    return regions


def test_libreoffice_reads_our_revision_marks_as_tracked_changes(libreoffice: str, documents: dict[str, bytes]) -> None:
    # Given the tracked changes of Rev.1 against the zero draft
    docx = documents["tracked"]
    document_xml = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml")
    # When LibreOffice opens it (and writes it out as OpenDocument)
    content = zipfile.ZipFile(io.BytesIO(pdf.docx_to_odt(docx))).read("content.xml")
    assert b"<text:tracked-changes" in content
    regions = libreoffice_regions(content)
    # Then it sees one tracked change for each change of ours, in order, by the
    # same delegation. That is not one per w:ins/w:del element: LibreOffice
    # joins a change to the one right next to it of the same kind by the same
    # author at the same time into one region. An inserted (deleted) paragraph
    # is two elements, the w:ins (w:del) around its runs and the one on its
    # paragraph mark, and one region holding the text and the paragraph break
    # (two paragraphs deleted together by one delegation are one region, too).
    # So a region is a maximal stretch of adjacent pieces of the body (runs and
    # paragraph marks) with the same mark.
    pieces = marks_in_order(document_xml)
    stretches = [mark for i, mark in enumerate(pieces) if mark is not None and (i == 0 or pieces[i - 1] != mark)]
    assert regions == [(kind, author) for kind, author, _ in stretches]
    # And Rev.1 shows what was accepted: Mexico's rewording (a deletion and an
    # insertion), Canada's new paragraph and the United States' deletion (one
    # region each, from two elements each), and El Salvador's renumbering after
    assert ("del", "Mexico") in regions and ("ins", "Mexico") in regions
    assert regions.count(("ins", "Canada")) == 1 and regions.count(("del", "United States")) == 1
    body = etree.fromstring(document_xml)
    elements = len(body.findall(f".//{W}ins")) + len(body.findall(f".//{W}del"))
    paragraph_marks = len(body.findall(f".//{W}pPr/{W}rPr/{W}ins")) + len(body.findall(f".//{W}pPr/{W}rPr/{W}del"))
    assert paragraph_marks == 2
    assert len(regions) == elements - paragraph_marks


# -- the conversion itself ------------------------------------------------------


def test_two_conversions_at_once_do_not_collide(libreoffice: str, documents: dict[str, bytes]) -> None:
    # Each conversion has its own LibreOffice profile; with a shared one the
    # second soffice hands its file to the first and exits with no output.
    results: dict[str, bytes | Exception] = {}

    def convert(kind: str) -> None:
        try:
            results[kind] = pdf.docx_to_pdf(documents[kind])
        except Exception as error:
            results[kind] = error

    threads = [threading.Thread(target=convert, args=(kind,)) for kind in ("clean", "record")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for kind in ("clean", "record"):
        result = results[kind]
        assert isinstance(result, bytes), result
        assert result.startswith(b"%PDF-")


def test_a_conversion_that_runs_too_long_is_stopped_with_a_message(
    libreoffice: str, documents: dict[str, bytes], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given a batch that takes LibreOffice seconds, in a working directory that
    # outlives the conversion (a stray soffice.bin would otherwise soon give up
    # for want of its files, and hide here what it would do on a stuck document)
    workdir = tmp_path / "conversion"
    workdir.mkdir()

    @contextlib.contextmanager
    def kept(*args: Any, **kwargs: Any) -> Iterator[str]:
        yield str(workdir)

    monkeypatch.setattr(tempfile, "TemporaryDirectory", kept)  # what exports.pdf calls
    # When it is converted with a timeout of half a second
    with pytest.raises(pdf.PdfConversionFailed, match=r"took longer than 0.5 s .* download the Word document"):
        pdf.convert([documents["clean"]] * 40, to="pdf", timeout=0.5)
    # Then no LibreOffice process of that conversion is left running: the
    # launcher and its child soffice.bin are killed together
    deadline = time.monotonic() + 2
    while (left := running_with(str(workdir))) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == []


def running_with(text: str) -> list[int]:
    """The processes whose command line mentions ``text``."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                    if text.encode() in f.read():
                        found.append(int(entry.name))
            except OSError:
                pass
    return found


def test_without_libreoffice_pdf_is_unavailable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, documents: dict[str, bytes]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(pdf, "_CANDIDATES", ())
    assert pdf.libreoffice_path() is None and not pdf.pdf_available()
    with pytest.raises(pdf.PdfUnavailable, match="LibreOffice is not installed"):
        pdf.docx_to_pdf(documents["clean"])


def test_a_file_libreoffice_cannot_read_fails_with_a_message(libreoffice: str) -> None:
    # LibreOffice exits 0 here, with no output file and an error on its stdout.
    truncated_zip = b"PK\x03\x04" + b"\x00" * 200
    with pytest.raises(
        pdf.PdfConversionFailed, match=r"could not convert the document to PDF \(Error: .*\)\. Download"
    ):
        pdf.docx_to_pdf(truncated_zip)
