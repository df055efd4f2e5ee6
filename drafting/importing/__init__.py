"""Importing a draft declaration from Word (.docx) or plain text (.txt).

Django-free: ``read_document`` takes the file's bytes and returns an
:class:`ImportResult` (sections and paragraphs in the shape
``drafting.services.revision_issue`` takes, plus warnings), or raises
:class:`UnreadableDocument` with a message the Secretariat can act on. The
service layer (``drafting.services.import_jobs``) stores the result as a
preview, lets the Secretariat correct it (``corrections.apply_corrections``)
and creates the declaration from it on confirmation.
"""

from __future__ import annotations

from drafting.importing.docx_reader import OLE_MAGIC, is_docx, read_docx
from drafting.importing.errors import UnreadableDocument
from drafting.importing.result import (
    Block,
    ImportedNote,
    ImportedParagraph,
    ImportedSection,
    ImportResult,
    ImportWarning,
)
from drafting.importing.structure import build
from drafting.importing.text_reader import read_text

__all__ = [
    "Block",
    "ImportResult",
    "ImportWarning",
    "ImportedNote",
    "ImportedParagraph",
    "ImportedSection",
    "UnreadableDocument",
    "read_document",
]

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def read_document(data: bytes, *, filename: str = "", max_bytes: int = DEFAULT_MAX_BYTES) -> ImportResult:
    """Read an uploaded draft. The format is taken from the content, not the
    name: a .txt that is really a Word file is read as Word."""
    if not data:
        raise UnreadableDocument("The file is empty.", params={})
    if len(data) > max_bytes:
        raise UnreadableDocument(
            "The file is %(size)s bytes; at most %(limit)s bytes may be imported. "
            "Split the document or remove its images.",
            params={"size": f"{len(data):,}", "limit": f"{max_bytes:,}"},
        )
    if is_docx(data) or data.startswith(OLE_MAGIC):
        blocks, result = read_docx(data)
        source = "docx"
    else:
        if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise UnreadableDocument("This file is not a Word document (.docx) or plain text (.txt).", params={})
        if filename.lower().endswith((".doc", ".docx", ".odt", ".pdf", ".rtf")):
            raise UnreadableDocument(
                "“%(filename)s” is not a Word document (.docx): its content is not a .docx package. "
                "Save it as .docx (or paste its text into a .txt file) and upload it again.",
                params={"filename": filename},
            )
        blocks, result = read_text(data)
        source = "txt"
    result = build(blocks, source=source, result=result)
    if not result.paragraphs():
        raise UnreadableDocument("No text was found in this file.", params={})
    return result
