"""Word (.docx) into blocks, read from the package's XML with lxml.

- **Numbering** is resolved the way Word shows it: a paragraph's ``w:numPr``
  (or its style's, up the ``basedOn`` chain, the level then found by the
  ``w:pStyle`` of the abstract numbering's levels) → ``w:num`` →
  ``w:abstractNum`` (through ``w:numStyleLink`` when a numbering style is
  used), with ``w:lvlOverride``/``w:startOverride`` restarts, sub-levels that
  restart under their parent (``w:lvlRestart``), and labels built from
  ``w:lvlText`` and ``w:numFmt`` ("1.", "a)", "iv.", "•"). Bullets and numbers
  tell list items from operative paragraphs; the labels themselves are not
  kept in the text (Consenso numbers paragraphs itself) but shown in the
  preview as ``source_label``.
- **Tables** come in document order; a cell merged across columns
  (``w:gridSpan``) or rows (``w:vMerge``) gives its text once, the cells it
  covers are empty.
- **Bold and italic** runs (direct formatting or a character style) become
  emphasis spans.
- **Content controls** (``w:sdt``), hyperlinks, smart tags and custom XML are
  read through; **fields** show their result: ``w:fldSimple``'s runs, and for
  complex fields the runs between ``separate`` and ``end`` (never the
  instruction).
- **Tracked changes are refused**, with the number of changes and who made
  the first. A draft with insertions and deletions pending holds two texts;
  taking either one silently would put words before the delegations that
  nobody chose. Accepting or rejecting them in Word is one command (Review →
  Accept/Reject all), after which the file imports. Formatting-only
  revisions (``w:rPrChange``, ``w:pPrChange``) change no word and are ignored.
- **Styles** say what a paragraph is: Title, Heading 1–9 (or an outline
  level), "List Bullet 2"/"List Number 3" (their level by name); a draft
  typed with Heading 1 title lines and Heading 2 DECISIONS/ANNEX headings
  reads as one typed with Title and Heading 1 (``structure`` warns of it).
- **Footnotes and endnotes** (reservations, explanations of position) are
  read from their part and kept beside the text, each with the paragraph it
  hangs on, never as text.
- Page headers and footers live in their own parts and are not read; a
  letterhead pasted into the body at every page is dropped by
  ``structure.build``.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree  # type: ignore[import-untyped]  # no stubs in the venv; element types are Any

from drafting.importing import limits, safezip
from drafting.importing.errors import UnreadableDocument
from drafting.importing.result import Block, ImportedNote, ImportResult
from drafting.importing.structure import section_kind_of
from drafting.importing.text_reader import BULLET, NUMBERED, level_of
from drafting.textnorm import Span, merge_spans

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
STRICT_OFFICE_DOCUMENT = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# A zip can expand far beyond its size (a "zip bomb"); a real declaration
# expands a few times at most.
MAX_EXPANSION = 30

_LIST_STYLE = re.compile(r"list (?:bullet|number|continue) ([2-9])")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


def q(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _val(el: etree._Element | None, default: str | None = None) -> str | None:
    if el is None:
        return default
    value = el.get(q("val"))
    return default if value is None else value


def _on(el: etree._Element | None) -> bool | None:
    """A toggle property (w:b, w:i): None when absent."""
    if el is None:
        return None
    return _val(el, "true") not in ("0", "false", "off", "none")


# -- the package ----------------------------------------------------------------


def is_docx(data: bytes) -> bool:
    return data.startswith(ZIP_MAGIC)


class _Package(zipfile.ZipFile):
    """The zip, counting the bytes inflated from it (see ``safezip``)."""

    inflated = 0


def open_package(data: bytes) -> _Package:
    """The zip, checked: an OLE compound file is an encrypted (or pre-2007)
    Word file, anything else that is not a zip is not a Word document."""
    if data.startswith(OLE_MAGIC):
        raise UnreadableDocument(
            "This file is password-protected (encrypted) or in the old .doc format. Remove the password, "
            "or save it as a Word document (.docx), and upload it again.",
            params={},
        )
    if not data.startswith(ZIP_MAGIC):
        raise UnreadableDocument("This file is not a Word document (.docx) or plain text (.txt).", params={})
    try:
        package = _Package(io.BytesIO(data))
        entries = package.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnreadableDocument(
            "This Word document is damaged and cannot be opened (%(reason)s).", params={"reason": str(exc)}
        ) from exc
    if sum(e.file_size for e in entries) > MAX_EXPANSION * max(len(data), 1_000_000):
        raise UnreadableDocument("This Word document expands to an implausible size; it was not opened.", params={})
    return package


def _read(package: _Package, name: str) -> etree._Element | None:
    try:
        # Bounded whatever the headers declare: per part and for the whole package.
        cap = min(limits.MAX_PART_BYTES, limits.MAX_INFLATED_BYTES - package.inflated)
        raw = safezip.read_member(package, name, cap=max(cap, 0))
        package.inflated += len(raw)
    except KeyError:
        return None
    except safezip.TooLarge as exc:
        raise UnreadableDocument(
            "This Word document expands to an implausible size (%(part)s alone inflates to more than "
            "%(limit)s bytes); it was not read.",
            params={"part": name, "limit": f"{exc.cap:,}"},
        ) from exc
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:  # bad CRC, truncated entry
        raise UnreadableDocument(
            "This Word document is damaged (%(part)s: %(reason)s).", params={"part": name, "reason": str(exc)}
        ) from exc
    limits.Budget.tags(name, raw.count(b"<"))  # before the tree is built: its memory grows with them
    try:
        return etree.fromstring(raw, _PARSER)
    except etree.XMLSyntaxError as exc:
        # libxml2 out of memory (the isolated reader's limit) says so by its error code, or
        # only "unknown error"; not by the message's words, which quote the document
        # ("Couldn't find end of Start Tag Memory" is a damaged file, not an exhausted reader).
        if exc.code == etree.ErrorTypes.ERR_NO_MEMORY or str(exc).startswith("unknown error"):
            raise MemoryError(str(exc)) from exc
        raise UnreadableDocument(
            "This Word document is damaged (%(part)s is not valid XML).", params={"part": name}
        ) from exc


def _relationships(package: _Package, part: str) -> dict[str, str]:
    """relationship type → target part name, for the part ``part``."""
    folder, name = posixpath.split(part)
    rels = _read(package, posixpath.join(folder, "_rels", f"{name}.rels"))
    out: dict[str, str] = {}
    if rels is None:
        return out
    for rel in rels.iter(f"{{{PKG_REL}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out.setdefault(rel.get("Type", "").rsplit("/", 1)[-1], path)
        if rel.get("Type") in (OFFICE_DOCUMENT, STRICT_OFFICE_DOCUMENT):
            out["officeDocument"] = path
    return out


# -- styles ---------------------------------------------------------------------


@dataclass
class _Style:
    id: str
    name: str
    type: str
    based_on: str | None = None
    num_id: str | None = None
    ilvl: int | None = None
    outline: int | None = None
    bold: bool | None = None
    italic: bool | None = None
    page_break_before: bool | None = None


@dataclass
class _Styles:
    by_id: dict[str, _Style] = field(default_factory=dict)
    default_paragraph: str | None = None

    def chain(self, style_id: str | None) -> Iterator[_Style]:
        seen: set[str] = set()
        while style_id and style_id in self.by_id and style_id not in seen:
            seen.add(style_id)
            style = self.by_id[style_id]
            yield style
            style_id = style.based_on


def _styles(root: etree._Element | None) -> _Styles:
    styles = _Styles()
    if root is None:
        return styles
    for el in root.iter(q("style")):
        sid = el.get(q("styleId")) or ""
        p_pr = el.find(q("pPr"))
        r_pr = el.find(q("rPr"))
        num_pr = p_pr.find(q("numPr")) if p_pr is not None else None
        ilvl = _val(num_pr.find(q("ilvl"))) if num_pr is not None else None
        outline = _val(p_pr.find(q("outlineLvl"))) if p_pr is not None else None
        style = _Style(
            id=sid,
            name=(_val(el.find(q("name"))) or sid).lower(),
            type=el.get(q("type")) or "paragraph",
            based_on=_val(el.find(q("basedOn"))),
            num_id=_val(num_pr.find(q("numId"))) if num_pr is not None else None,
            ilvl=int(ilvl) if ilvl and ilvl.isdigit() else None,
            outline=int(outline) if outline and outline.isdigit() else None,
            bold=_on(r_pr.find(q("b"))) if r_pr is not None else None,
            italic=_on(r_pr.find(q("i"))) if r_pr is not None else None,
            page_break_before=_on(p_pr.find(q("pageBreakBefore"))) if p_pr is not None else None,
        )
        styles.by_id[sid] = style
        if style.type == "paragraph" and el.get(q("default")) in ("1", "true", "on"):
            styles.default_paragraph = sid
    return styles


# -- numbering ------------------------------------------------------------------


@dataclass
class _Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    restart: int | None = None  # w:lvlRestart
    pstyle: str | None = None
    legal: bool = False
    cut: bool = False  # lvlText was longer than any label and was cut (see limits)


def _level(el: etree._Element) -> _Level:
    start = _val(el.find(q("start")), "1") or "1"
    restart = _val(el.find(q("lvlRestart")))
    return _Level(
        fmt=_val(el.find(q("numFmt")), "decimal") or "decimal",
        # a label template longer than any label is cut (its %1…%9 expand it)
        text=(_val(el.find(q("lvlText")), "") or "")[: limits.MAX_LABEL_CHARS],
        cut=len(_val(el.find(q("lvlText")), "") or "") > limits.MAX_LABEL_CHARS,
        start=limits.clamp_number(start, default=1)[0],
        restart=int(restart) if restart and restart.isdigit() else None,
        pstyle=_val(el.find(q("pStyle"))),
        legal=bool(_on(el.find(q("isLgl")))),
    )


@dataclass
class _Num:
    abstract: str
    starts: dict[int, int] = field(default_factory=dict)  # startOverride per level
    levels: dict[int, _Level] = field(default_factory=dict)  # full w:lvl overrides


@dataclass
class _Numbering:
    abstracts: dict[str, dict[int, _Level]] = field(default_factory=dict)
    style_link: dict[str, str] = field(default_factory=dict)  # abstract id → numbering style it links to
    defines_style: dict[str, str] = field(default_factory=dict)  # numbering style id → abstract defining it
    nums: dict[str, _Num] = field(default_factory=dict)


def _numbering(root: etree._Element | None, styles: _Styles) -> _Numbering:
    numbering = _Numbering()
    if root is None:
        return numbering
    for el in root.iter(q("abstractNum")):
        aid = el.get(q("abstractNumId")) or ""
        levels = {}
        for lvl in el.findall(q("lvl")):
            ilvl = lvl.get(q("ilvl")) or "0"
            levels[int(ilvl) if ilvl.isdigit() else 0] = _level(lvl)
        numbering.abstracts[aid] = levels
        link = _val(el.find(q("numStyleLink")))
        if link:
            numbering.style_link[aid] = link
        defines = _val(el.find(q("styleLink")))
        if defines:
            numbering.defines_style[defines] = aid
    for el in root.iter(q("num")):
        nid = el.get(q("numId")) or ""
        num = _Num(abstract=_val(el.find(q("abstractNumId")), "") or "")
        for override in el.findall(q("lvlOverride")):
            ilvl_raw = override.get(q("ilvl")) or "0"
            ilvl = int(ilvl_raw) if ilvl_raw.isdigit() else 0
            start = _val(override.find(q("startOverride")))
            if start and start.lstrip("-").isdigit():
                num.starts[ilvl] = limits.clamp_number(start, default=1)[0]
            lvl = override.find(q("lvl"))
            if lvl is not None:
                num.levels[ilvl] = _level(lvl)
        numbering.nums[nid] = num
    return numbering


_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))  # fmt: skip


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out += letters
            n -= value
    return out or "0"


def number_fits(n: int, fmt: str) -> bool:
    """Whether ``n`` can be written in ``fmt`` at a sane length; if not, the
    label shows it in decimals (see ``limits``)."""
    if fmt in ("lowerLetter", "upperLetter"):
        return n <= limits.MAX_LETTER_VALUE
    if fmt in ("lowerRoman", "upperRoman"):
        return n <= limits.MAX_ROMAN_VALUE
    return True


def format_number(n: int, fmt: str) -> str:
    if not number_fits(n, fmt):
        return str(n)
    if fmt in ("lowerLetter", "upperLetter"):
        letters = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else "0"
        return letters.upper() if fmt == "upperLetter" else letters
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(n)
        return roman.upper() if fmt == "upperRoman" else roman
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


class _Counters:
    """Word's list counters. Paragraphs of ``w:num`` instances sharing an
    abstract numbering continue one list; an instance with a start override
    is a list of its own that starts again (how "restart numbering" is saved)."""

    def __init__(self, numbering: _Numbering, styles: _Styles, budget: limits.Budget | None = None) -> None:
        self.numbering = numbering
        self.styles = styles
        self.values: dict[str, list[int | None]] = {}
        self.budget = budget or limits.Budget()

    def _abstract(self, num_id: str) -> tuple[str, dict[int, _Level]] | None:
        num = self.numbering.nums.get(num_id)
        if num is None:
            return None
        aid = num.abstract
        for _ in range(3):  # numStyleLink → numbering style → its num → the defining abstract
            link = self.numbering.style_link.get(aid)
            if link is None:
                break
            defining = self.numbering.defines_style.get(link)
            style = self.styles.by_id.get(link)
            if defining is not None:
                aid = defining
            elif style is not None and style.num_id in self.numbering.nums:
                aid = self.numbering.nums[style.num_id].abstract
            else:
                break
        levels = dict(self.numbering.abstracts.get(aid, {}))
        levels.update(num.levels)
        return aid, levels

    def level_for_style(self, num_id: str, style_id: str) -> int:
        found = self._abstract(num_id)
        if found:
            for ilvl, level in found[1].items():
                if level.pstyle == style_id:
                    return ilvl
        return 0

    def next(self, num_id: str, ilvl: int) -> tuple[str, str] | None:
        """(format, label) of the next paragraph numbered ``num_id`` at ``ilvl``."""
        found = self._abstract(num_id)
        if found is None:
            return None
        aid, levels = found
        num = self.numbering.nums[num_id]
        key = f"num:{num_id}" if num.starts or num.levels else f"abstract:{aid}"
        values = self.values.setdefault(key, [None] * 9)
        ilvl = max(0, min(ilvl, 8))
        level = levels.get(ilvl, _Level())

        def start(i: int) -> int:
            return num.starts.get(i, levels.get(i, _Level()).start)

        values[ilvl] = start(ilvl) if values[ilvl] is None else (values[ilvl] or 0) + 1
        for deeper in range(ilvl + 1, 9):
            restart = levels.get(deeper, _Level()).restart
            if restart is None or (restart != 0 and ilvl < restart):
                values[deeper] = None
        if level.fmt == "bullet":
            return "bullet", level.text
        if level.fmt == "none":
            return "none", ""

        def shown(match: re.Match[str]) -> str:
            i = int(match.group(1)) - 1
            value = values[i] if values[i] is not None else start(i)
            fmt = "decimal" if level.legal else levels.get(i, _Level()).fmt
            if not number_fits(value or 0, fmt):
                self.budget.note("numbering_fallback")
            return format_number(value or 0, fmt)

        label = re.sub(r"%([1-9])", shown, level.text)
        if len(label) > limits.MAX_LABEL_CHARS or level.cut:
            self.budget.note("label_truncated")
            label = label[: limits.MAX_LABEL_CHARS] + "…"
        return level.fmt, label


# -- the body -------------------------------------------------------------------


@dataclass
class _Piece:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class _Reader:
    styles: _Styles
    counters: _Counters
    result: ImportResult
    fields: list[str] = field(default_factory=list)  # complex fields open: "instr" or "result"
    page_break: bool = False  # a page or section break waits for the next paragraph
    page_break_here: bool = False  # the paragraph being read opens with a page break
    counts: dict[str, int] = field(default_factory=dict)
    index: int = 0
    # footnotes and endnotes referred to: (kind, id, the paragraph holding the reference)
    note_refs: list[tuple[str, str, str]] = field(default_factory=list)

    def note(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    # runs --------------------------------------------------------------
    def _char_style(self, r_pr: etree._Element | None) -> tuple[bool | None, bool | None]:
        bold = italic = None
        if r_pr is not None:
            for style in self.styles.chain(_val(r_pr.find(q("rStyle")))):
                bold = style.bold if bold is None else bold
                italic = style.italic if italic is None else italic
        return bold, italic

    def _run(self, run: etree._Element, out: list[_Piece]) -> None:
        r_pr = run.find(q("rPr"))
        style_bold, style_italic = self._char_style(r_pr)
        direct_bold = _on(r_pr.find(q("b"))) if r_pr is not None else None
        direct_italic = _on(r_pr.find(q("i"))) if r_pr is not None else None
        bold = bool(direct_bold if direct_bold is not None else style_bold)
        italic = bool(direct_italic if direct_italic is not None else style_italic)
        for child in run:
            tag = child.tag
            if tag == q("fldChar"):
                kind = child.get(q("fldCharType"))
                if kind == "begin":
                    self.fields.append("instr")
                elif kind == "separate" and self.fields:
                    self.fields[-1] = "result"
                elif kind == "end" and self.fields:
                    self.fields.pop()
                continue
            if self.fields and self.fields[-1] == "instr":
                continue  # a field's instruction (PAGE, REF _Ref123 …) is not text
            text = ""
            if tag == q("t"):
                text = child.text or ""
                for entity in child:  # &name; is never resolved; keep the text around it, and say so
                    if isinstance(entity, etree._Entity):
                        self.note("entity references")
                    text += entity.tail or ""
            elif tag == q("tab"):
                text = "\t"
            elif tag in (q("br"), q("cr")):
                if child.get(q("type")) == "page":
                    self.page_break = True
                    if not "".join(p.text for p in out).strip():
                        self.page_break_here = True
                elif child.get(q("type")) != "column":
                    text = "\n"
            elif tag == q("noBreakHyphen"):
                text = "\u2011"
            elif tag == q("sym"):
                code = child.get(q("char")) or ""
                if re.fullmatch(r"[0-9A-Fa-f]{1,6}", code) and not 0xE000 <= int(code, 16) <= 0xF8FF:
                    text = chr(int(code, 16))
                else:
                    self.note("symbols")
            elif tag in (q("footnoteReference"), q("endnoteReference")):
                kind = "footnote" if tag == q("footnoteReference") else "endnote"
                self.note_refs.append((kind, child.get(q("id")) or "", f"paragraph {self.index}"))
            elif tag in (q("drawing"), q("pict"), q("object")):
                self.note("images")
            if text:
                out.append(_Piece(text, bold, italic))

    def _inline(self, parent: etree._Element, out: list[_Piece]) -> None:
        for child in parent:
            tag = child.tag
            if tag == q("r"):
                self._run(child, out)
            elif tag in (q("hyperlink"), q("smartTag"), q("customXml"), q("fldSimple"), q("ins"), q("moveTo")):
                self._inline(child, out)
            elif tag == q("sdt"):
                content = child.find(q("sdtContent"))
                if content is not None:
                    self._inline(content, out)
            elif tag.endswith("}oMath") or tag.endswith("}oMathPara"):
                self.note("equations")
            # w:del / w:moveFrom (refused earlier), w:pPr, bookmarks, proofing marks: no text

    # paragraphs ------------------------------------------------------------
    def paragraph(self, p: etree._Element) -> Block | None:
        self.index += 1
        p_pr = p.find(q("pPr"))
        style_id = _val(p_pr.find(q("pStyle"))) if p_pr is not None else None
        style_id = style_id or self.styles.default_paragraph
        chain = list(self.styles.chain(style_id))
        self.page_break_here = False
        pieces: list[_Piece] = []
        self._inline(p, pieces)
        page_break_before = self.page_break_here or self.page_break
        self.page_break = False
        explicit = _on(p_pr.find(q("pageBreakBefore"))) if p_pr is not None else None
        if explicit is None:
            explicit = next((s.page_break_before for s in chain if s.page_break_before is not None), None)
        page_break_before = page_break_before or bool(explicit)
        if p_pr is not None and p_pr.find(q("sectPr")) is not None:
            self.page_break = True  # a section break: the next paragraph starts a page

        role = self._role(p_pr, chain)
        num_id, ilvl = self._num_pr(p_pr, chain, style_id)
        text = "".join(piece.text for piece in pieces)
        block = Block(role=role, where=f"paragraph {self.index}", page_break_before=page_break_before)
        if num_id not in (None, "0"):
            assert num_id is not None
            shown = self.counters.next(num_id, ilvl)
            if shown is not None and text.strip():
                fmt, label = shown
                block.level, block.label = ilvl, label
                block.bullet = fmt == "bullet"
                block.numbered = fmt not in ("bullet", "none")
                # Word's "List Bullet 2", "List Number 3" … say their level by name,
                # whatever level their own numbering is at.
                named = next((_LIST_STYLE.fullmatch(st.name) for st in chain if _LIST_STYLE.fullmatch(st.name)), None)
                if named is not None and ilvl == 0:
                    block.level = min(8, int(named.group(1)) - 1)
        if not text.strip():
            if page_break_before:
                self.page_break = True  # an empty paragraph holding a page break
            return None
        block.text = text
        block.emphasis = _spans(pieces)
        return block

    def _role(self, p_pr: etree._Element | None, chain: list[_Style]) -> str:
        outline = _val(p_pr.find(q("outlineLvl"))) if p_pr is not None else None
        for style in chain:
            name = style.name
            if name in ("title", "subtitle"):
                return "title"
            if name == "place date":
                return "place_date"
            if name == "draft marking":
                return "marking"
            if name == "caption":
                return "caption"
            if re.fullmatch(r"heading [1-9]", name):
                return "heading1" if name == "heading 1" else "heading2"
        if outline is None:
            outline_level = next((s.outline for s in chain if s.outline is not None), None)
        else:
            outline_level = int(outline) if outline.isdigit() else None
        if outline_level is not None and outline_level < 9:
            return "heading1" if outline_level == 0 else "heading2"
        return "paragraph"

    def _num_pr(self, p_pr: etree._Element | None, chain: list[_Style], style_id: str | None) -> tuple[str | None, int]:
        num_pr = p_pr.find(q("numPr")) if p_pr is not None else None
        num_id = _val(num_pr.find(q("numId"))) if num_pr is not None else None
        ilvl_raw = _val(num_pr.find(q("ilvl"))) if num_pr is not None else None
        if num_id is None:
            for style in chain:  # numbering given by the style (a style-numbered list)
                if style.num_id is not None:
                    num_id = style.num_id
                    if ilvl_raw is None and style.ilvl is not None:
                        ilvl_raw = str(style.ilvl)
                    if ilvl_raw is None:
                        ilvl_raw = str(self.counters.level_for_style(num_id, style.id))
                    break
        ilvl = int(ilvl_raw) if ilvl_raw and ilvl_raw.isdigit() else 0
        return num_id, min(ilvl, 8)

    # tables ----------------------------------------------------------------
    def _cell_text(self, tc: etree._Element) -> str:
        lines: list[str] = []
        for el in tc:
            if el.tag == q("p"):
                pieces: list[_Piece] = []
                self._inline(el, pieces)
                lines.append("".join(p.text for p in pieces))
            elif el.tag == q("tbl"):
                lines.extend("\t".join(row) for row in self._rows(el))
            elif el.tag == q("sdt"):
                content = el.find(q("sdtContent"))
                if content is not None:
                    lines.append(self._cell_text(content))
        return "\n".join(lines).strip()

    def _cells(self, tr: etree._Element) -> Iterator[etree._Element]:
        for el in tr:
            if el.tag == q("tc"):
                yield el
            elif el.tag in (q("sdt"), q("customXml")):
                content = el.find(q("sdtContent")) if el.tag == q("sdt") else el
                if content is not None:
                    yield from self._cells(content)

    def _table_rows(self, parent: etree._Element) -> Iterator[etree._Element]:
        """The rows of this table (not of tables nested in its cells), row content controls read through."""
        for el in parent:
            if el.tag == q("tr"):
                yield el
            elif el.tag in (q("sdt"), q("customXml")):
                content = el.find(q("sdtContent")) if el.tag == q("sdt") else el
                if content is not None:
                    yield from self._table_rows(content)

    def _span(self, raw: str | None) -> int:
        span, capped = limits.span_of(raw)
        if capped:
            self.counters.budget.note("span_capped")
        return span

    def _rows(self, tbl: etree._Element) -> list[list[str]]:
        rows: list[list[str]] = []
        cells = 0
        for tr in self._table_rows(tbl):
            row: list[str] = []
            tr_pr = tr.find(q("trPr"))
            before = _val(tr_pr.find(q("gridBefore"))) if tr_pr is not None else None
            row.extend([""] * (self._span(before) if before and before.isdigit() else 0))
            for tc in self._cells(tr):
                tc_pr = tc.find(q("tcPr"))
                span_raw = _val(tc_pr.find(q("gridSpan"))) if tc_pr is not None else None
                span = self._span(span_raw)
                merge = tc_pr.find(q("vMerge")) if tc_pr is not None else None
                continued = merge is not None and _val(merge, "continue") == "continue"
                if continued:
                    self.note("merged cells")
                row.append("" if continued else self._cell_text(tc))
                row.extend([""] * (span - 1))
                limits.Budget.table(len(rows) + 1, len(row))
            rows.append(row)
            cells += len(row)
            limits.Budget.table(1, cells)
        return rows

    def table(self, tbl: etree._Element) -> Block | None:
        self.index += 1
        rows = self._rows(tbl)
        if not rows or not any(cell.strip() for row in rows for cell in row):
            return None
        width = max(len(r) for r in rows)
        limits.Budget.table(len(rows), width)  # before the rows are padded to the widest
        for r in rows:
            r.extend([""] * (width - len(r)))
        block = Block(role="table", table=rows, where=f"table at block {self.index}", page_break_before=self.page_break)
        self.page_break = False
        return block

    def blocks(self, container: etree._Element) -> Iterator[Block]:
        for el in container:
            tag = el.tag
            if tag == q("p"):
                block = self.paragraph(el)
            elif tag == q("tbl"):
                block = self.table(el)
            elif tag == q("sdt"):
                content = el.find(q("sdtContent"))
                if content is not None:
                    yield from self.blocks(content)
                continue
            elif tag == q("customXml"):
                yield from self.blocks(el)
                continue
            elif tag == q("altChunk"):
                self.note("embedded documents")
                continue
            else:
                continue
            if block is not None:
                yield block


def _typed_structure(blocks: list[Block]) -> None:
    """Headings and numbers typed as text instead of made with Word's styles
    and numbering, as in drafts pasted together from e-mails.

    A paragraph that is only a section heading in capitals ("DECISIONS",
    "ANNEX A") is one in any document. Typed labels ("1. …", "(a) …", "• …")
    are read only in a document that uses no Word structure at all (no
    title or heading style, no numbering), which is then read by the shape
    of its text, as plain text is: in a structured document, our own clean
    exports included, a paragraph whose words begin with "1." or "•" says
    just that, and must come back unchanged."""
    structured = any(
        b.role in ("title", "place_date", "marking", "heading1", "heading2", "caption") or b.numbered or b.bullet
        for b in blocks
    )
    for block in blocks:
        if block.role != "paragraph" or block.numbered or block.bullet:
            continue
        stripped = block.text.strip()
        if stripped.isupper() and len(stripped) <= 60 and section_kind_of(stripped):
            block.role = "heading1"
        elif not structured:
            block.guessed = True
            _typed_label(block)


def _typed_label(block: Block) -> None:
    numbered = NUMBERED.match(block.text)
    bullet = None if numbered else BULLET.match(block.text)
    match = numbered or bullet
    if match is None:
        return
    cut = match.start("text")
    block.label = match.group("label") if numbered else match.group("mark")
    block.numbered, block.bullet = bool(numbered), bool(bullet)
    block.level = level_of(block.label) if numbered else 0
    block.text = block.text[cut:]
    block.emphasis = [
        {"start": max(0, s["start"] - cut), "end": s["end"] - cut, "style": s["style"]}
        for s in block.emphasis
        if s["end"] > cut
    ]


def _spans(pieces: list[_Piece]) -> list[Span]:
    spans: list[Span] = []
    offset = 0
    for piece in pieces:
        end = offset + len(piece.text)
        if piece.bold:
            spans.append({"start": offset, "end": end, "style": "bold"})
        if piece.italic:
            spans.append({"start": offset, "end": end, "style": "italic"})
        offset = end
    return merge_spans(spans)


def _header_lines(package: _Package, main: str) -> list[str]:
    """The distinct lines of the page headers and footers (a letterhead, a
    draft marking), to say in the preview that they were left out."""
    folder, name = posixpath.split(main)
    rels = _read(package, posixpath.join(folder, "_rels", f"{name}.rels"))
    lines: list[str] = []
    if rels is None:
        return lines
    for rel in rels.iter(f"{{{PKG_REL}}}Relationship"):
        if rel.get("Type", "").rsplit("/", 1)[-1] not in ("header", "footer") or rel.get("TargetMode") == "External":
            continue
        part = _read(package, posixpath.normpath(posixpath.join(folder, rel.get("Target", ""))))
        if part is None:
            continue
        for p in part.iter(q("p")):
            text = "".join(t.text or "" for t in p.iter(q("t"))).strip()
            if text and text not in lines:
                lines.append(text)
    return lines


def _notes(package: _Package, rels: dict[str, str], refs: list[tuple[str, str, str]], result: ImportResult) -> None:
    """Footnotes and endnotes (a reservation, an explanation of position, a
    source) are kept beside the text, in the order referred to, each with the
    paragraph it hangs on; never read as text of the declaration."""
    if not refs:
        return
    texts: dict[tuple[str, str], str] = {}
    for kind, part in (("footnote", "footnotes"), ("endnote", "endnotes")):
        root = _read(package, rels[part]) if part in rels and any(r[0] == kind for r in refs) else None
        if root is None:
            continue
        for note in root.iter(q(kind)):
            pieces = ("".join(t.text or "" for t in p.iter(q("t"))) for p in note.iter(q("p")))
            texts[(kind, note.get(q("id")) or "")] = " ".join(" ".join(pieces).split())
    for kind, note_id, where in refs:
        result.notes.append(ImportedNote("footnote", texts.get((kind, note_id), ""), where))
    result.warn(
        "footnotes_kept_apart",
        f"{len(refs)} footnotes were read as footnotes (shown beside the text), not as text of the declaration.",
    )


def _refuse_tracked_changes(body: etree._Element) -> None:
    changes = [el for el in body.iter(q("ins"), q("del"), q("moveFrom"), q("moveTo"), q("cellIns"), q("cellDel"))]
    if not changes:
        return
    author = changes[0].get(q("author"))
    if not author:  # the same sentence, whole, so that it is translated whole
        raise UnreadableDocument(
            "This document has %(count)s tracked changes (the first by an unnamed author). Consenso does not "
            "guess which text is meant: accept or reject them in Word (Review → Accept all / Reject all), save, "
            "and upload the document again.",
            params={"count": str(len(changes))},
        )
    raise UnreadableDocument(
        "This document has %(count)s tracked changes (the first by %(author)s). Consenso does not guess "
        "which text is meant: accept or reject them in Word (Review → Accept all / Reject all), save, and upload "
        "the document again.",
        params={"count": str(len(changes)), "author": author},
    )


def read_docx(data: bytes, result: ImportResult | None = None) -> tuple[list[Block], ImportResult]:
    """Blocks of a Word document, in document order (see the module doc)."""
    result = result or ImportResult(source="docx")
    package = open_package(data)
    main = _relationships(package, "").get("officeDocument", "word/document.xml")
    document = _read(package, main)
    if document is None or document.tag != q("document"):
        raise UnreadableDocument(
            "This file is a zip archive but not a Word document (it has no document body).", params={}
        )
    body = document.find(q("body"))
    if body is None:
        raise UnreadableDocument("This Word document has no body.", params={})
    _refuse_tracked_changes(body)
    limits.Budget.elements(sum(1 for _ in body.iter(q("p"))), sum(1 for _ in body.iter(q("r"))))
    rels = _relationships(package, main)
    styles = _styles(_read(package, rels["styles"]) if "styles" in rels else None)
    numbering = _numbering(_read(package, rels["numbering"]) if "numbering" in rels else None, styles)
    budget = limits.Budget()
    reader = _Reader(styles=styles, counters=_Counters(numbering, styles, budget), result=result)
    blocks = []
    for block in reader.blocks(body):  # refused as soon as a document-wide cap is passed
        budget.block(len(block.text) + sum(len(cell) for row in block.table or [] for cell in row))
        blocks.append(block)
    _typed_structure(blocks)
    _notes(package, rels, reader.note_refs, result)
    header = _header_lines(package, main)
    if header:
        shown = "; ".join(f"“{line}”" for line in header[:6])
        result.warn("page_header_ignored", f"The page header and footer are not part of the text: {shown}.")
    _warn_capped(result, budget)
    for what, n in reader.counts.items():
        if what == "merged cells":
            continue
        result.warn(f"{what.replace(' ', '_')}_dropped", f"{n} {what} in the document were not imported.")
    return blocks, result


def _warn_capped(result: ImportResult, budget: limits.Budget) -> None:
    """Say what the limits changed (see ``limits``)."""
    if n := budget.capped.get("numbering_fallback"):
        result.warn(
            "numbering_fallback",
            f"{n} list numbers were too large to write in letters or Roman numerals and are shown in decimals.",
        )
    if n := budget.capped.get("label_truncated"):
        result.warn("label_truncated", f"{n} list labels were longer than {limits.MAX_LABEL_CHARS} characters and cut.")
    if n := budget.capped.get("span_capped"):
        result.warn(
            "span_capped",
            f"{n} table cells claimed to span more than {limits.MAX_GRID_SPAN} columns; they were cut to that width.",
        )
