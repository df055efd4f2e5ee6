"""Issuing a revision: a new immutable snapshot of the whole text.

Two ways in, one way through:
- ``revision_issue``: the Secretariat supplies the full text (the zero draft,
  or a text prepared outside the tool). Paragraphs naming an existing
  ``paragraph`` id keep that identity.
- ``revision_issue_from_working_text``: the PPT (or the TS on its behalf)
  snapshots the working text, i.e. the last revision plus what was accepted since.
Both end in ``_snapshot``, which writes the revision, makes the working text
equal to it, and carries pending proposals over.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NotRequired, TypedDict, cast

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connections, models, router, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from drafting import numbering
from drafting.access import require_ppt_or_secretariat, require_secretariat
from drafting.bilingual import MISSING, STALE, translation_status
from drafting.errors import Conflict, InvalidInput
from drafting.models import Declaration, EventVerb, Paragraph, Position, Proposal, Revision, RevisionParagraph, Section
from drafting.services.events import event_record, proposal_events_record
from drafting.services.locks import declaration_access, declaration_require_drafting
from drafting.services.refitting import proposals_refit
from drafting.states import State
from drafting.textnorm import clean_emphasis, clean_text

POSITION_STEP = 1024  # gaps in working-text positions, so an insertion rarely renumbers


class ParagraphInput(TypedDict):
    kind: str
    text: NotRequired[str]
    paragraph: NotRequired[int | None]  # identity to carry over; None → new paragraph
    emphasis: NotRequired[list[dict[str, Any]]]
    level: NotRequired[int]
    table: NotRequired[list[list[str]] | None]
    # The other language's version (issue 15), when the text comes with it (an
    # import of both files); absent: a carried paragraph keeps its translation
    # (stale if its original wording changed), a new one has none (missing).
    translation_text: NotRequired[str]
    translation_emphasis: NotRequired[list[dict[str, Any]]]
    translation_table: NotRequired[list[list[str]] | None]


class SectionInput(TypedDict):
    kind: str
    heading: NotRequired[str]
    heading_translation: NotRequired[str]  # the heading in the other working language (issue 15)
    paragraphs: list[ParagraphInput]


@dataclass
class Entry:
    """One paragraph of a snapshot, in order."""

    paragraph_id: int | None
    section_kind: str
    section_heading: str
    kind: str
    text: str
    emphasis: list[Any] = field(default_factory=list)
    table: list[list[str]] | None = None
    level: int = 0
    state: str = State.OPEN
    ad_ref_delegation_id: int | None = None
    brackets: list[Any] = field(default_factory=list)
    # The other language (see Paragraph): the version of the original wording
    # this entry holds, and the one its translation renders (None = missing).
    text_version: int = 1
    translation_text: str = ""
    translation_emphasis: list[Any] = field(default_factory=list)
    translation_table: list[list[str]] | None = None
    translation_of: int | None = None
    translation_given: bool = False
    section_heading_translation: str = ""

    @property
    def translation_status(self) -> str:
        return translation_status(text_version=self.text_version, translation_of=self.translation_of)


def default_label(number: int) -> str:
    return "Zero draft" if number == 0 else f"Rev.{number}"


def _clean_table(raw: Any, where: str) -> list[list[str]]:
    if not isinstance(raw, list) or not raw or not all(isinstance(r, list) and r for r in raw):
        raise InvalidInput(
            _("A table needs rows of cells."), fields={where: [_("Give a non-empty list of non-empty rows.")]}
        )
    limit = settings.CONSENSO_MAX_PARAGRAPH_CHARS
    return [[clean_text(c, field=where, max_chars=limit, allow_empty=True) for c in row] for row in raw]


def _clean_paragraph(raw: ParagraphInput, where: str, section_kind: str, heading: str) -> Entry:
    kind = raw.get("kind")
    if kind not in RevisionParagraph.Kind.values:
        raise InvalidInput(
            _("Unknown paragraph kind."),
            fields={f"{where}.kind": [_("Choose one of %(choices)s.") % {"choices": RevisionParagraph.Kind.values}]},
        )
    table = None
    emphasis: list[Any] = []
    if kind == RevisionParagraph.Kind.TABLE:
        table = _clean_table(raw.get("table"), f"{where}.table")
        text = "\n".join("\t".join(row) for row in table)
        # The limit is per paragraph, and a table is one paragraph: its cells
        # together, not each cell alone.
        if len(text) > settings.CONSENSO_MAX_PARAGRAPH_CHARS:
            raise InvalidInput(
                _(
                    "A table may hold at most %(max)s characters in all; this one "
                    "holds %(count)s. Split it into several tables."
                )
                % {
                    "max": f"{settings.CONSENSO_MAX_PARAGRAPH_CHARS:,}",
                    "count": f"{len(text):,}",
                },
                fields={f"{where}.table": [_("Too long.")]},
            )
    else:
        original = raw.get("text", "")
        text = clean_text(original, field=f"{where}.text", max_chars=settings.CONSENSO_MAX_PARAGRAPH_CHARS)
        emphasis = list(clean_emphasis(raw.get("emphasis"), original=original, cleaned=text, field=f"{where}.emphasis"))
    level = raw.get("level", 0)
    if not isinstance(level, int) or isinstance(level, bool) or not 0 <= level <= 8:
        raise InvalidInput(_("Bad level."), fields={f"{where}.level": [_("An integer from 0 to 8.")]})
    entry = Entry(
        paragraph_id=raw.get("paragraph"),
        section_kind=section_kind,
        section_heading=heading,
        kind=kind,
        text=text,
        emphasis=emphasis,
        table=table,
        level=level,
    )
    _clean_translation(raw, entry, where)
    return entry


def _clean_translation(raw: ParagraphInput, entry: Entry, where: str) -> None:
    """The other language's version given with the paragraph, if any."""
    if raw.get("translation_table") is not None:
        if entry.table is None:
            raise InvalidInput(
                _("Only a table has a table."), fields={f"{where}.translation_table": [_("Leave empty.")]}
            )
        cells = _clean_table(raw.get("translation_table"), f"{where}.translation_table")
        if [len(r) for r in cells] != [len(r) for r in entry.table]:
            raise InvalidInput(
                _("A table's translation has the rows and cells of the original."),
                fields={f"{where}.translation_table": [_("Not the original's shape.")]},
            )
        entry.translation_text, entry.translation_table = "\n".join("\t".join(row) for row in cells), cells
    elif raw.get("translation_text"):
        if entry.table is not None:
            raise InvalidInput(
                _("Give a table's translation as a table."), fields={f"{where}.translation_table": [_("Required.")]}
            )
        original = raw.get("translation_text", "")
        entry.translation_text = clean_text(
            original, field=f"{where}.translation_text", max_chars=settings.CONSENSO_MAX_PARAGRAPH_CHARS
        )
        entry.translation_emphasis = list(
            clean_emphasis(
                raw.get("translation_emphasis"),
                original=original,
                cleaned=entry.translation_text,
                field=f"{where}.translation_emphasis",
            )
        )
    else:
        return
    entry.translation_given = True
    entry.translation_of = entry.text_version


