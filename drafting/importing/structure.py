"""From blocks to a declaration's structure: title block, preamble, operative
part, annexes; and the clean-up both readers share (letterheads repeated at
every page, draft markings, normalisation).

How a declaration is recognised (RCM and UN practice, see shared/DOMAIN.md):

- The title block is what the source styles as a title (Word "Title"), or
  else the short leading lines without closing punctuation, up to the place
  and date line ("Mexico City, April 1, 2022"). A date run onto the end of a
  title line is split off, with a warning.
- A section starts at a section heading: Word "Heading 1", or in plain text a
  short line such as ``DECISIONS`` or ``ANNEX A``. Its kind comes from its
  words (annex/anexo, decisions/decide/acuerdan …), else from what follows
  (numbered paragraphs: operative; a page break after the operative part: an
  annex).
- Without headings, numbered paragraphs start the operative part. A text with
  no numbering at all (the 2021 and 2022 extraordinary declarations) keeps in
  the preamble what reads as preamble (participles such as "Recalling", a
  closing comma, the chapeau ending in ":"); the first paragraph that does
  not read so starts the operative part.
- In the operative part numbered items are operative paragraphs (their level
  kept) and bullets list items (in plain text, which loses indentation, a
  bullet right under a numbered decision is its sub-item, a level below); in
  an annex, both are list items.
- A section heading is also a lower-level heading (Word "Heading 2") or a
  plain-text line whose words name a section (DECISIONS/DECISIONES,
  ACUERDAN/AGREE, CONSIDERANDO, ANNEX/ANEXO …, a closing colon allowed).
- A paragraph wholly in brackets that speaks about the text ("[English
  translation of the original Spanish text]", "[Traducción no oficial]") is a
  note: kept beside the text, never the title. A clean export's closing
  EXPLANATIONS OF POSITION are kept beside the text too, as are footnotes.
- Every guess (a title line taken by its shape, a heading by its words, a
  section by what follows it, a sub-item, a note) is a warning naming the
  paragraph (``ImportResult.guess``); the Secretariat can correct the preview
  (``corrections``) before confirming.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

from drafting.importing.result import Block, ImportedNote, ImportedParagraph, ImportedSection, ImportResult
from drafting.seedtext import is_letterhead
from drafting.textnorm import Span, merge_spans

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre"
)
_DATE = (
    rf"(?:(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th|º|°|o)?\s+(?:de\s+)?(?:{_MONTHS}),?\s+(?:de\s+|del\s+)?\d{{4}}"
    rf"|(?:{_MONTHS})\s+(?:de\s+|del\s+)?\d{{4}})"
)
_DATE_LINE = re.compile(rf"^(?:[^\d,;:.]{{2,80}},\s*)?{_DATE}\.?$", re.IGNORECASE)
_TITLE_THEN_DATE = re.compile(rf"^(?P<title>.{{10,}}?)[\s,]+(?P<date>{_DATE})\.?$", re.IGNORECASE)
_MARKING = re.compile(
    r"^(?:.{1,80}\s—\s)?(?:draft — not agreed|borrador — no acordado(?: / draft — not agreed)?)$", re.IGNORECASE
)
_ANNEX = re.compile(r"^(?:annex|anexo|appendix|apéndice|attachment|adjunto)\b", re.IGNORECASE)
_OPERATIVE = re.compile(
    r"^(?:decisions?|decisiones|decide[ns]?|declares?|declaran?|acuerdan?|agrees?|resuelven?|resolves?|"
    r"acordamos|decidimos|declaramos|resolvemos|recomiendan|recommends?|"
    r"operative part|parte dispositiva)\s*:?$",
    re.IGNORECASE,
)
_PREAMBLE = re.compile(r"^(?:preamble|preámbulo|considerando|considering|vistos?)\s*:?$", re.IGNORECASE)
# A paragraph wholly in brackets that speaks about the text ("[English
# translation of the original Spanish text]", "[Traducción no oficial]") is a
# note, not text; a bracketed paragraph of a draft (not agreed) is text.
_EXPLANATIONS = re.compile(
    r"^(?:explanations? of (?:position|vote)|explicaci(?:ón|ones) de (?:posición|voto))$", re.IGNORECASE
)
_NOTE = re.compile(r"^\[(?P<inner>[^\[\]]{3,300})\]$")
_NOTE_WORDS = re.compile(
    r"translat|traduc|unofficial|no oficial|original|\bnote\b|\bnota\b|unedited|sin editar|advance|avanzad|"
    r"check against delivery|cotejar|for information|para información",
    re.IGNORECASE,
)
# The words UN and RCM preambular paragraphs open with.
_PREAMBULAR_OPENING = re.compile(
    r"^(?:recalling|considering|noting|recognizing|recognising|reaffirming|having|bearing in mind|acknowledging|"
    r"welcoming|convinced|aware|concerned|deeply|emphasizing|emphasising|guided|mindful|taking into account|"
    r"recordando|considerando|reconociendo|reafirmando|teniendo|tomando nota|observando|destacando|conscientes|"
    r"convencidos|preocupados|acogiendo|subrayando|reiterando|que)\b",
    re.IGNORECASE,
)
_CLOSING = (".", ";", ":", ",", "!", "?")
MEMBER_NAMES = {
    # name as written (English and Spanish) → the member's English name
    "Belize": "Belize",
    "Belice": "Belize",
    "Canada": "Canada",
    "Canadá": "Canada",
    "Costa Rica": "Costa Rica",
    "Dominican Republic": "Dominican Republic",
    "República Dominicana": "Dominican Republic",
    "El Salvador": "El Salvador",
    "Guatemala": "Guatemala",
    "Honduras": "Honduras",
    "Mexico": "Mexico",
    "México": "Mexico",
    "Nicaragua": "Nicaragua",
    "Panama": "Panama",
    "Panamá": "Panama",
    "United States of America": "United States",
    "United States": "United States",
    "Estados Unidos de América": "United States",
    "Estados Unidos": "United States",
}
_NAME = "|".join(sorted(map(re.escape, MEMBER_NAMES), key=len, reverse=True))
_NAME_LIST = re.compile(
    rf"(?:the\s+|la\s+|los\s+)?(?:{_NAME})(?:\s*,\s*(?:and\s+|y\s+|e\s+)?(?:the\s+|la\s+|los\s+)?(?:{_NAME})"
    rf"|\s+(?:and|y|e)\s+(?:the\s+|la\s+|los\s+)?(?:{_NAME}))+"
)
LETTERHEAD_MAX_CHARS = 80
# Word's header placeholder, left in extractions of documents whose header was never filled in.
HEADER_PLACEHOLDERS = {"[type text]", "[escriba texto]", "[escriba aquí]", "[type here]"}


def normalise(text: str, spans: Sequence[Span] = ()) -> tuple[str, list[Span]]:
    """NFC and stripped, as ``textnorm.clean_text`` stores it, with the spans
    moved onto the result (NFC may merge characters; the margins go)."""
    nfc = unicodedata.normalize("NFC", text)

    def remap(offset: int) -> int:
        return offset if nfc is text else len(unicodedata.normalize("NFC", text[:offset]))

    lead = len(nfc) - len(nfc.lstrip())
    stripped = nfc.strip()
    out: list[Span] = []
    for span in spans:
        start = max(0, min(remap(span["start"]) - lead, len(stripped)))
        end = max(0, min(remap(span["end"]) - lead, len(stripped)))
        if start < end:
            out.append({"start": start, "end": end, "style": span["style"]})
    return stripped, merge_spans(out)


def _key(text: str) -> str:
    return " ".join(text.split()).lower()


def letterhead_lines(items: Sequence[tuple[str, bool]]) -> set[str]:
    """Which texts are a letterhead or page header, given every line (or
    paragraph) in order with whether it could be one (plain text, not a list
    item, numbered or a table). Known RCM letterhead lines always are; other
    short lines are when the document opens with them (before the first long
    line) and they come back later, as a header pasted at every page does.
    Returns normalised keys (see ``is_dropped``)."""
    dropped = {_key(t) for t, possible in items if possible and (is_letterhead(t) or _key(t) in HEADER_PLACEHOLDERS)}
    counts = Counter(_key(t) for t, possible in items if possible and t.strip())
    for text, possible in items:
        stripped = text.strip()
        if not stripped:
            continue
        if not possible or len(stripped) > LETTERHEAD_MAX_CHARS or stripped.endswith(_CLOSING):
            break  # the document's own text has begun
        if counts[_key(stripped)] >= 2:
            dropped.add(_key(stripped))
    return dropped


def is_dropped(text: str, letterheads: set[str]) -> bool:
    return _key(text) in letterheads


def is_date_line(text: str) -> bool:
    return bool(_DATE_LINE.match(text.strip()))


def section_kind_of(heading: str) -> str | None:
    """The section a heading names by its words, if it does."""
    text = heading.strip()
    if _ANNEX.match(text):
        return "annex"
    if _OPERATIVE.match(text):
        return "operative"
    if _PREAMBLE.match(text):
        return "preamble"
    return None


def members_present(texts: Iterable[str]) -> list[str]:
    """Member countries named in a list ("Belize, Canada, … and Panama") in
    the first paragraphs, in the order stated, by their English names."""
    for text in texts:
        best = max(_NAME_LIST.finditer(text), key=lambda m: len(m.group(0)), default=None)
        if best is None:
            continue
        names: list[str] = []
        for match in re.finditer(_NAME, best.group(0)):
            name = MEMBER_NAMES[match.group(0)]
            if name not in names:
                names.append(name)
        if len(names) >= 3:
            return names
    return []


_SPANISH = {"de", "la", "el", "los", "las", "que", "y", "en", "del", "para", "por", "con", "su", "sus"}
_ENGLISH = {"the", "of", "and", "to", "in", "for", "that", "with", "on", "its", "their", "as", "by"}


def guess_language(texts: Iterable[str]) -> str:
    """Spanish or English, by the commonest small words (RCM texts are one or the other)."""
    spanish = english = 0
    for text in texts:
        for word in re.findall(r"\w+", text.lower()):
            spanish += word in _SPANISH
            english += word in _ENGLISH
    return "es" if spanish > english else "en"


def opens_paragraph(text: str) -> bool:
    """Opens with the words a preambular paragraph opens with ("Recalling",
    "Que", "CONSIDERANDO")."""
    return bool(_PREAMBULAR_OPENING.match(text))


def _reads_as_preamble(text: str) -> bool:
    return bool(_PREAMBULAR_OPENING.match(text)) or text.endswith((",", ":"))


def _guessed_heading(block: Block) -> bool:
    """Plain text: a short line with no closing punctuation reads as a
    heading ("CONSIDERANDO:" and "AGREE:" too)."""
    text = block.text
    return (
        block.guessed
        and block.role == "paragraph"
        and not (block.numbered or block.bullet)
        and len(text) <= LETTERHEAD_MAX_CHARS
        and (not text.endswith(_CLOSING) or (text.endswith(":") and section_kind_of(text) is not None))
        and not text[:1].islower()
        and any(ch.isalpha() for ch in text)
    )


def is_note(block: Block) -> bool:
    """A translator's or editor's note in brackets (see ``_NOTE``)."""
    if block.role == "note":
        return True
    if block.role == "table" or block.numbered or block.bullet:
        return False
    match = _NOTE.match(block.text)
    return match is not None and bool(_NOTE_WORDS.search(match.group("inner")))


def _table_text(rows: Sequence[Sequence[str]]) -> str:
    return "\n".join("\t".join(row) for row in rows)


def _head(blocks: list[Block], result: ImportResult) -> tuple[list[ImportedParagraph], int]:
    """The title block: the title line(s) and the place and date line."""
    out: list[ImportedParagraph] = []
    i = 0
    styled = any(b.role in ("title", "place_date") for b in blocks[:10])
    while i < len(blocks) and i < 8:
        b = blocks[i]
        if styled:
            if b.role == "title":
                out.append(ImportedParagraph("title", b.text, list(b.emphasis), where=b.where))
            elif b.role == "place_date" or (
                b.role == "paragraph" and not (b.numbered or b.bullet) and is_date_line(b.text)
            ):
                out.append(ImportedParagraph("place_date", b.text, list(b.emphasis), where=b.where))
            else:
                break
            i += 1
            continue
        if b.role not in ("paragraph", "heading1", "heading2") or b.numbered or b.bullet:
            break
        if section_kind_of(b.text):
            break
        if is_date_line(b.text):
            out.append(ImportedParagraph("place_date", b.text, list(b.emphasis), where=b.where))
            i += 1
            break
        if len(b.text) > 300 or b.text.endswith(_CLOSING):
            break
        split = _TITLE_THEN_DATE.match(b.text)
        if split:
            title, date = split.group("title").strip(), split.group("date").strip()
            out.append(
                ImportedParagraph("title", title, [s for s in b.emphasis if s["end"] <= len(title)], where=b.where)
            )
            out.append(ImportedParagraph("place_date", date, where=b.where))
            result.warn(
                "date_split", f"The date “{date}” at the end of the title line was taken as its date line.", b.where
            )
            i += 1
            break
        out.append(ImportedParagraph("title", b.text, list(b.emphasis), where=b.where))
        result.guess(
            "title_guessed",
            b.where,
            f"“{b.text[:60]}” was taken as a line of the title (a short line at the top"
            + (", styled as a heading)." if b.role != "paragraph" else ")."),
        )
        i += 1
    return out, i


def _heading_kind(blocks: list[Block], index: int, operative_seen: bool, have_sections: bool) -> str:
    block = blocks[index]
    named = section_kind_of(block.text)
    if named:
        return named
    if block.page_break_before and (operative_seen or have_sections):
        return "annex"
    for following in blocks[index + 1 :]:
        if following.role in ("heading1",):
            break
        if following.role == "paragraph":
            if following.numbered and not operative_seen:
                return "operative"
            break
    return "annex" if operative_seen else "preamble"


def build(blocks: Sequence[Block], *, source: str, result: ImportResult | None = None) -> ImportResult:
    """Sections and paragraphs from the blocks a reader found (see the module doc)."""
    result = result or ImportResult(source=source)
    kept: list[Block] = []
    letterheads = letterhead_lines([(b.text, b.role == "paragraph" and not (b.numbered or b.bullet)) for b in blocks])
    dropped: Counter[str] = Counter()
    for b in blocks:
        if b.role == "table":
            kept.append(b)
            continue
        b.text, b.emphasis = normalise(b.text, b.emphasis)
        if not b.text:
            continue
        if b.role == "marking" or (b.guessed and _MARKING.match(b.text)):
            result.warn("marking_dropped", f"The marking “{b.text}” is not part of the text and was left out.", b.where)
            continue
        if is_note(b):
            result.notes.append(ImportedNote("note", b.text, b.where))
            result.guess(
                "note_excluded",
                b.where,
                f"“{b.text[:60]}” was read as a note about the text, not part of it (not the title), and left out.",
            )
            continue
        if b.role == "paragraph" and not (b.numbered or b.bullet) and is_dropped(b.text, letterheads):
            dropped[b.text] += 1
            continue
        kept.append(b)
    if dropped:
        lines = "; ".join(f"“{t}” ×{n}" for t, n in dropped.items())
        result.warn("letterhead_dropped", f"Letterhead and page-header lines left out: {lines}.")

    head, start = _head(kept, result)
    if head:
        result.sections.append(ImportedSection("title", "", head))
        result.title = " — ".join(p.text for p in head if p.kind == "title")
        result.place_date = next((p.text for p in head if p.kind == "place_date"), "")
    result.language = guess_language(b.text for b in kept[:50])
    if not result.title:
        result.warn("no_title", "No title was found; give the declaration's title when confirming.")
    body = kept[start:]
    result.members_present = members_present(b.text for b in body[:4] if b.role == "paragraph")

    # First pass: which section each block belongs to.
    # Numbering in an annex (lists) says nothing about the operative part.
    annex_at = next(
        (i for i, b in enumerate(body) if b.role in ("heading1", "paragraph") and _ANNEX.match(b.text)), len(body)
    )
    has_numbering = any(b.numbered for b in body[:annex_at] if b.role == "paragraph")
    grouped: list[tuple[ImportedSection, list[Block]]] = []
    operative_seen = False
    guessed_split = False
    guessed_where = ""
    in_explanations = False
    for index, b in enumerate(body):
        named = section_kind_of(b.text)
        lower_heading = b.role == "heading2" and named is not None
        is_heading = (
            b.role == "heading1"
            or lower_heading
            or (b.guessed and b.role == "paragraph" and named is not None and _guessed_heading(b))
        )
        if b.role == "heading1" and _EXPLANATIONS.match(b.text):
            in_explanations = True  # a clean export's closing annex: about the text, not of it
            continue
        if in_explanations:
            if b.role != "heading1":
                result.notes.append(ImportedNote("explanation", b.text, b.where))
                continue
            in_explanations = False
        if is_heading:
            kind = _heading_kind(body, index, operative_seen, bool(grouped))
            operative_seen = operative_seen or kind == "operative"
            grouped.append((ImportedSection(kind, b.text, where=b.where), []))
            if named is None:
                result.guess(
                    "section_guessed",
                    b.where,
                    f"The heading “{b.text[:60]}” names no part of a declaration; it was taken to open the "
                    f"{kind} section, by what follows it.",
                )
            elif lower_heading or b.guessed:
                result.guess(
                    "section_heading_guessed",
                    b.where,
                    f"“{b.text[:60]}” was read as the heading of the {kind} section, by its words"
                    + (" (it is styled as a lower-level heading)." if lower_heading else "."),
                )
            continue
        if not grouped:
            grouped.append((ImportedSection("preamble"), []))
        section, members = grouped[-1]
        if section.kind == "preamble" and b.role == "paragraph" and not b.bullet:
            if b.numbered:
                starts_operative = True
            elif has_numbering or section.heading:
                starts_operative = False
            elif members and _is_chapeau(members[-1]):
                starts_operative = True
            else:
                starts_operative = not _guessed_heading(b) and not _reads_as_preamble(b.text)
            if starts_operative:
                guessed_split = guessed_split or not b.numbered
                if not b.numbered:
                    guessed_where = guessed_where or b.where
                operative_seen = True
                grouped.append((ImportedSection("operative"), []))
        grouped[-1][1].append(b)
    explanations = sum(1 for n in result.notes if n.kind == "explanation")
    if explanations:
        result.warn(
            "explanations_kept_apart",
            f"{explanations} explanations of position (the closing annex of a clean export) were kept beside the "
            "text, not read as text of the declaration.",
        )
    if guessed_split:
        result.warn(
            "operative_guessed",
            "The text has no numbering and no DECISIONS heading: the paragraphs after the preamble were taken "
            "as operative paragraphs (unnumbered in print). Check the split in the preview.",
            guessed_where,
        )

    # Second pass: paragraph kinds within each section.
    for section, members in grouped:
        numbered = any(b.numbered for b in members if b.role == "paragraph")
        last_number = 0
        decision_level: int | None = None
        for i, b in enumerate(members):
            if b.role == "table":
                rows = b.table or [[""]]
                section.paragraphs.append(ImportedParagraph("table", _table_text(rows), table=rows, where=b.where))
                continue
            if b.role == "caption":
                following = members[i + 1] if i + 1 < len(members) else None
                if (
                    following is not None
                    and following.role == "table"
                    and b.text == normalise(_table_text(following.table or []))[0]
                ):
                    continue  # our own exports print a table's text above it
            kind = _kind(section.kind, b, numbered)
            if b.numbered and kind == "operative":
                decision_level = b.level
            elif kind != "list_item":
                decision_level = None  # sub-items follow their decision at once
            elif (
                kind == "list_item"
                and section.kind == "operative"
                and b.guessed
                and b.level == 0
                and (decision_level is not None)
            ):
                # Plain text loses indentation: a bullet under a numbered
                # decision is one of its sub-items, a level below it.
                b.level = decision_level + 1
                result.guess(
                    "sub_item_guessed",
                    b.where,
                    f"The bulleted “{b.text[:40]}” was read as a sub-item of the decision above it.",
                )
            if kind == "heading" and b.role == "paragraph":
                result.guess(
                    "heading_guessed", b.where, f"“{b.text[:60]}” was read as a heading (a short line, no full stop)."
                )
            if kind == "operative" and b.numbered and b.level == 0:
                value = _label_value(b.label)
                if value is not None and value <= last_number:
                    result.warn(
                        "numbering_restart",
                        f"The source numbers “{b.text[:60]}” {b.label.strip()} after {last_number}: Consenso "
                        "numbers the operative paragraphs in one sequence.",
                    )
                last_number = value if value is not None else last_number + 1
            section.paragraphs.append(
                ImportedParagraph(kind, b.text, list(b.emphasis), level=b.level, source_label=b.label, where=b.where)
            )
        if section.paragraphs or section.heading:
            result.sections.append(section)
    return result


def _is_chapeau(block: Block) -> bool:
    return block.role == "paragraph" and block.text.endswith(":")


def _kind(section: str, b: Block, section_numbered: bool) -> str:
    if b.role == "heading2" or (section != "title" and _guessed_heading(b)):
        return "heading"
    if b.role in ("title", "place_date", "heading1"):
        # Out of place (after the title block): keep the words as text.
        return "heading" if b.role == "heading1" else "text"
    if section == "operative":
        if b.numbered:
            return "operative"
        if b.bullet:
            return "list_item"
        return "text" if section_numbered else "operative"
    if b.numbered or b.bullet:
        return "list_item"
    return "preambular" if section == "preamble" else "text"


def _label_value(label: str) -> int | None:
    digits = re.findall(r"\d+", label)
    return int(digits[-1]) if digits else None
