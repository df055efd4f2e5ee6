"""The project's Word template, ``exports/templates/consenso.docx``: every
document the renderers write starts from it, so the styles a Secretariat
would adjust (fonts, sizes, spacing) live in one file, not in code.

It is python-docx's default document with our styles added or adjusted.
After changing this module, write the template again::

    .venv/bin/python -m exports.template

(tests/test_export_template.py fails while the committed file and this
module disagree.)
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import cast

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_PARAGRAPH_ALIGNMENT
from docx.shared import Pt
from docx.styles.style import BaseStyle, CharacterStyle, ParagraphStyle

from exports.docx_base import STYLES_USED, TEMPLATE


def _style(document: DocxDocument, name: str, kind: WD_STYLE_TYPE | None = None) -> BaseStyle:
    """The named style; with ``kind``, added first when the default document has none."""
    try:
        return cast(BaseStyle, document.styles[name])
    except KeyError:
        if kind is None:
            raise
        return cast(BaseStyle, document.styles.add_style(name, kind))


def build_template() -> DocxDocument:
    document = Document()
    normal = cast(ParagraphStyle, _style(document, "Normal"))
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(8)
    title = cast(ParagraphStyle, _style(document, "Title"))
    title.font.size = Pt(16)
    title.paragraph_format.alignment = WD_PARAGRAPH_ALIGNMENT.CENTER
    place = cast(ParagraphStyle, _style(document, "Place Date", WD_STYLE_TYPE.PARAGRAPH))
    place.base_style = normal
    place.paragraph_format.alignment = WD_PARAGRAPH_ALIGNMENT.CENTER
    place.font.italic = True
    marking = cast(ParagraphStyle, _style(document, "Draft Marking", WD_STYLE_TYPE.PARAGRAPH))
    marking.base_style = normal
    marking.paragraph_format.alignment = WD_PARAGRAPH_ALIGNMENT.CENTER
    marking.font.bold = True
    note = cast(ParagraphStyle, _style(document, "Footnote Text", WD_STYLE_TYPE.PARAGRAPH))
    note.base_style = normal
    note.font.size = Pt(9)
    note.paragraph_format.space_after = Pt(0)
    ref = cast(CharacterStyle, _style(document, "Footnote Reference", WD_STYLE_TYPE.CHARACTER))
    ref.font.superscript = True
    for name in STYLES_USED:
        _style(document, name)  # every style the renderers use is there
    return document


def template_bytes() -> bytes:
    buffer = io.BytesIO()
    build_template().save(buffer)
    return buffer.getvalue()


def main(argv: list[str]) -> None:
    target = Path(argv[0]) if argv else TEMPLATE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(template_bytes())
    print(f"wrote {target}")


if __name__ == "__main__":
    main(sys.argv[1:])
