"""A corpus of hostile Word files, built byte by byte: the ones an attack on
a running server used (issue 13) and more of our own. Each file is small;
what it declares or expands to is not.

``corpus()`` returns name → bytes; ``python -m tests.hostile_corpus DIR``
writes them out, to try them on a running server.
"""

from __future__ import annotations

import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    b"</Types>"
)
ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'officeDocument" Target="word/document.xml"/></Relationships>'
)
DOC_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'numbering" Target="numbering.xml"/></Relationships>'
)


def document(body: str, doctype: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{doctype}'
        f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'
    ).encode()


def para(text: str, num: int | None = None) -> str:
    numbered = f'<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="{num}"/></w:numPr></w:pPr>' if num else ""
    return f"<w:p>{numbered}<w:r><w:t>{text}</w:t></w:r></w:p>"


def numbering(fmt: str, start: str, lvl_text: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:numbering xmlns:w="{W}">'
        f'<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="{start}"/>'
        f'<w:numFmt w:val="{fmt}"/><w:lvlText w:val="{lvl_text}"/></w:lvl></w:abstractNum>'
        '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>'
    ).encode()


def package(body: bytes, numbering_xml: bytes | None = None) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("word/document.xml", body)
        if numbering_xml is not None:
            z.writestr("word/_rels/document.xml.rels", DOC_RELS)
            z.writestr("word/numbering.xml", numbering_xml)
    return out.getvalue()


def numbered(fmt: str, start: str, lvl_text: str = "%1.", paragraphs: int = 3) -> bytes:
    body = document("".join(para(f"Operative paragraph {i}.", num=1) for i in range(paragraphs)))
    return package(body, numbering(fmt, start, lvl_text))


def table(rows: int, span: int, cells_per_row: int = 1) -> bytes:
    cell = f'<w:tc><w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc>'
    return package(document(para("Annex") + "<w:tbl>" + f"<w:tr>{cell * cells_per_row}</w:tr>" * rows + "</w:tbl>"))


def _deflate_repeated(prefix: bytes, filler: bytes, total: int) -> tuple[bytes, int]:
    """A raw deflate stream of ``prefix`` then ``filler`` repeated up to
    ``total`` bytes, without ever holding ``total`` bytes: after a full
    flush each block is independent, so one compressed block is repeated."""
    chunk = filler * (1024 * 1024 // len(filler))
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
    first = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    n = max(1, (total - len(prefix)) // len(chunk))
    stream = head + first + block * (n - 1) + c.flush()
    return stream, len(prefix) + n * len(chunk)


def _raw_zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip from (name, deflated data, declared size, real crc, method) written
    by hand: the central directory says whatever it is told."""
    out = BytesIO()
    central = BytesIO()
    for name, data, declared, crc, method in members:
        offset = out.tell()
        raw = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, crc, len(data), declared, len(raw), 0))
        out.write(raw + data)
        fields = (0x02014B50, 20, 20, 0, method, 0, 0, crc, len(data), declared, len(raw), 0, 0, 0, 0, 0, offset)
        central.write(struct.pack("<IHHHHHHIIIHHHHHII", *fields) + raw)
    cd = central.getvalue()
    start = out.tell()
    out.write(cd)
    n = len(members)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(cd), start, 0))
    return out.getvalue()


def _stored(name: str, data: bytes) -> tuple[str, bytes, int, int, int]:
    return (name, data, len(data), zlib.crc32(data), 0)


def bomb(inflated: int, declared: int | None = None) -> bytes:
    """word/document.xml inflating to ``inflated`` bytes, its size declared as
    ``declared`` (None: truly, and then refused from the headers)."""
    prefix = f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>'.encode()
    stream, size = _deflate_repeated(prefix, b" ", inflated)
    return _raw_zip(
        [
            _stored("[Content_Types].xml", CONTENT_TYPES),
            _stored("_rels/.rels", ROOT_RELS),
            ("word/document.xml", stream, size if declared is None else declared, 0, 8),
        ]
    )


def lying_bomb(inflated: int = 2 * 1024**3, declared: int = 2_000) -> bytes:
    return bomb(inflated, declared)


def honest_bomb(inflated: int = 1024**3) -> bytes:
    return bomb(inflated)


def entity_reference() -> bytes:
    doctype = '<!DOCTYPE w:document [<!ENTITY org "the Regional Conference on Migration">]>'
    return package(document(para("We, the members of &org;, agree on the text after it."), doctype))


def billion_laughs() -> bytes:
    entities = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    return package(document(para("Laughing: &a9; end."), f"<!DOCTYPE w:document [{entities}]>"))


CORPUS: dict[str, Callable[[], bytes]] = {
    # issue 13's files
    "roman_start_1e9": lambda: numbered("lowerRoman", "1000000000"),
    "roman_start_1e10": lambda: numbered("lowerRoman", "10000000000"),
    "letter_26M_label_x50": lambda: numbered("lowerLetter", "26000000", "%1" * 50),
    "gridspan_2M": lambda: table(rows=1, span=2_000_000),
    "gridspan_200_rows_of_100k": lambda: table(rows=200, span=100_000),
    "zip_declares_2000_bytes_inflates_2GiB": lying_bomb,
    "entity_reference": entity_reference,
    # our own
    "start_with_5000_digits": lambda: numbered("upperRoman", "9" * 5000),
    "label_template_of_100k": lambda: numbered("decimal", "1", "%1" * 50_000),
    "zip_declares_1GiB": honest_bomb,
    "billion_laughs": billion_laughs,
    "table_of_63x400": lambda: table(rows=400, span=1, cells_per_row=63),
    "empty_paragraphs_at_the_part_cap": lambda: package(document("<w:p/>" * (12 * 1024 * 1024 // 6 - 40))),
    "runs_at_the_part_cap": lambda: package(document("<w:p>" + "<w:r><w:t>w</w:t></w:r>" * 140_000 + "</w:p>")),
    "paragraphs_50k": lambda: package(document(para("p") * 50_000)),
    "one_paragraph_of_20M_chars": lambda: package(document(para("x" * 20_000_000))),
    "nested_content_controls_5000": lambda: package(
        document("<w:sdt><w:sdtContent>" * 5000 + para("deep") + "</w:sdtContent></w:sdt>" * 5000)
    ),
    "runs_160k": lambda: package(document("<w:p>" + "<w:r><w:t>w</w:t></w:r>" * 160_000 + "</w:p>")),
    "runs_200k_alternating_bold": lambda: package(
        document(
            "<w:p>"
            + "".join(f"<w:r>{'<w:rPr><w:b/></w:rPr>' if i % 2 else ''}<w:t>w{i} </w:t></w:r>" for i in range(200_000))
            + "</w:p>"
        )
    ),
}


def corpus() -> dict[str, bytes]:
    return {name: build() for name, build in CORPUS.items()}


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile")
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in corpus().items():
        (folder / f"{name}.docx").write_bytes(data)
        print(f"{name}.docx: {len(data):,} bytes")
