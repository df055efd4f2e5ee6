"""The compilation text: the working text with every pending proposal inserted and attributed.

Delegations negotiate from it. Each paragraph is printed with its label (PP1,
OP3, OP3 bis) and its state ("[agreed]", "[under discussion]"); wording not yet
agreed is in [square brackets] (the whole paragraph when it is bracketed and no
stretch is given, else each bracketed stretch); alternative wordings follow as
"Alt 1", "Alt 2" with the delegation that put them forward; and under the
paragraph every pending proposal is attributed: "Proposed by Mexico; supported
by Canada, Panama; objection: United States (reason)".
"""

from __future__ import annotations

from collections.abc import Sequence

from docx.shared import Pt

from exports.clean import translation_notice
from exports.data import Alternative, Bracket, Document, Objection, Paragraph, ProposalNote, Span
from exports.docx_base import (
    DocxDocument,
    add_runs,
    add_table,
    add_text,
    letterhead,
    new_document,
    new_paragraph,
    save_bytes,
)
from exports.language import STATES, WORDS, language_name, revision_label, state_name, tag_document, words

__all__ = [
    "attribution",
    "bracketed",
    "render_compilation",
    "state_label",
]

# Proposal statuses that are no longer on the table.
SETTLED = frozenset({"withdrawn", "accepted", "rejected", "superseded", "incorporated"})
# Paragraph kinds printed without label or state (they frame the text rather than negotiate it).
FRAME_KINDS = frozenset({"title", "place_date", "heading"})
STATE_LABELS = STATES["en"]
PROPOSAL_KINDS = {kind: WORDS["en"][kind] for kind in ("replace", "insert_after", "delete", "alternative")}


def state_label(state: str, language: str = "en") -> str:
    """How a paragraph state is printed: ``"[under discussion]"``, ``"[en discusión]"``."""
    return f"[{state_name(state, language)}]"


def _names(names: Sequence[str]) -> str:
    return ", ".join(n for n in names if n)


def _objection(objection: Objection) -> str:
    reason = objection.reason.strip()
    return f"{objection.delegation} ({reason})" if reason else objection.delegation


def attribution(
    delegation: str, supporters: Sequence[str] = (), objections: Sequence[Objection] = (), language: str = "en"
) -> str:
    """ "Proposed by Mexico; supported by Canada, Panama; objection: United States (reason)"
    ("Propuesto por México; con el apoyo de …; objeción: …" in Spanish)."""
    said = words(language)
    parts = [said["proposed_by"].format(delegation=delegation)]
    if _names(supporters):
        parts.append(said["supported_by"].format(names=_names(supporters)))
    if objections:
        word = said["objection"] if len(objections) == 1 else said["objections"]
        parts.append(f"{word}: {', '.join(_objection(o) for o in objections)}")
    return "; ".join(parts)


def _merged(brackets: Sequence[Bracket], length: int) -> list[tuple[int, int]]:
    """Bracket ranges clamped to the text, empty ones dropped, overlapping or touching ones merged."""
    ranges = sorted((max(0, min(b.start, length)), max(0, min(b.end, length))) for b in brackets)
    out: list[tuple[int, int]] = []
    for start, end in ranges:
        if start >= end:
            continue
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def bracketed(paragraph: Paragraph) -> tuple[str, tuple[Span, ...]]:
    """The paragraph's text with its non-agreed wording in [square brackets], and
    its emphasis spans moved to match: the whole text when the paragraph is
    bracketed and names no stretch, else each bracketed stretch."""
    text = paragraph.text
    if paragraph.brackets:
        ranges = _merged(paragraph.brackets, len(text))
    elif paragraph.state == "bracketed" and text:
        ranges = [(0, len(text))]
    else:
        ranges = []
    if not ranges:
        return text, paragraph.emphasis
    opens = [start for start, _ in ranges]
    closes = [end for _, end in ranges]

    def shift(position: int, *, inclusive: bool) -> int:
        # Marks inserted at or before a span start precede it; marks at a span end follow it.
        if inclusive:
            return position + sum(p <= position for p in opens) + sum(p <= position for p in closes)
        return position + sum(p < position for p in opens) + sum(p < position for p in closes)

    pieces: list[str] = []
    cursor = 0
    for start, end in ranges:
        pieces += [text[cursor:start], "[", text[start:end], "]"]
        cursor = end
    pieces.append(text[cursor:])
    spans: list[Span] = []
    for span in paragraph.emphasis:
        start = shift(span.start, inclusive=True)
        spans.append(Span(start, max(start, shift(span.end, inclusive=False)), span.style))
    return "".join(pieces), tuple(spans)


_INDENT = Pt(36)
_AFTER = Pt(2)
_SMALL = Pt(9)


