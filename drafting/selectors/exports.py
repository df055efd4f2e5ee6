"""Plain data for the Word exports: what a document shows, read from the
domain and handed over as dicts and lists (``exports`` turns them into its
own dataclasses; ``drafting`` never imports ``exports``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from drafting.models import (
    Adoption,
    Declaration,
    Delegation,
    Event,
    Paragraph,
    Proposal,
    Revision,
    RevisionParagraph,
    Statement,
)
from drafting.readmodels import (
    NegotiationRecord,
    RecordEntry,
    RevisionPair,
    RevisionText,
    TrackedRow,
    WorkingText,
)
from drafting.selectors.texts import revision_text, working_text

PENDING = ("submitted", "needs_refit", "conflicted")


def _names(declaration: Declaration, language: str | None = None) -> dict[str, str]:
    """Delegation names in ``language`` (es, en; "both" or None: the original language)."""
    spanish = (language if language in ("es", "en") else declaration.original_language) == "es"
    return {
        code: (es or en) if spanish else en
        for code, en, es in Delegation.objects.values_list("code", "name_en", "name_es")
    }


def _refit_note(item: Mapping[str, Any], names: dict[str, str]) -> str:
    """One line on a re-fitted or conflicted proposal, for the compilation text."""
    refit = item.get("refit") or {}
    by = refit.get("by_delegation")
    cause = f"after {names.get(by, by)}'s proposal was accepted" if by else "at the last revision"
    note = {
        "clean": f"Re-fitted onto the current wording {cause}.",
        "rebased": f"Carried onto the current wording {cause}.",
        "conflicted": f"Conflicted: written on an earlier wording changed {cause}; "
        f"best effort on the current wording (unverified): [{refit.get('best_effort_text') or ''}]",
    }.get(refit.get("status", ""), "")
    earlier = [names.get(c, c) for c in item.get("earlier_wording", [])]
    if earlier:
        note += f" Position given on the earlier wording: {', '.join(earlier)}."
    return note.strip()


def _notes(
    items: Sequence[Mapping[str, Any]], names: dict[str, str], languages: dict[int, str] | None = None
) -> list[dict[str, Any]]:
    languages = languages or {}
    return [
        {
            "delegation": names.get(p["delegation"], p["delegation"]),
            "kind": p["kind"],
            "text": p["text"],
            "supporters": [names.get(c, c) for c in p.get("support", [])],
            "objections": [
                {"delegation": names.get(o["delegation"], o["delegation"]), "reason": o["reason"]}
                for o in p.get("objections", [])
            ],
            "status": p.get("status", "submitted"),
            "note": _refit_note(p, names),
            "agreed_language": p.get("agreed_language"),
            "language": languages.get(p.get("id") or p.get("proposal") or 0, ""),
            **({"option": p["option"]} if "option" in p else {}),
        }
        for p in items
    ]


def _translations(declaration: Declaration, revision: Revision | None) -> dict[int, dict[str, Any]]:
    """Each paragraph's other-language text (issue 15), by paragraph id: as the
    revision snapshot holds it, or for the working text as it stands, its
    status "missing" (never made), "stale" (made from an earlier wording) or "current"."""
    fields = ("translation_text", "translation_emphasis", "translation_table")
    if revision is not None:
        rows = RevisionParagraph.objects.filter(revision=revision).values("paragraph_id", *fields, "translation_status")
        return {r["paragraph_id"]: r for r in rows}
    out = {}
    for r in Paragraph.objects.filter(declaration=declaration).values("id", *fields, "translation_of", "text_version"):
        of = r["translation_of"]
        r["translation_status"] = "missing" if of is None else "current" if of == r["text_version"] else "stale"
        out[r["id"]] = r
    return out


def _title_translation(declaration: Declaration) -> str:
    """The title lines of the latest revision in the other language ("" when not translated)."""
    lines = (
        RevisionParagraph.objects.filter(revision__declaration=declaration, kind="title")
        .exclude(translation_text="")
        .order_by("-revision__number", "position")
        .values_list("revision_id", "translation_text")
    )
    latest = [text for revision_id, text in lines if revision_id == lines[0][0]] if lines else []
    return " ".join(latest)


def declaration_document(
    *, declaration: Declaration, revision: Revision | None = None, language: str | None = None
) -> dict[str, Any]:
    """A revision (the adopted text included), or the working text when
    ``revision`` is None, with states, brackets, Alt options, pending proposals
    and, for the adopted revision, reservations and explanations of position.
    Each paragraph carries its translation; delegation names are in
    ``language`` (None or "both": the original language)."""
    names = _names(declaration, language)
    translated = _translations(declaration, revision)
    proposal_languages = dict(
        Proposal.objects.filter(declaration=declaration).exclude(language="").values_list("pk", "language")
    )
    text: WorkingText | RevisionText
    if revision is None:
        text = working_text(declaration=declaration)
        label = text["revision"]["label"] if text["revision"] else ""
    else:
        text = revision_text(revision=revision, proposals="inline")
        label = text["label"]
    adopted = Adoption.objects.filter(declaration=declaration, status=Adoption.Status.ADOPTED).first()
    is_adopted = adopted is not None and revision is not None and adopted.revision_id == revision.pk
    reservations: dict[int, list[dict[str, str]]] = {}
    explanations: list[dict[str, str]] = []
    if is_adopted:
        assert adopted is not None
        for st in Statement.objects.filter(adoption=adopted).select_related("delegation").order_by("id"):
            entry = {"delegation": names.get(st.delegation.code, st.delegation.code), "text": st.text}
            if st.paragraph_id is not None:
                reservations.setdefault(st.paragraph_id, []).append(entry)
            else:
                explanations.append(entry)
    by_alternative = {}
    sections = []
    for section in text["sections"]:
        paragraphs = []
        for p in section["paragraphs"]:
            pending = [q for q in p.get("proposals", []) if q["status"] in PENDING]
            alternatives = p.get("alternatives", [])
            by_alternative.update({a["proposal"]: a for a in alternatives})
            paragraphs.append(
                {
                    "label": p["label"],
                    "kind": p["kind"],
                    "text": p["text"],
                    "emphasis": p["emphasis"],
                    "level": p["level"],
                    "table": p["table"],
                    "state": p.get("state", "open"),
                    "brackets": p.get("brackets", []),
                    "alternatives": _notes(alternatives, names, proposal_languages),
                    "proposals": _notes(pending, names, proposal_languages),
                    "reservations": reservations.get(p["paragraph"], []),
                    **{k: v for k, v in translated.get(p["paragraph"], {}).items() if k.startswith("translation_")},
                }
            )
        sections.append(
            {
                "kind": section["kind"],
                "heading": section["heading"],
                "heading_translation": section["heading_translation"],
                "paragraphs": paragraphs,
            }
        )
    meeting = declaration.meeting
    ppt = Delegation.objects.get(pk=meeting.ppt_id)
    return {
        "title": declaration.title,
        "place_date": "",
        "ppt_name": names.get(ppt.code, ppt.name_en),
        "revision_label": label if revision is not None else f"Working text after {label}",
        "is_adopted": is_adopted,
        "original_language": declaration.original_language,
        "sections": sections,
        "explanations": explanations,
        "time_zone": meeting.time_zone,
        "issued_at": revision.issued_at.isoformat() if revision is not None else None,
    }


def revision_pair(*, old: Revision, new: Revision, language: str | None = None) -> RevisionPair:
    """Two revisions' paragraphs for a tracked-changes document, each change
    attributed to the delegation whose accepted proposal made it (the PPT for
    the chair's own edits) and dated when it was accepted; each paragraph with
    its translation as that revision holds it."""
    declaration = new.declaration
    names = _names(declaration, language)
    ppt = declaration.meeting.ppt
    changed_by: dict[int, tuple[str, datetime]] = {}
    accepted = (
        Proposal.objects.filter(declaration=declaration, incorporated_in=new)
        .select_related("delegation")
        .order_by("decided_at")
    )
    for proposal in accepted:
        when = proposal.decided_at or new.issued_at
        who = names.get(proposal.delegation.code, proposal.delegation.name_en)
        changed_by[proposal.created_paragraph_id or proposal.paragraph_id] = (who, when)

    def rows(revision: Revision, attribute: bool) -> list[TrackedRow]:
        out: list[TrackedRow] = []
        for pid, label, text, translation in (
            RevisionParagraph.objects.filter(revision=revision)
            .order_by("position")
            .values_list("paragraph_id", "label", "text", "translation_text")
        ):
            author, date = changed_by[pid] if attribute and pid in changed_by else (None, None)
            out.append(
                {
                    "id": pid,
                    "label": label,
                    "text": text,
                    "translation_text": translation,
                    "author": author,
                    "date": date,
                }
            )
        return out

    return {
        "title": declaration.title,
        "old": rows(old, False),
        "new": rows(new, True),
        "deleted_by": changed_by,
        "default_author": names.get(ppt.code, ppt.name_en),
        "default_date": new.issued_at,
        "label": f"{new.label} against {old.label}",
        "new_label": new.label,
        "old_label": old.label,
        "original_language": declaration.original_language,
        "title_translation": _title_translation(declaration),
        "ppt_name": names.get(ppt.code, ppt.name_en),
        "time_zone": declaration.meeting.time_zone,
    }


def _what(event: Event) -> str:
    """The record's "What": the event's own sentence where it has one (a
    re-fit: "MEX's proposal re-fitted after HND's was accepted"), else its verb,
    with the agreed language a proposal reuses."""
    after = event.after if isinstance(event.after, dict) else {}
    summary = after.get("summary")
    if isinstance(summary, str) and summary:
        return summary
    verb = event.verb.replace(".", " ").replace("_", " ")
    # A proposal built from the library names its source: "proposal submitted: XXI RCM (2016), Decision 12".
    return f"{verb}: {after['agreed_language']}" if "agreed_language" in after else verb


def negotiation_record(*, declaration: Declaration, language: str | None = None) -> NegotiationRecord:
    labels = dict(
        RevisionParagraph.objects.filter(revision__declaration=declaration)
        .order_by("revision__number")
        .values_list("paragraph_id", "label")
    )
    names = _names(declaration, language)
    entries: list[RecordEntry] = [
        {
            "when": e.created_at,
            "who": e.actor.get_username() if e.actor else "system",
            "delegation": names.get(e.delegation.code, e.delegation.code) if e.delegation else "",
            "what": _what(e),
            "paragraph_label": labels.get(e.paragraph_id, "") if e.paragraph_id else "",
        }
        for e in Event.objects.filter(declaration=declaration).select_related("actor", "delegation").order_by("id")
    ]
    ppt = declaration.meeting.ppt
    return {
        "title": declaration.title,
        "title_translation": _title_translation(declaration),
        "ppt_name": names.get(ppt.code, ppt.name_en),
        "original_language": declaration.original_language,
        "time_zone": declaration.meeting.time_zone,
        "entries": entries,
    }
