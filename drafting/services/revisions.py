"""Issuing a revision: a new immutable snapshot of the whole text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NotRequired, TypedDict

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from drafting import numbering
from drafting.access import require_secretariat, role_in
from drafting.errors import Conflict, InvalidInput
from drafting.models import Declaration, Paragraph, Revision, RevisionParagraph, Section
from drafting.services.events import event_record
from drafting.services.locks import declaration_lock, declaration_require_drafting, declaration_touch
from drafting.textnorm import clean_emphasis, clean_text


class ParagraphInput(TypedDict):
    kind: str
    text: NotRequired[str]
    paragraph: NotRequired[int | None]  # identity to carry over; None → new paragraph
    emphasis: NotRequired[list[dict[str, Any]]]
    level: NotRequired[int]
    table: NotRequired[list[list[str]] | None]


class SectionInput(TypedDict):
    kind: str
    heading: NotRequired[str]
    paragraphs: list[ParagraphInput]


def default_label(number: int) -> str:
    return "Zero draft" if number == 0 else f"Rev.{number}"


def _clean_table(raw: Any, where: str) -> list[list[str]]:
    if not isinstance(raw, list) or not raw or not all(isinstance(r, list) and r for r in raw):
        raise InvalidInput("A table needs rows of cells.", fields={where: ["Give a non-empty list of non-empty rows."]})
    limit = settings.CONSENSO_MAX_PARAGRAPH_CHARS
    return [[clean_text(c, field=where, max_chars=limit, allow_empty=True) for c in row] for row in raw]


def _clean_paragraph(raw: ParagraphInput, where: str) -> dict[str, Any]:
    kind = raw.get("kind")
    if kind not in RevisionParagraph.Kind.values:
        raise InvalidInput(
            "Unknown paragraph kind.",
            fields={f"{where}.kind": [f"Choose one of {RevisionParagraph.Kind.values}."]},
        )
    table = None
    if kind == RevisionParagraph.Kind.TABLE:
        table = _clean_table(raw.get("table"), f"{where}.table")
        text = "\n".join("\t".join(row) for row in table)
        emphasis: list[Any] = []
    else:
        original = raw.get("text", "")
        text = clean_text(original, field=f"{where}.text", max_chars=settings.CONSENSO_MAX_PARAGRAPH_CHARS)
        emphasis = list(clean_emphasis(raw.get("emphasis"), original=original, cleaned=text, field=f"{where}.emphasis"))
    level = raw.get("level", 0)
    if not isinstance(level, int) or isinstance(level, bool) or not 0 <= level <= 8:
        raise InvalidInput("Bad level.", fields={f"{where}.level": ["An integer from 0 to 8."]})
    return {
        "kind": kind,
        "text": text,
        "emphasis": emphasis,
        "table": table,
        "level": level,
        "paragraph": raw.get("paragraph"),
    }


@transaction.atomic
def revision_issue(
    *,
    actor: User,
    declaration: Declaration,
    sections: Sequence[SectionInput],
    label: str | None = None,
    note: str = "",
) -> Revision:
    """Issue the next revision (the zero draft when there is none yet).

    Paragraphs that name an existing ``paragraph`` id keep that identity, so
    proposals and diffs follow them; the others are new paragraphs. Labels
    (PP1, OP2 …) are recomputed from the new order.
    """
    declaration = declaration_lock(declaration.pk)
    require_secretariat(role_in(actor, declaration.meeting), "issue revisions")
    declaration_require_drafting(declaration)

    if not sections:
        raise InvalidInput("A revision needs at least one section.", fields={"sections": ["May not be empty."]})
    cleaned: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    total = 0
    for s_index, section in enumerate(sections):
        where = f"sections[{s_index}]"
        if section.get("kind") not in Section.Kind.values:
            raise InvalidInput(
                "Unknown section kind.", fields={f"{where}.kind": [f"Choose one of {Section.Kind.values}."]}
            )
        heading = clean_text(
            section.get("heading", ""), field=f"{where}.heading", max_chars=300, allow_empty=True, multiline=False
        )
        paragraphs = section.get("paragraphs") or []
        total += len(paragraphs)
        if total > settings.CONSENSO_MAX_PARAGRAPHS_PER_REVISION:
            raise InvalidInput(
                f"A revision may hold at most {settings.CONSENSO_MAX_PARAGRAPHS_PER_REVISION} paragraphs.",
                fields={"sections": ["Too many paragraphs."]},
            )
        cleaned.append(
            (
                {"kind": section["kind"], "heading": heading},
                [_clean_paragraph(p, f"{where}.paragraphs[{i}]") for i, p in enumerate(paragraphs)],
            )
        )
    if total == 0:
        raise InvalidInput("A revision needs at least one paragraph.", fields={"sections": ["No paragraphs."]})

    carried = [p["paragraph"] for _, ps in cleaned for p in ps if p["paragraph"] is not None]
    if len(carried) != len(set(carried)):
        raise InvalidInput(
            "A paragraph identity may appear only once.", fields={"sections": ["Duplicate paragraph id."]}
        )
    known = set(Paragraph.objects.filter(declaration=declaration, pk__in=carried).values_list("pk", flat=True))
    unknown = sorted(set(carried) - known)
    if unknown:
        raise InvalidInput(
            f"Paragraphs {unknown} do not belong to this declaration.",
            fields={"sections": [f"Unknown paragraph ids: {unknown}."]},
        )

    previous = declaration.revisions.order_by("-number").first()
    number = 0 if previous is None else previous.number + 1
    label = clean_text(label, field="label", max_chars=40, multiline=False) if label else default_label(number)
    if declaration.revisions.filter(label=label).exists():
        raise Conflict(f"This declaration already has a revision labelled {label!r}.")
    note = clean_text(note, field="note", max_chars=settings.CONSENSO_MAX_NOTE_CHARS, allow_empty=True)
    revision = Revision.objects.create(declaration=declaration, number=number, label=label, note=note, issued_by=actor)

    slots = [
        numbering.Slot(kind=p["kind"], section=s["heading"] or Section.Kind(s["kind"]).label)
        for s, ps in cleaned
        for p in ps
    ]
    labels = numbering.labels(slots)
    new_count = len(slots) - len(carried)
    new_ids = iter(
        p.pk
        for p in Paragraph.objects.bulk_create(
            [Paragraph(declaration=declaration, introduced_in=revision) for _ in range(new_count)]
        )
    )
    rows: list[RevisionParagraph] = []
    position = 0
    for s_position, (s, ps) in enumerate(cleaned):
        section_row = Section.objects.create(revision=revision, position=s_position, **s)
        for p in ps:
            rows.append(
                RevisionParagraph(
                    revision=revision,
                    section=section_row,
                    paragraph_id=p["paragraph"] if p["paragraph"] is not None else next(new_ids),
                    position=position,
                    kind=p["kind"],
                    label=labels[position],
                    level=p["level"],
                    text=p["text"],
                    emphasis=p["emphasis"],
                    table=p["table"],
                )
            )
            position += 1
    RevisionParagraph.objects.bulk_create(rows, batch_size=500)
    declaration_touch(declaration)
    event_record(
        verb="revision.issued",
        actor=actor,
        obj=revision,
        declaration=declaration,
        before={"revision": previous.pk, "label": previous.label} if previous else None,
        after={"revision": revision.pk, "label": label, "number": number, "paragraphs": total},
    )
    return revision