def _small(document: DocxDocument, text: str, *, indent: float = 0.5, italic: bool = False) -> None:
    line = new_paragraph(document, left_indent=Pt(36 * indent / 0.5), space_after=_AFTER)
    add_text(line, text, italic=italic, size=_SMALL)


def _alt_label(alternative: Alternative, number: int) -> str:
    option = alternative.option.strip()
    if not option:
        return f"Alt {number}"
    return option if option.lower().startswith("alt") else f"Alt {option}"


def _render_alternative(document: DocxDocument, alternative: Alternative, number: int, language: str) -> None:
    line = new_paragraph(document, left_indent=_INDENT)
    add_text(line, _alt_label(alternative, number), bold=True)
    add_text(line, f" ({alternative.delegation})\t" if alternative.delegation else "\t")
    wording = alternative.text if alternative.text.strip() else alternative.kind
    add_text(line, f"[{wording}]")
    _small(
        document,
        attribution(alternative.delegation, alternative.supporters, alternative.objections, language),
        indent=1,
    )


def proposal_kind(kind: str, language: str = "en") -> str:
    return words(language).get(kind) or kind.replace("_", " ").capitalize()


def _render_proposal(document: DocxDocument, proposal: ProposalNote, language: str) -> None:
    line = new_paragraph(document, left_indent=_INDENT, space_after=_AFTER)
    kind = proposal_kind(proposal.kind, language)
    add_text(line, f"{kind}:" if proposal.text.strip() else kind, italic=True)
    if proposal.text.strip():
        add_text(line, f" [{proposal.text}]")
    if proposal.language and proposal.language != language:
        # written in the other language: said so, the text kept as written
        said = words(language)["proposal_language"]
        add_text(line, " " + said.format(language=language_name(proposal.language, in_language=language)), italic=True)
    _small(document, attribution(proposal.delegation, proposal.supporters, proposal.objections, language), indent=1)
    if proposal.note:
        _small(document, proposal.note, indent=1, italic=True)
    if proposal.agreed_language:
        _small(
            document, words(language)["agreed_language"].format(source=proposal.agreed_language), indent=1, italic=True
        )


def _render_paragraph(document: DocxDocument, paragraph: Paragraph, doc: Document) -> None:
    language = doc.shown_language
    if paragraph.kind in FRAME_KINDS:
        if paragraph.kind == "heading":
            add_runs(new_paragraph(document, "Heading 2"), paragraph.text, paragraph.emphasis)
        elif paragraph.kind != "title":  # the document title is printed once, at the top
            add_runs(new_paragraph(document, "Place Date"), paragraph.text, paragraph.emphasis)
        return
    line = new_paragraph(document, left_indent=Pt(18 * paragraph.level) if paragraph.level else None)
    if paragraph.label:
        add_text(line, paragraph.label, bold=True)
        add_text(line, "\t")
    text, emphasis = bracketed(paragraph)
    add_runs(line, text, emphasis)
    add_text(line, (" " if text else "") + state_label(paragraph.state, language), italic=True)
    if paragraph.table:
        add_table(document, paragraph.table)
    notice = translation_notice(doc, paragraph)
    if notice:
        _small(document, notice, italic=True)
    alternatives = [a for a in paragraph.alternatives if a.status not in SETTLED]
    for number, alternative in enumerate(alternatives, start=1):
        _render_alternative(document, alternative, number, language)
    for proposal in paragraph.proposals:
        if proposal.status not in SETTLED:
            _render_proposal(document, proposal, language)
    for reservation in paragraph.reservations:
        _small(
            document,
            words(language)["reservation_short"].format(delegation=reservation.delegation, text=reservation.text),
            italic=True,
        )


def compilation_marking(doc: Document, language: str) -> str:
    """ "Compilation text — Rev.1" / "Texto de compilación — Texto de trabajo posterior a Rev.1"."""
    said = words(language)["compilation"]
    label = revision_label(doc.revision_label, language)
    return f"{said} — {label}" if label else said


def render_compilation(doc: Document) -> bytes:
    """The compilation text of a working draft as a .docx, in ``doc.shown_language``
    or side by side (``doc.bilingual``); returns the file's bytes."""
    if doc.bilingual:
        from exports.bilingual import render_compilation_side_by_side  # it builds on this module

        return render_compilation_side_by_side(doc)
    language = doc.shown_language
    document = new_document()
    tag_document(document, language)
    letterhead(document, doc.ppt_name, language)
    add_text(new_paragraph(document, "Title"), doc.title)
    add_text(new_paragraph(document, "Draft Marking"), compilation_marking(doc, language))
    if doc.place_date:
        add_text(new_paragraph(document, "Place Date"), doc.place_date)
    for section in doc.sections:
        if section.heading and section.kind != "title":
            add_text(new_paragraph(document, "Heading 1"), section.heading)
        for paragraph in section.paragraphs:
            _render_paragraph(document, paragraph, doc)
    return save_bytes(document)