def _entries_from_sections(declaration: Declaration, sections: Sequence[SectionInput]) -> list[Entry]:
    if not sections:
        raise InvalidInput(_("A revision needs at least one section."), fields={"sections": [_("May not be empty.")]})
    entries: list[Entry] = []
    for s_index, section in enumerate(sections):
        where = f"sections[{s_index}]"
        if section.get("kind") not in Section.Kind.values:
            raise InvalidInput(
                _("Unknown section kind."),
                fields={f"{where}.kind": [_("Choose one of %(choices)s.") % {"choices": Section.Kind.values}]},
            )
        heading = clean_text(
            section.get("heading", ""), field=f"{where}.heading", max_chars=300, allow_empty=True, multiline=False
        )
        heading_translation = clean_text(
            section.get("heading_translation", ""),
            field=f"{where}.heading_translation",
            max_chars=300,
            allow_empty=True,
            multiline=False,
        )
        paragraphs = section.get("paragraphs") or []
        if len(entries) + len(paragraphs) > settings.CONSENSO_MAX_PARAGRAPHS_PER_REVISION:
            raise InvalidInput(
                _("A revision may hold at most %(max)s paragraphs.")
                % {"max": settings.CONSENSO_MAX_PARAGRAPHS_PER_REVISION},
                fields={"sections": [_("Too many paragraphs.")]},
            )
        for i, p in enumerate(paragraphs):
            entry = _clean_paragraph(p, f"{where}.paragraphs[{i}]", section["kind"], heading)
            entry.section_heading_translation = heading_translation
            entries.append(entry)
    if not entries:
        raise InvalidInput(_("A revision needs at least one paragraph."), fields={"sections": [_("No paragraphs.")]})

    carried = [e.paragraph_id for e in entries if e.paragraph_id is not None]
    if len(carried) != len(set(carried)):
        raise InvalidInput(
            _("A paragraph identity may appear only once."), fields={"sections": [_("Duplicate paragraph id.")]}
        )
    current = {p.pk: p for p in Paragraph.objects.filter(declaration=declaration, pk__in=carried).select_for_update()}
    unknown = sorted(set(carried) - set(current))
    if unknown:
        raise InvalidInput(
            _("Paragraphs %(unknown)s do not belong to this declaration.") % {"unknown": unknown},
            fields={"sections": [_("Unknown paragraph ids: %(unknown)s.") % {"unknown": unknown}]},
        )
    for entry in entries:
        if entry.paragraph_id is None:
            continue
        # A carried paragraph keeps its negotiation state, except that an
        # agreed text changed outside the room is put back on the table.
        old = current[entry.paragraph_id]
        entry.state = old.state if old.state != State.DELETED else State.OPEN
        entry.ad_ref_delegation_id = old.ad_ref_delegation_id
        entry.brackets = list(old.brackets) if entry.text == old.text else []
        if entry.text != old.text and entry.state in (State.AGREED, State.AGREED_AD_REF):
            entry.state, entry.ad_ref_delegation_id = State.REOPENED, None
        if entry.state == State.BRACKETED and entry.text != old.text:
            entry.state = State.UNDER_DISCUSSION
        # A new wording of the original is a new text version: its old translation goes stale.
        entry.text_version = old.text_version + (1 if entry.text != old.text else 0)
        if entry.translation_given:
            entry.translation_of = entry.text_version
        else:
            entry.translation_text, entry.translation_emphasis = old.translation_text, list(old.translation_emphasis)
            entry.translation_table, entry.translation_of = old.translation_table, old.translation_of
        if not entry.section_heading_translation and entry.section_heading == old.section_heading:
            entry.section_heading_translation = old.section_heading_translation
    _one_heading_translation_per_section(entries)
    return entries


