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
STATE_LABELS = {
    "open": "open",
    "under_discussion": "under discussion",
    "bracketed": "bracketed",
    "agreed_ad_ref": "agreed ad ref",
    "agreed": "agreed",
    "held": "held",
    "reopened": "reopened",
    "deleted": "deleted",
}
PROPOSAL_KINDS = {
    "replace": "Replace with",
    "insert_after": "Insert a new paragraph after",
    "delete": "Delete the paragraph",
    "alternative": "Alternative",
}


def state_label(state: str) -> str:
    """How a paragraph state is printed: ``"[under discussion]"``."""
    return f"[{STATE_LABELS.get(state, state.replace('_', ' '))}]"


def _names(names: Sequence[str]) -> str:
    return ", ".join(n for n in names if n)


def _objection(objection: Objection) -> str:
    reason = objection.reason.strip()
    return f"{objection.delegation} ({reason})" if reason else objection.delegation


def attribution(delegation: str, supporters: Sequence[str] = (), objections: Sequence[Objection] = ()) -> str:
    """ "Proposed by Mexico; supported by Canada, Panama; objection: United States (reason)"."""
    parts = [f"Proposed by {delegation}"]
    if _names(supporters):
        parts.append(f"supported by {_names(supporters)}")
    if objections:
        word = "objection" if len(objections) == 1 else "objections"
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


def _render_alternative(document: DocxDocument, alternative: Alternative, number: int) -> None:
    line = new_paragraph(document, left_indent=_INDENT)
    add_text(line, _alt_label(alternative, number), bold=True)
    add_text(line, f" ({alternative.delegation})\t" if alternative.delegation else "\t")
    wording = alternative.text if alternative.text.strip() else alternative.kind
    add_text(line, f"[{wording}]")
    _small(document, attribution(alternative.delegation, alternative.supporters, alternative.objections), indent=1)


def _render_proposal(document: DocxDocument, proposal: ProposalNote) -> None:
    line = new_paragraph(document, left_indent=_INDENT, space_after=_AFTER)
    kind = PROPOSAL_KINDS.get(proposal.kind, proposal.kind.replace("_", " ").capitalize())
    add_text(line, f"{kind}:" if proposal.text.strip() else kind, italic=True)
    if proposal.text.strip():
        add_text(line, f" [{proposal.text}]")
    _small(document, attribution(proposal.delegation, proposal.supporters, proposal.objections), indent=1)
    if proposal.note:
        _small(document, proposal.note, indent=1, italic=True)
    if proposal.agreed_language:
        _small(document, f"Agreed language: {proposal.agreed_language}", indent=1, italic=True)


def _render_paragraph(document: DocxDocument, paragraph: Paragraph) -> None:
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
    add_text(line, (" " if text else "") + state_label(paragraph.state), italic=True)
    if paragraph.table:
        add_table(document, paragraph.table)
    alternatives = [a for a in paragraph.alternatives if a.status not in SETTLED]
    for number, alternative in enumerate(alternatives, start=1):
        _render_alternative(document, alternative, number)
    for proposal in paragraph.proposals:
        if proposal.status not in SETTLED:
            _render_proposal(document, proposal)
    for reservation in paragraph.reservations:
        _small(document, f"Reservation ({reservation.delegation}): {reservation.text}", italic=True)


def render_compilation(doc: Document) -> bytes:
    """The compilation text of a working draft as a .docx; returns the file's bytes."""
    document = new_document()
    letterhead(document, doc.ppt_name)
    add_text(new_paragraph(document, "Title"), doc.title)
    marking = f"Compilation text — {doc.revision_label}" if doc.revision_label else "Compilation text"
    add_text(new_paragraph(document, "Draft Marking"), marking)
    if doc.place_date:
        add_text(new_paragraph(document, "Place Date"), doc.place_date)
    for section in doc.sections:
        if section.heading and section.kind != "title":
            add_text(new_paragraph(document, "Heading 1"), section.heading)
        for paragraph in section.paragraphs:
            _render_paragraph(document, paragraph)
    return save_bytes(document)
