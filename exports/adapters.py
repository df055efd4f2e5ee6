"""Plain data (dicts and lists, as ``drafting.selectors.exports`` hands them
over) into the renderers' dataclasses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from exports.data import (
    Alternative,
    Bracket,
    Document,
    Explanation,
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
            )
            for q in p.get("proposals", [])
        ),
        reservations=tuple(Reservation(r["delegation"], r["text"]) for r in p.get("reservations", [])),
    )


def document_from(data: dict[str, Any]) -> Document:
    return Document(
        title=data["title"],
        place_date=data.get("place_date", ""),
        ppt_name=data["ppt_name"],
        revision_label=data["revision_label"],
        is_adopted=data["is_adopted"],
        original_language=data.get("original_language", "en"),
        sections=tuple(
            Section(kind=s["kind"], heading=s["heading"], paragraphs=tuple(_paragraph(p) for p in s["paragraphs"]))
            for s in data["sections"]
        ),
        explanations=tuple(Explanation(e["delegation"], e["text"]) for e in data.get("explanations", [])),
    )


def tracked_from(data: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for ``render_tracked``."""

    def rows(raw: list[dict[str, Any]]) -> list[TrackedParagraph]:
        return [
            TrackedParagraph(
                id=r["id"],
                label=r["label"],
                text=r["text"],
                author=r.get("author"),
                date=datetime.fromisoformat(r["date"]) if r.get("date") else None,
            )
            for r in raw
        ]

    return {
        "old": rows(data["old"]),
        "new": rows(data["new"]),
        "default_author": data["default_author"],
        "default_date": datetime.fromisoformat(data["default_date"]),
        "title": f"{data['title']} — {data['label']}",
        "deleted_by": {
            int(pid): (who, datetime.fromisoformat(when)) for pid, (who, when) in data.get("deleted_by", {}).items()
        },
    }


def record_from(data: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for ``render_record``."""
    return {
        "title": data["title"],
        "ppt_name": data.get("ppt_name", ""),
        "entries": [
            RecordEntry(
                when=datetime.fromisoformat(e["when"]),
                who=e["who"],
                delegation=e["delegation"],
                what=e["what"],
                paragraph_label=e.get("paragraph_label", ""),
            )
            for e in data["entries"]
        ],
    }
