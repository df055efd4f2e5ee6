"""Independent readers agree with us: the clean export of each corpus
declaration opens in LibreOffice (converted to ODT in one run) and reads back
with pandoc, from the .docx and from LibreOffice's ODT alike, to the same
paragraphs in the same order, word for word, tables cell for cell, and
reservations as footnotes (pandoc's Note), never as paragraphs. Without
pandoc or LibreOffice these tests skip on a workstation and fail in CI
(``CI`` set), where .ci/run installs both."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from drafting.importing import ImportResult, read_document
from exports import pdf
from exports.clean import draft_marking, render_clean
from exports.data import Document, Paragraph, Reservation, Section
from tests.test_import_fidelity import corpus_file

pytestmark = pytest.mark.slow

Line = str | list[list[str]]  # a paragraph's text, or a table's rows


def _tool(path: str | None, name: str) -> str:
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed; .ci/run installs it.")
        pytest.skip(f"{name} is not installed (CI unset; in CI this fails)")
    return path


def document_of(result: ImportResult, *, adopted: bool, reservation: bool = False) -> Document:
    """The declaration as the clean export takes it, from an import's preview."""
    sections = []
    for s in result.sections:
        paragraphs = []
        for n, p in enumerate(s.paragraphs):
            reservations = (
                (Reservation("Canada", "on funding"),) if reservation and s.kind == "operative" and n == 0 else ()
            )
            table = tuple(tuple(row) for row in p.table) if p.table else None
            paragraphs.append(Paragraph("", p.kind, p.text, level=p.level, table=table, reservations=reservations))  # type: ignore[arg-type]
        sections.append(Section(s.kind, s.heading, tuple(paragraphs)))  # type: ignore[arg-type]
    return Document(
        title=result.title,
        place_date=result.place_date,
        ppt_name="Guatemala",
        revision_label="" if adopted else "Rev.1",
        is_adopted=adopted,
        original_language=result.language or "en",  # type: ignore[arg-type]
        sections=tuple(sections),
    )


def expected_lines(doc: Document) -> list[Line]:
    """What a reader should find, in order: each paragraph once, section headings, nothing else."""
    out: list[Line] = []
    for section in doc.sections:
        if section.heading:
            out.append(section.heading)
        for p in section.paragraphs:
            out.append([list(r) for r in p.table] if p.kind == "table" and p.table else p.text)
    return out


def _inlines(items: list[dict[str, Any]], notes: list[str]) -> str:
    out = []
    for item in items:
        kind, content = item["t"], item.get("c")
        if kind == "Str":
            out.append(content)
        elif kind in ("Space", "SoftBreak"):
            out.append(" ")
        elif kind == "LineBreak":
            out.append("\n")
        elif kind in ("Emph", "Strong", "Underline", "SmallCaps", "Strikeout", "Superscript", "Subscript"):
            out.append(_inlines(content, notes))
        elif kind == "Span":
            out.append(_inlines(content[1], notes))
        elif kind == "Quoted":
            mark = "“”" if content[0]["t"] == "DoubleQuote" else "‘’"
            out.append(mark[0] + _inlines(content[1], notes) + mark[1])
        elif kind == "Note":
            notes.append(" ".join(str(x) for x in _flatten(content, [], [])))
        elif kind == "Code":
            out.append(content[1])
    return "".join(out)


def _cell_text(blocks: list[dict[str, Any]], notes: list[str]) -> str:
    return "\n".join(str(x) for x in _flatten(blocks, notes, []))


def _rows(table: list[Any], notes: list[str]) -> list[list[str]]:
    _attr, _caption, _specs, head, bodies, foot = table
    # pandoc gives a table without a marked header row an empty head row
    rows = [row for row in head[1] if any(_cell_text(cell[4], []) for cell in row[1])]
    for body in bodies:
        rows.extend(body[2])
        rows.extend(body[3])
    rows.extend(foot[1])
    return [[_cell_text(cell[4], notes) for cell in row[1]] for row in rows]


def _flatten(blocks: list[dict[str, Any]], notes: list[str], out: list[Line]) -> list[Line]:
    for block in blocks:
        kind, content = block["t"], block.get("c")
        if kind in ("Para", "Plain"):
            out.append(_inlines(content, notes))
        elif kind == "Header":
            out.append(_inlines(content[2], notes))
        elif kind == "OrderedList":
            for item in content[1]:
                _flatten(item, notes, out)
        elif kind == "BulletList":
            for item in content:
                _flatten(item, notes, out)
        elif kind in ("BlockQuote", "Div"):
            _flatten(content if kind == "BlockQuote" else content[1], notes, out)
        elif kind == "Table":
            out.append(_rows(content, notes))
    return out


def pandoc_lines(data: bytes, suffix: str) -> tuple[list[Line], list[str]]:
    """Paragraphs (tables as rows of cells) and footnotes pandoc reads in a document."""
    program = _tool(shutil.which("pandoc"), "pandoc")
    with tempfile.TemporaryDirectory(prefix="consenso-pandoc-") as work:
        path = Path(work) / f"document{suffix}"
        path.write_bytes(data)
        out = subprocess.run([program, "-t", "json", str(path)], capture_output=True, check=True, timeout=120)
    tree = json.loads(out.stdout)
    notes: list[str] = []
    lines: list[Line] = []
    title = tree["meta"].get("title")  # pandoc's .docx reader lifts the Title paragraphs into the metadata
    if title is not None:
        lines.extend(_flatten(title["c"], notes, []) if title["t"] == "MetaBlocks" else [_inlines(title["c"], notes)])
    lines.extend(_flatten(tree["blocks"], notes, []))
    return lines, notes


@pytest.fixture(scope="module")
def exports() -> dict[str, tuple[Document, bytes, bytes]]:
    """Each document, its .docx and LibreOffice's ODT of it (one LibreOffice run for all)."""
    docs = {
        "vm_decisions.docx draft": document_of(read_document(corpus_file("vm_decisions.docx")), adopted=False),
        "vm_decisions.pdf.txt adopted": document_of(
            read_document(corpus_file("vm_decisions.pdf.txt")), adopted=True, reservation=True
        ),
        "es_acuerdan.txt adopted": document_of(read_document(corpus_file("es_acuerdan.txt")), adopted=True),
    }
    rendered = {name: render_clean(doc) for name, doc in docs.items()}
    _tool(pdf.libreoffice_path(), "LibreOffice (soffice)")
    odts = pdf.convert(list(rendered.values()), to="odt")
    return {name: (docs[name], rendered[name], odt) for name, odt in zip(docs, odts, strict=True)}


@pytest.mark.parametrize("name", ["vm_decisions.docx draft", "vm_decisions.pdf.txt adopted", "es_acuerdan.txt adopted"])
@pytest.mark.parametrize("through", ["docx", "libreoffice odt"])
def test_pandoc_reads_the_same_paragraphs(
    exports: dict[str, tuple[Document, bytes, bytes]], name: str, through: str
) -> None:
    doc, docx, odt = exports[name]
    lines, notes = pandoc_lines(docx, ".docx") if through == "docx" else pandoc_lines(odt, ".odt")
    marking = draft_marking(doc)
    if marking:  # the draft marking under the title belongs to the title block
        assert marking in lines
        lines.remove(marking)
    assert lines == expected_lines(doc)
    reservations = [r for s in doc.sections for p in s.paragraphs for r in p.reservations]
    assert [n.strip() for n in notes] == [f"Reservation by {r.delegation}: {r.text}" for r in reservations]