def _one_heading_translation_per_section(entries: list[Entry]) -> None:
    """Each run of entries under one heading (a section of the snapshot) gets
    one translation of it: the first given (issue 15)."""
    start = 0
    for end in range(1, len(entries) + 1):
        first = entries[start]
        if end < len(entries) and (entries[end].section_kind, entries[end].section_heading) == (
            first.section_kind,
            first.section_heading,
        ):
            continue
        given = next((e.section_heading_translation for e in entries[start:end] if e.section_heading_translation), "")
        for e in entries[start:end]:
            e.section_heading_translation = given
        start = end


def _entries_from_working_text(declaration: Declaration) -> list[Entry]:
    return [
        Entry(
            paragraph_id=p.pk,
            section_kind=p.section_kind,
            section_heading=p.section_heading,
            section_heading_translation=p.section_heading_translation,
            kind=p.kind,
            text=p.text,
            emphasis=list(p.emphasis),
            table=p.table,
            level=p.level,
            state=p.state,
            ad_ref_delegation_id=p.ad_ref_delegation_id,
            brackets=list(p.brackets),
            text_version=p.text_version,
            translation_text=p.translation_text,
            translation_emphasis=list(p.translation_emphasis),
            translation_table=p.translation_table,
            translation_of=p.translation_of,
        )
        for p in Paragraph.objects.select_for_update()
        .filter(declaration=declaration)
        .exclude(state=State.DELETED)
        .order_by("position", "id")
    ]


