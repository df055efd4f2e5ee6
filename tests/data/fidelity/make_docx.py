"""Build ``vm_decisions.docx``: the declaration of ``vm_decisions.lf.txt`` as
a secretariat types it in Word: a translator's note in Normal style above two
Heading 1 title lines, the DECISIONS and ANNEX headings in Heading 2, the
decisions in a Word numbered list with bulleted sub-items (one multi-level
list: decimal, then bullets), table titles in Heading 3 and two real tables.

    .venv/bin/python tests/data/fidelity/make_docx.py   # rewrites vm_decisions.docx beside this file
"""

from __future__ import annotations

import io
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm

HERE = Path(__file__).resolve().parent

LIST = (
    '<w:abstractNum w:abstractNumId="70">'
    '<w:multiLevelType w:val="hybridMultilevel"/>'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/>'
    '<w:pPr><w:ind w:left="720" w:hanging="360"/></w:pPr></w:lvl>'
    '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="\u00b7"/>'
    '<w:pPr><w:ind w:left="1440" w:hanging="360"/></w:pPr></w:lvl>'
    "</w:abstractNum>"
    '<w:num w:numId="71"><w:abstractNumId w:val="70"/></w:num>'
)


def _table(document: docx.document.Document, rows: list[list[str]]) -> None:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text


def build() -> bytes:
    lines = (HERE / "vm_decisions.lf.txt").read_text(encoding="utf-8").split("\n")
    document = docx.Document()
    numbering = document.part.numbering_part.element
    fragment = parse_xml(f"<w:numbering {nsdecls('w')}>{LIST}</w:numbering>")
    for child in list(fragment):
        numbering.append(child)
    # The abstract numbering must come before every w:num.
    for abstract in numbering.findall(qn("w:abstractNum")):
        first_num = numbering.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(abstract)

    def listed(text: str, ilvl: int) -> None:
        p = document.add_paragraph(text, style="List Paragraph")
        num_pr = p._p.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = ilvl
        num_pr.get_or_add_numId().val = 71

    table: list[list[str]] = []
    for line in lines:
        if "\t" in line and not line.startswith("\t"):
            table.append(line.split("\t"))
            continue
        if table:
            _table(document, table)
            table = []
        if not line:
            continue
        if line.startswith("XXIX") or line.startswith("DECLARATION OF"):
            document.add_paragraph(line, style="Heading 1")
        elif line in ("DECISIONS", "ANNEX"):
            document.add_paragraph(line, style="Heading 2")
        elif line.startswith(("Table ", "Budget and contributions")):
            document.add_paragraph(line, style="Heading 3")
        elif line[:2] in ("1.", "2.", "3.", "4.", "5.", "6."):
            listed(line[3:], 0)
        elif line.startswith("· "):
            listed(line[2:], 1)
        elif line.startswith("\t"):
            document.add_paragraph(line[1:]).paragraph_format.left_indent = Cm(1.27)
        else:
            document.add_paragraph(line)
    if table:
        _table(document, table)
    document.core_properties.title = "Declaration of Guatemala City"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


if __name__ == "__main__":
    (HERE / "vm_decisions.docx").write_bytes(build())
