"""Corrections the Secretariat makes to an import's preview before confirming.

The reader guesses (and says so in a warning naming the paragraph); the
Secretariat puts right what it guessed wrong, and confirmation then creates
exactly what the corrected preview shows. Operations, applied in order, each
on the preview as the ones before it left it; a paragraph is named by its
position in the preview (``paragraph``: 0 for the first paragraph of the
first section, counting on through every section):

- ``{"op": "split", "paragraph": i, "at": n}``: two paragraphs, at character ``n``;
- ``{"op": "merge", "paragraph": i}``: paragraph ``i`` and the next one become one
  (same section, no tables);
- ``{"op": "set_kind", "paragraph": i, "kind": "operative", "level": 1}``: its kind
  (and level); a table stays a table;
- ``{"op": "set_section", "paragraph": i, "kind": "annex", "heading": "ANNEX"}``: a
  section of that kind and heading starts at paragraph ``i`` (the rest of its
  section goes with it); at the first paragraph of a section, that section
  changes;
- ``{"op": "set_title", "lines": ["…", "…"], "place_date": "…"}``: the title lines
  (and the place and date line) as they should read;
- ``{"op": "exclude", "paragraph": i}``: not part of the text (a note): it moves to
  the notes beside the text;
- ``{"op": "include", "note": n, "before": i, "kind": "text"}``: a note put back
  into the text, before paragraph ``i`` (or at the end).

All or nothing: an operation that does not fit the preview raises
:class:`InvalidInput` naming it, and the preview given is left untouched.
Django-free, like the readers.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from drafting.errors import InvalidInput, gettext_noop
from drafting.importing.result import ImportedNote, ImportedParagraph, ImportedSection, ImportResult
from drafting.textnorm import Span, merge_spans

PARAGRAPH_KINDS = ("title", "place_date", "preambular", "operative", "heading", "text", "list_item", "table")
SECTION_KINDS = ("preamble", "operative", "annex")
OPERATIONS = ("split", "merge", "set_kind", "set_section", "set_title", "exclude", "include")
MAX_OPERATIONS = 500
MAX_LEVEL = 8
MAX_HEADING_CHARS = 300  # as revision_issue stores a section heading


def apply_corrections(result: ImportResult, operations: Sequence[Mapping[str, Any]]) -> ImportResult:
    """A corrected copy of ``result`` (see the module doc)."""
    if len(operations) > MAX_OPERATIONS:
        raise InvalidInput(
            "At most %(max)s corrections at a time.",
            params={"max": MAX_OPERATIONS},
            fields={"operations": ["Too many operations."]},
        )
    out = copy.deepcopy(result)
    for n, operation in enumerate(operations):
        where = f"operations[{n}]"
        if not isinstance(operation, Mapping):
            raise InvalidInput("A correction is an object.", params={}, fields={where: ["Expected an object with op."]})
        op = operation.get("op")
        if op not in OPERATIONS:
            raise InvalidInput(
                "Unknown correction %(op)r.",
                params={"op": op, "choices": ", ".join(OPERATIONS)},
                fields={f"{where}.op": ["Choose one of %(choices)s."]},
            )
        _APPLY[str(op)](out, operation, where)
    out.sections = [s for s in out.sections if s.paragraphs or s.heading]
    titles = [p.text for s in out.sections if s.kind == "title" for p in s.paragraphs if p.kind == "title"]
    out.title = " — ".join(titles)
    out.place_date = next(
        (p.text for s in out.sections if s.kind == "title" for p in s.paragraphs if p.kind == "place_date"), ""
    )
    return out


# -- addressing -------------------------------------------------------------------


def _int(operation: Mapping[str, Any], key: str, where: str, *, low: int, high: int) -> int:
    value = operation.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(
            "%(key)s must be a whole number from %(low)s to %(high)s.",
            params={"key": key, "low": low, "high": high},
            fields={f"{where}.{key}": ["%(low)s–%(high)s."]},
        )
    return value


def _text(operation: Mapping[str, Any], key: str, where: str) -> str:
    value = operation.get(key, "")
    if not isinstance(value, str):
        raise InvalidInput("%(key)s must be text.", params={"key": key}, fields={f"{where}.{key}": ["Expected text."]})
    return " ".join(value.split())


def _locate(result: ImportResult, operation: Mapping[str, Any], where: str, key: str = "paragraph") -> tuple[int, int]:
    """(section index, index in section) of the paragraph the operation names."""
    count = len(result.paragraphs())
    if not count:
        raise InvalidInput("The preview has no paragraphs left.", params={}, fields={where: ["Nothing to correct."]})
    flat = _int(operation, key, where, low=0, high=count - 1)
    for s_index, section in enumerate(result.sections):
        if flat < len(section.paragraphs):
            return s_index, flat
        flat -= len(section.paragraphs)
    raise AssertionError("unreachable: the index was checked against the count")


# One whole sentence per refusal, so that each is a msgid of its own
# (drafting/errors.py: translated when read).
_TABLE_REFUSALS = {
    "split": gettext_noop("A table cannot be split."),
    "merged": gettext_noop("A table cannot be merged."),
    "a note": gettext_noop("A table cannot be a note."),
}


def _not_table(paragraph: ImportedParagraph, where: str, what: str) -> None:
    if paragraph.kind == "table":
        message = _TABLE_REFUSALS[what]
        raise InvalidInput(message, params={}, fields={f"{where}.paragraph": [message]})


# -- operations -------------------------------------------------------------------


def _split(result: ImportResult, operation: Mapping[str, Any], where: str) -> None:
    s_index, p_index = _locate(result, operation, where)
    section = result.sections[s_index]
    paragraph = section.paragraphs[p_index]
    _not_table(paragraph, where, "split")
    at = _int(operation, "at", where, low=1, high=max(1, len(paragraph.text) - 1))
    head, tail = paragraph.text[:at], paragraph.text[at:]
    first, second = head.rstrip(), tail.lstrip()
    if not first or not second:
        raise InvalidInput(
            "Both parts of a split need words.",
            params={},
            fields={f"{where}.at": ["Split between words, not at an edge."]},
        )
    skip = len(tail) - len(second)
    section.paragraphs[p_index : p_index + 1] = [
        ImportedParagraph(
            paragraph.kind,
            first,
            _cut(paragraph.emphasis, 0, len(first)),
            level=paragraph.level,
            source_label=paragraph.source_label,
            where=paragraph.where,
        ),
        ImportedParagraph(
            paragraph.kind,
            second,
            _cut(paragraph.emphasis, at + skip, at + skip + len(second)),
            level=paragraph.level,
            where=paragraph.where,
        ),
    ]


def _merge(result: ImportResult, operation: Mapping[str, Any], where: str) -> None:
    s_index, p_index = _locate(result, operation, where)
    section = result.sections[s_index]
    if p_index + 1 >= len(section.paragraphs):
        raise InvalidInput(
            "Only paragraphs of one section are merged: this is the last paragraph of its section.",
            params={},
            fields={f"{where}.paragraph": ["The last paragraph of a section has no next one to merge with."]},
        )
    first, second = section.paragraphs[p_index], section.paragraphs[p_index + 1]
    _not_table(first, where, "merged")
    _not_table(second, where, "merged")
    offset = len(first.text) + 1
    moved: list[Span] = [
        {"start": s["start"] + offset, "end": s["end"] + offset, "style": s["style"]} for s in second.emphasis
    ]
    first.text = f"{first.text} {second.text}"
    first.emphasis = merge_spans([*first.emphasis, *moved])
    del section.paragraphs[p_index + 1]


def _set_kind(result: ImportResult, operation: Mapping[str, Any], where: str) -> None:
    s_index, p_index = _locate(result, operation, where)
    paragraph = result.sections[s_index].paragraphs[p_index]
    kind = operation.get("kind")
    if kind not in PARAGRAPH_KINDS or kind == "table" or paragraph.kind == "table":
        raise InvalidInput(
            "Choose a paragraph kind other than table (a table stays a table).",
            params={"choices": ", ".join(k for k in PARAGRAPH_KINDS if k != "table")},
            fields={f"{where}.kind": ["One of %(choices)s."]},
        )
    paragraph.kind = str(kind)
    if "level" in operation:
        paragraph.level = _int(operation, "level", where, low=0, high=MAX_LEVEL)


def _set_section(result: ImportResult, operation: Mapping[str, Any], where: str) -> None:
    s_index, p_index = _locate(result, operation, where)
    kind = operation.get("kind")
    if kind not in SECTION_KINDS:
        raise InvalidInput(
            "Choose the section kind (the title block is set with set_title).",
            params={"choices": ", ".join(SECTION_KINDS)},
            fields={f"{where}.kind": ["One of %(choices)s."]},
        )
    heading = _text(operation, "heading", where)
    if len(heading) > MAX_HEADING_CHARS:
        raise InvalidInput(
            "A section heading has at most %(max)s characters.",
            params={"max": MAX_HEADING_CHARS},
            fields={f"{where}.heading": ["At most %(max)s characters."]},
        )
    section = result.sections[s_index]
    if p_index == 0:
        section.kind = str(kind)
        if "heading" in operation:
            section.heading = heading
        return
    moved = section.paragraphs[p_index:]
    del section.paragraphs[p_index:]
    result.sections.insert(s_index + 1, ImportedSection(str(kind), heading, moved))


def _set_title(result: ImportResult, operation: Mapping[str, Any], where: str) -> None:
    lines = operation.get("lines")
    if not isinstance(lines, list) or not lines or not all(isinstance(line, str) and line.strip() for line in lines):
        raise InvalidInput(
            "Give the title as a list of its lines.",
            params={},
            fields={f"{where}.lines": ["One or more lines of text."]},
        )
    title = next((s for s in result.sections if s.kind == "title"), None)
    if title is None:
        title = ImportedSection("title")
        result.sections.insert(0, title)
    kept = [p for p in title.paragraphs if p.kind != "title"]
    if "place_date" in operation:
        place_date = _text(operation, "place_date", where)
        kept = [p for p in kept if p.kind != "place_date"]
        if place_date:
            kept.insert(0, ImportedParagraph("place_date", place_date, where="set by the Secretariat"))
    lines_given = [ImportedParagraph("title", " ".join(line.split()), where="set by the Secretariat") for line in lines]
    title.paragraphs = [*lines_given, *kept]


def _exclude(result: ImportResult, operation: Mapping[str, Any], where: str) -> None:
    s_index, p_index = _locate(result, operation, where)
    _not_table(result.sections[s_index].paragraphs[p_index], where, "a note")
    paragraph = result.sections[s_index].paragraphs.pop(p_index)
    result.notes.append(ImportedNote("note", paragraph.text, paragraph.where))


def _include(result: ImportResult, operation: Mapping[str, Any], where: str) -> None:
    if not result.notes:
        raise InvalidInput("There are no notes to put back.", params={}, fields={f"{where}.note": ["No notes."]})
    note_index = _int(operation, "note", where, low=0, high=len(result.notes) - 1)
    kind = operation.get("kind", "text")
    if kind not in PARAGRAPH_KINDS or kind == "table":
        raise InvalidInput(
            "Choose a paragraph kind other than table.", params={}, fields={f"{where}.kind": ["Not table."]}
        )
    count = len(result.paragraphs())
    before = _int(operation, "before", where, low=0, high=count) if "before" in operation else count
    note = result.notes.pop(note_index)
    paragraph = ImportedParagraph(str(kind), note.text, where=note.where)
    if not result.sections:
        result.sections.append(ImportedSection("preamble"))
    if before == count:
        result.sections[-1].paragraphs.append(paragraph)
        return
    s_index, p_index = _locate(result, {"paragraph": before}, where)
    result.sections[s_index].paragraphs.insert(p_index, paragraph)


def _cut(spans: Sequence[Span], start: int, end: int) -> list[Span]:
    """The spans over ``text[start:end]``, moved to start at 0."""
    out: list[Span] = []
    for s in spans:
        a, b = max(s["start"], start), min(s["end"], end)
        if a < b:
            out.append({"start": a - start, "end": b - start, "style": s["style"]})
    return out


_APPLY = {
    "split": _split,
    "merge": _merge,
    "set_kind": _set_kind,
    "set_section": _set_section,
    "set_title": _set_title,
    "exclude": _exclude,
    "include": _include,
}