def _snapshot(*, actor: User, declaration: Declaration, entries: list[Entry], label: str | None, note: str) -> Revision:
    previous = declaration.revisions.order_by("-number").first()
    number = 0 if previous is None else previous.number + 1
    label = clean_text(label, field="label", max_chars=40, multiline=False) if label else default_label(number)
    if declaration.revisions.filter(label=label).exists():
        raise Conflict(_("This declaration already has a revision labelled %(label)r.") % {"label": label})
    note = clean_text(note, field="note", max_chars=settings.CONSENSO_MAX_NOTE_CHARS, allow_empty=True)
    revision = Revision.objects.create(declaration=declaration, number=number, label=label, note=note, issued_by=actor)

    new_paragraphs = iter(
        Paragraph.objects.bulk_create(
            [Paragraph(declaration=declaration, introduced_in=revision) for e in entries if e.paragraph_id is None]
        )
    )
    for entry in entries:
        if entry.paragraph_id is None:
            entry.paragraph_id = next(new_paragraphs).pk

    labels = numbering.labels(
        [numbering.Slot(kind=e.kind, section=e.section_heading or Section.Kind(e.section_kind).label) for e in entries]
    )
    rows: list[RevisionParagraph] = []
    section: Section | None = None
    for position, entry in enumerate(entries):
        assert entry.paragraph_id is not None  # new paragraphs got their ids above
        if section is None or (section.kind, section.heading) != (entry.section_kind, entry.section_heading):
            section = Section.objects.create(
                revision=revision,
                position=0 if section is None else section.position + 1,
                kind=entry.section_kind,
                heading=entry.section_heading,
                heading_translation=entry.section_heading_translation,
            )
        rows.append(
            RevisionParagraph(
                revision=revision,
                section=section,
                paragraph_id=entry.paragraph_id,
                position=position,
                kind=entry.kind,
                label=labels[position],
                level=entry.level,
                text=entry.text,
                emphasis=entry.emphasis,
                table=entry.table,
                state=entry.state,
                ad_ref_delegation_id=entry.ad_ref_delegation_id,
                brackets=entry.brackets,
                translation_text=entry.translation_text,
                translation_emphasis=entry.translation_emphasis,
                translation_table=entry.translation_table,
                translation_status=entry.translation_status,
            )
        )
    RevisionParagraph.objects.bulk_create(rows, batch_size=500)
    _reset_working_text(declaration, revision, entries)
    carried = _carry_over_proposals(actor, declaration, revision, entries)
    event_record(
        verb=EventVerb.REVISION_ISSUED,
        actor=actor,
        obj=revision,
        declaration=declaration,
        before={"revision": previous.pk, "label": previous.label} if previous else None,
        after={
            "revision": revision.pk,
            "label": label,
            "number": number,
            "paragraphs": len(entries),
            **carried,
            # Where the other language's version is behind (issue 15), by status.
            "translations": {
                status: sum(1 for e in entries if e.translation_status == status) for status in (MISSING, STALE)
            },
        },
    )
    return revision


