"""Plain data (dicts and lists, as ``drafting.selectors.exports`` hands them
over, their shapes declared in ``drafting.readmodels``) into the renderers'
dataclasses. Dates arrive as datetimes: nothing is parsed back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from drafting.readmodels import NegotiationRecord, RevisionPair, TrackedRow
from exports.data import (
    Alternative,
    Bracket,
    Document,
    Explanation,
    Language,
    Objection,
    Paragraph,
    ProposalNote,
    RecordEntry,
    Reservation,
    Section,
    Span,
)
from exports.tracked import TrackedParagraph


def _objections(raw: list[dict[str, str]]) -> tuple[Objection, ...]:
    return tuple(Objection(delegation=o["delegation"], reason=o.get("reason", "")) for o in raw)


def _spans(raw: list[dict[str, Any]] | None) -> tuple[Span, ...]:
    return tuple(Span(s["start"], s["end"], s["style"]) for s in raw or [])


def _paragraph(p: dict[str, Any]) -> Paragraph:
    return Paragraph(
        label=p["label"],
        kind=p["kind"],
        text=p["text"],
        emphasis=tuple(Span(s["start"], s["end"], s["style"]) for s in p.get("emphasis", [])),
        level=p.get("level", 0),
        table=tuple(tuple(row) for row in p["table"]) if p.get("table") else None,
        state=p.get("state", "open"),
        brackets=tuple(Bracket(b["start"], b["end"]) for b in p.get("brackets", [])),
        alternatives=tuple(
            Alternative(
                option=a.get("option", f"Alt {i}"),
                delegation=a["delegation"],
                kind=a["kind"],
                text=a["text"],
                supporters=tuple(a.get("supporters", [])),
                objections=_objections(a.get("objections", [])),
                status=a.get("status", "submitted"),
                language=a.get("language") or "",
            )
            for i, a in enumerate(p.get("alternatives", []), start=1)
        ),
        proposals=tuple(
            ProposalNote(
                delegation=q["delegation"],
                kind=q["kind"],
                text=q["text"],
                supporters=tuple(q.get("supporters", [])),
                objections=_objections(q.get("objections", [])),
                status=q.get("status", "submitted"),
                note=q.get("note", ""),
                agreed_language=q.get("agreed_language") or "",
                language=q.get("language") or "",
            )
            for q in p.get("proposals", [])
        ),
        reservations=tuple(Reservation(r["delegation"], r["text"]) for r in p.get("reservations", [])),
        translation=p.get("translation_text") or "",
        translation_emphasis=_spans(p.get("translation_emphasis")),
        translation_table=tuple(tuple(row) for row in p["translation_table"]) if p.get("translation_table") else None,
        translation_status=p.get("translation_status") or "",
    )


def _swapped(p: Paragraph) -> Paragraph:
    """The paragraph in the other language: its translation as ``text``, the
    original as ``translation``. A missing translation shows the original
    (the renderers say so). Brackets are offsets into the original, so a
    translated paragraph with any bracketed wording is bracketed whole."""
    if p.translation_status == "missing" or not (p.translation or p.translation_table):
        return replace(p, translation_status="missing")
    return replace(
        p,
        text=p.translation,
        emphasis=p.translation_emphasis,
        table=p.translation_table if p.kind == "table" else p.table,
        brackets=(Bracket(0, len(p.translation)),) if p.brackets else (),
        translation=p.text,
        translation_emphasis=p.emphasis,
        translation_table=p.table,
    )


def in_language(doc: Document, language: str | None) -> Document:
    """``doc`` to be printed in ``language`` ("es", "en"; "both": side by
    side; None: the original language)."""
    if language in (None, "", doc.original_language):
        return replace(doc, language=doc.original_language, bilingual=False)
    if language == "both":
        return replace(doc, language=doc.original_language, bilingual=True)
    if language == "es":
        shown: Language = "es"
    elif language == "en":
        shown = "en"
    else:
        raise ValueError(f"unknown language {language!r}")
    sections = tuple(
        replace(
            s,
            heading=s.heading_in(original=False),
            heading_translation=s.heading,
            paragraphs=tuple(_swapped(p) for p in s.paragraphs),
        )
        for s in doc.sections
    )
    title = doc.title
    titles = [p for s in sections if s.kind == "title" for p in s.paragraphs if p.kind == "title"]
    if titles and titles[0].translation_status != "missing":
        title = " ".join(p.text for p in titles)
    return replace(doc, language=shown, bilingual=False, sections=sections, title=title)


def document_from(data: dict[str, Any], *, language: str | None = None) -> Document:
    """The renderers' document from the selector's data, in ``language``
    (see :func:`in_language`)."""
    return in_language(_document(data), language)


def _document(data: dict[str, Any]) -> Document:
    return Document(
        title=data["title"],
        place_date=data.get("place_date", ""),
        ppt_name=data["ppt_name"],
        revision_label=data["revision_label"],
        is_adopted=data["is_adopted"],
        original_language=data.get("original_language", "en"),
        sections=tuple(
            Section(
                kind=s["kind"],
                heading=s["heading"],
                paragraphs=tuple(_paragraph(p) for p in s["paragraphs"]),
                heading_translation=s.get("heading_translation") or "",
            )
            for s in data["sections"]
        ),
        explanations=tuple(Explanation(e["delegation"], e["text"]) for e in data.get("explanations", [])),
        time_zone=data.get("time_zone") or "",
        issued_at=datetime.fromisoformat(data["issued_at"]) if data.get("issued_at") else None,
    )


def _titles(data: Mapping[str, Any], language: str) -> str:
    """The declaration's title in ``language`` (the selector hands its translation as ``title_translation``)."""
    if language != data.get("original_language", language) and data.get("title_translation"):
        return str(data["title_translation"])
    return str(data["title"])


