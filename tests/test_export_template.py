"""The project template every export starts from."""

from __future__ import annotations

import io
import zipfile

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Pt

from exports.clean import render_clean
from exports.docx_base import STYLES_USED, TEMPLATE, new_document
from exports.template import template_bytes
from tests.test_exports_clean import declaration


def parts(data: bytes, *names: str) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in names}


def test_the_committed_template_is_what_the_template_module_builds() -> None:
    # If this fails, run: .venv/bin/python -m exports.template
    wanted = ("word/styles.xml", "word/numbering.xml", "word/settings.xml", "word/document.xml")
    assert parts(TEMPLATE.read_bytes(), *wanted) == parts(template_bytes(), *wanted)


def test_the_template_holds_every_style_the_renderers_use_with_ours_adjusted() -> None:
    document = docx.Document(str(TEMPLATE))
    names = {style.name for style in document.styles}
    assert set(STYLES_USED) <= names
    normal = document.styles["Normal"]
    assert (normal.font.name, normal.font.size, normal.paragraph_format.space_after) == ("Calibri", Pt(11), Pt(8))
    assert document.styles["Place Date"].font.italic is True
    assert document.styles["Draft Marking"].font.bold is True
    assert document.styles["Footnote Reference"].type == WD_STYLE_TYPE.CHARACTER
    assert document.styles["Footnote Reference"].font.superscript is True
    assert document.styles["Footnote Text"].font.size == Pt(9)


def test_every_document_starts_from_the_template() -> None:
    # new_document and every renderer start from the template file, not from python-docx's default
    template = new_document()
    assert template.styles["Normal"].font.name == "Calibri"
    rendered = docx.Document(io.BytesIO(render_clean(declaration())))
    assert rendered.styles["Normal"].font.name == "Calibri"
    assert {s.name for s in rendered.styles} >= set(STYLES_USED)