def update_each(model: type[models.Model], objects: list[Any], fields: list[str]) -> None:
    """Write ``fields`` of each object, one UPDATE per row (the rows are locked),
    the statement compiled once and sent with ``executemany``.
    Not ``bulk_update``: it compiles a CASE WHEN per row and field, which PostgreSQL
    then scans for every row; carrying 2,000 proposals over took ~15 s of CPU that
    way, inside the declaration's lock (bench/scale_ga.py). Not one ``.update()``
    per row either: compiling the query each time was most of an acceptance's
    re-fit of 50 proposals (bench/bench_accept_refit.py)."""
    if not objects:
        return
    meta = model._meta
    columns = [cast("models.Field[Any, Any]", meta.get_field(f)) for f in fields]
    assert meta.pk is not None
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(c.column))} = %s" for c in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(str(meta.pk.column))} = %s"
    rows = [[c.get_db_prep_save(getattr(obj, c.attname), connection) for c in columns] + [obj.pk] for obj in objects]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _reset_working_text(declaration: Declaration, revision: Revision, entries: list[Entry]) -> None:
    """Make the working text equal to the revision just issued."""
    by_id = {p.pk: p for p in Paragraph.objects.filter(declaration=declaration).exclude(state=State.DELETED)}
    by_id.update({p.pk: p for p in Paragraph.objects.filter(pk__in=[e.paragraph_id for e in entries])})
    updated: list[Paragraph] = []
    for index, entry in enumerate(entries):
        p = by_id.pop(entry.paragraph_id)  # type: ignore[arg-type]
        updated.append(p)
        p.position = (index + 1) * POSITION_STEP
        p.section_kind, p.section_heading = entry.section_kind, entry.section_heading
        p.section_heading_translation = entry.section_heading_translation
        p.kind, p.level, p.text, p.emphasis, p.table = entry.kind, entry.level, entry.text, entry.emphasis, entry.table
        p.state, p.ad_ref_delegation_id, p.brackets = entry.state, entry.ad_ref_delegation_id, entry.brackets
        p.text_version, p.translation_of = entry.text_version, entry.translation_of
        p.translation_text, p.translation_emphasis = entry.translation_text, entry.translation_emphasis
        p.translation_table = entry.translation_table
        p.inserted = False
        p.introduced_in_id = p.introduced_in_id or revision.pk
        p.version += 1
    for p in by_id.values():  # left out of this revision: deleted, kept in history
        p.state, p.ad_ref_delegation_id, p.inserted = State.DELETED, None, False
    update_each(
        Paragraph,
        [*updated, *by_id.values()],
        [
            "position",
            "section_kind",
            "section_heading",
            "section_heading_translation",
            "kind",
            "level",
            "text",
            "emphasis",
            "table",
            "state",
            "ad_ref_delegation",
            "brackets",
            "inserted",
            "introduced_in",
            "version",
            "text_version",
            "translation_text",
            "translation_emphasis",
            "translation_table",
            "translation_of",
        ],
    )


