"""Whatever is uploaded, the reader either returns a result whose texts a
revision accepts, or refuses with UnreadableDocument: never another error
(which would leave the Secretariat with no reason)."""

from __future__ import annotations

import io
import zipfile

import docx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drafting.importing import UnreadableDocument, read_document
from drafting.textnorm import clean_text


def _read_or_refuse(data: bytes, filename: str) -> None:
    try:
        result = read_document(data, filename=filename)
    except UnreadableDocument as refused:
        assert refused.message
        return
    for p in result.paragraphs():
        if p.kind != "table":
            # what a revision will store: already clean, so cleaning changes nothing
            assert clean_text(p.text, field="text", max_chars=10**6) == p.text
            assert all(0 <= s["start"] < s["end"] <= len(p.text) for s in p.emphasis)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_any_text_is_read_or_refused(text: str) -> None:
    _read_or_refuse(text.encode("utf-8", errors="surrogatepass"), "draft.txt")


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_are_read_or_refused(data: bytes) -> None:
    _read_or_refuse(data, "draft.docx")


def _small_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Declaration of Santo Domingo", style="Title")
    document.add_paragraph("Recalling the Charter,")
    document.add_paragraph("Adopt the plan.", style="List Number")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


DOCX = _small_docx()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_word_file_with_a_part_corrupted_is_read_or_refused(data: st.DataObject) -> None:
    # Given the same document with one of its XML parts cut short or with bytes changed
    with zipfile.ZipFile(io.BytesIO(DOCX)) as source:
        names = [n for n in source.namelist() if n.endswith(".xml") or n.endswith(".rels")]
        victim = data.draw(st.sampled_from(names))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as target:
            for name in source.namelist():
                raw = source.read(name)
                if name == victim:
                    cut = data.draw(st.integers(0, len(raw)))
                    raw = raw[:cut] + data.draw(st.binary(max_size=20))
                target.writestr(name, raw)
    _read_or_refuse(buffer.getvalue(), "draft.docx")


def test_damaged_xml_that_quotes_the_word_memory_is_refused_not_taken_for_exhaustion() -> None:
    # Found by the test above in CI: "_rels/.rels" cut after one byte, then b"Memory". libxml2's
    # message ("Couldn't find end of Start Tag Memory") quotes the document; the reader took it for
    # running out of memory (a MemoryError) instead of refusing a damaged file.
    with zipfile.ZipFile(io.BytesIO(DOCX)) as source:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as target:
            for name in source.namelist():
                raw = source.read(name)
                target.writestr(name, raw[:1] + b"Memory" if name == "_rels/.rels" else raw)
    try:
        read_document(buffer.getvalue(), filename="draft.docx")
    except UnreadableDocument as refused:
        assert "damaged" in refused.message
    else:
        raise AssertionError("a damaged package was read")