def tracked_from(data: RevisionPair, *, language: str | None = None) -> dict[str, Any]:
    """Keyword arguments for ``render_tracked``, in ``language`` ("es", "en",
    "both"; None: the original). The other language's tracked changes are
    between the two revisions' translations as they were issued."""
    original = str(data.get("original_language", "en"))
    choice = language or original
    shown = original if choice == "both" else choice
    other = "en" if original == "es" else "es"

    def text_in(r: Mapping[str, Any], lang: str) -> str:
        return str(r["text"]) if lang == original else str(r.get("translation_text") or "")

    def rows(raw: list[TrackedRow]) -> list[TrackedParagraph]:
        return [
            TrackedParagraph(
                id=r["id"],
                label=r["label"],
                text=text_in(r, shown),
                author=r["author"],
                date=r["date"],
                other_text=text_in(r, other) if choice == "both" else None,
            )
            for r in raw
        ]

    new_label, _, old_label = str(data["label"]).partition(" against ")
    labels = (data.get("new_label") or new_label, data.get("old_label") or old_label)
    return {
        "old": rows(data["old"]),
        "new": rows(data["new"]),
        "default_author": data["default_author"],
        "default_date": data["default_date"],
        "title": _titles(data, shown),
        "revisions": labels,
        "language": shown,
        "bilingual": choice == "both",
        "ppt_name": data.get("ppt_name"),
        "time_zone": data.get("time_zone") or "",
        "deleted_by": data["deleted_by"],
    }


def record_from(data: NegotiationRecord, *, language: str | None = None) -> dict[str, Any]:
    """Keyword arguments for ``render_record``, in ``language`` ("both": the labels in both languages)."""
    original = str(data.get("original_language", "en"))
    choice = language or original
    return {
        "title": _titles(data, original if choice == "both" else choice),
        "ppt_name": data.get("ppt_name", ""),
        "language": original if choice == "both" else choice,
        "bilingual": choice == "both",
        "time_zone": data.get("time_zone") or "",
        "entries": [
            RecordEntry(
                when=e["when"],
                who=e["who"],
                delegation=e["delegation"],
                what=e["what"],
                paragraph_label=e["paragraph_label"],
            )
            for e in data["entries"]
        ],
    }