def _carry_over_proposals(
    actor: User, declaration: Declaration, revision: Revision, entries: list[Entry]
) -> dict[str, int]:
    """Accepted proposals are now incorporated; pending ones move to the new
    revision where the text under them is unchanged, are re-fitted where it
    changed (a clean re-fit moves to the new revision, a conflict stays on its
    own, marked ``conflicted``; one already conflicted is left so), and are
    superseded where the paragraph is gone."""
    texts: dict[int | None, str] = {e.paragraph_id: e.text for e in entries}
    accepted = list(
        Proposal.objects.select_for_update().filter(
            declaration=declaration, status=Proposal.Status.ACCEPTED, incorporated_in__isnull=True
        )
    )
    Proposal.objects.filter(pk__in=[p.pk for p in accepted]).update(
        status=Proposal.Status.INCORPORATED, incorporated_in=revision
    )
    proposal_events_record(
        actor=actor,
        declaration=declaration,
        changes=[(p, p.status, {"status": "incorporated", "revision": revision.pk}) for p in accepted],
    )
    incorporated = len(accepted)
    pending = list(
        Proposal.objects.select_for_update().filter(
            declaration=declaration,
            status__in=[Proposal.Status.SUBMITTED, Proposal.Status.NEEDS_REFIT, Proposal.Status.CONFLICTED],
        )
    )
    changes: list[tuple[Proposal, str, dict[str, Any]]] = []
    to_refit: list[Proposal] = []
    for proposal in pending:
        text = texts.get(proposal.paragraph_id)
        status_before = proposal.status
        if text is None:  # the paragraph is gone from the text
            proposal.status = Proposal.Status.SUPERSEDED
            changes.append((proposal, status_before, {"status": "superseded", "revision": revision.pk}))
        elif proposal.kind == Proposal.Kind.INSERT_AFTER or text == proposal.base_text:
            proposal.status, proposal.revision = Proposal.Status.SUBMITTED, revision
            changes.append((proposal, status_before, {"status": "carried_over", "revision": revision.pk}))
        elif proposal.status == Proposal.Status.CONFLICTED:
            continue  # waits for its delegation to resubmit; re-fitting it again would hide the conflict
        else:
            to_refit.append(proposal)
    emphases: dict[int | None, list[Any]] = {e.paragraph_id: e.emphasis for e in entries}
    changes += proposals_refit(
        proposals=to_refit,
        revision=revision,
        texts=texts,
        emphases=emphases,
        original_language=declaration.original_language,
    )
    # Carried over or superseded: only status and revision move, the same for many
    # proposals, so one UPDATE per (status, revision); a re-fitted one has its own text.
    moved: dict[tuple[str, int], list[int]] = defaultdict(list)
    refitted: list[Proposal] = []
    for proposal, _before, after in changes:
        proposal.version += 1
        if after["status"] in ("carried_over", "superseded"):
            moved[(proposal.status, proposal.revision_id)].append(proposal.pk)
        else:
            refitted.append(proposal)
    for (status, revision_id), ids in moved.items():
        for start in range(0, len(ids), 1000):
            Proposal.objects.filter(pk__in=ids[start : start + 1000]).update(
                status=status, revision_id=revision_id, version=F("version") + 1
            )
    update_each(
        Proposal,
        refitted,
        ["status", "revision", "version", "base_text", "text", "emphasis", "refit", "incorporated_in"],
    )
    # Positions on a re-fitted proposal were given on its earlier wording: kept, flagged.
    flagged = [p.pk for p, _, after in changes if after["status"] == "refitted"]
    for start in range(0, len(flagged), 1000):
        Position.objects.filter(proposal_id__in=flagged[start : start + 1000]).update(earlier_wording=True)
    proposal_events_record(actor=actor, declaration=declaration, changes=changes)
    counts: dict[str, int] = defaultdict(int)
    for _proposal, _before, after in changes:
        counts[str(after.get("refit") or after["status"])] += 1
    return {"incorporated": incorporated, **counts}


@transaction.atomic
def revision_issue(
    *,
    actor: User,
    declaration: Declaration,
    sections: Sequence[SectionInput],
    label: str | None = None,
    note: str = "",
) -> Revision:
    """The Secretariat issues the next revision (the zero draft when there is
    none yet) from a full text. Labels (PP1, OP2 …) are recomputed."""
    declaration, role = declaration_access(user=actor, declaration_id=declaration.pk, lock="update")
    require_secretariat(role, "issue revisions")
    declaration_require_drafting(declaration)
    entries = _entries_from_sections(declaration, sections)
    return _snapshot(actor=actor, declaration=declaration, entries=entries, label=label, note=note)


@transaction.atomic
def revision_issue_from_working_text(
    *, actor: User, declaration: Declaration, label: str | None = None, note: str = ""
) -> Revision:
    """The PPT (or the TS on its behalf) issues the working text as the next
    revision; bis/ter paragraphs are numbered into the sequence."""
    declaration, role = declaration_access(user=actor, declaration_id=declaration.pk, lock="update")
    require_ppt_or_secretariat(role, "issue revisions")
    declaration_require_drafting(declaration)
    if not declaration.revisions.exists():
        raise Conflict(_("There is no zero draft yet; the Secretariat issues it from a full text."))
    entries = _entries_from_working_text(declaration)
    if not entries:
        raise Conflict(_("Every paragraph has been deleted; there is no text to issue."))
    return _snapshot(actor=actor, declaration=declaration, entries=entries, label=label, note=note)
