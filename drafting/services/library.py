"""Writing the library of agreed language: the 2017 compilation imported,
adopted declarations filed automatically, the Secretariat's edits, and
proposals built from a statement.

Every write here also keeps the search index in step (``_index``): on SQLite
the FTS5 row of the statement; on PostgreSQL the generated columns do it.
Near-duplicates are grouped when a statement arrives (``_group``): the same
wording filed under several themes, or re-adopted, points at the first one.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from drafting.access import require_library_editor
from drafting.errors import Conflict, InvalidInput, NotFound
from drafting.library import analysis
from drafting.library.citation import agreed_language, citation
from drafting.library.seed004 import SeedError, read_seed004
from drafting.models import Adoption, AgreedStatement, Declaration, EventVerb, Proposal, RevisionParagraph
from drafting.selectors.library import library_near
from drafting.services.events import event_record
from drafting.services.proposals import proposal_submit
from drafting.textnorm import clean_text

# Two texts sharing this much of their wording are one statement filed twice.
NEAR_DUPLICATE = 0.9
MAX_TAGS = 20
MAX_TAG_CHARS = 60
_OPERATIVE = re.compile(r"^OP\s*(\d+.*)$")


def _index(statement: AgreedStatement) -> None:
    if connection.vendor != "sqlite":
        return  # PostgreSQL: generated tsvector columns follow the texts
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT OR REPLACE INTO drafting_agreedstatement_fts (rowid, es, en) VALUES (%s, %s, %s)",
            [
                statement.pk,
                analysis.index_text(statement.text_es, "es"),
                analysis.index_text(statement.text_en, "en"),
            ],
        )


def _group(statement: AgreedStatement) -> None:
    """Point ``statement`` at the group of wordings it nearly repeats."""
    text = f"{statement.text_es} {statement.text_en}"
    near = library_near(text=text, threshold=NEAR_DUPLICATE, exclude=[statement.pk])
    if not near:
        return
    leader = AgreedStatement.objects.filter(pk=near[0][0]).values_list("pk", "duplicate_of_id").first()
    if leader is None:
        return
    group = leader[1] or leader[0]
    if group != statement.pk:
        AgreedStatement.objects.filter(pk=statement.pk).update(duplicate_of_id=group)
        statement.duplicate_of_id = group


def _create(**values: Any) -> AgreedStatement:
    statement = AgreedStatement.objects.create(**values)
    _index(statement)
    _group(statement)
    return statement


# --- the 2017 compilation (seed 004) ---------------------------------------------
@dataclass
class SeedImport:
    created: int = 0
    existing: int = 0
    by_theme: Counter[str] = field(default_factory=Counter)
    by_category: Counter[str] = field(default_factory=Counter)
    groups: int = 0


@transaction.atomic
def library_import_seed004(*, text: str) -> SeedImport:
    """Import the compilation; idempotent (a statement already imported, by
    theme and position, is left as the Secretariat may have edited it). All
    or nothing: a text that cannot be read whole changes nothing."""
    try:
        statements = read_seed004(text)
    except SeedError as exc:
        raise InvalidInput(_("Not the 2017 compilation of RCM statements: %(exc)s") % {"exc": exc}) from exc
    report = SeedImport()
    for seed in statements:
        key = f"seed004:{seed.theme}:{seed.ordinal}"
        existing = AgreedStatement.objects.filter(import_key=key).first()
        if existing is not None:
            report.existing += 1
            statement = existing
        else:
            statement = _create(
                text_en=seed.text,
                original_language="en",
                theme=seed.theme,
                subtheme=seed.subtheme,
                related_themes=seed.related_themes,
                meeting_label=seed.meeting,
                year=seed.year,
                declaration_title="",
                origin=AgreedStatement.Origin.SEED,
                import_key=key,
            )
            report.created += 1
        report.by_theme[statement.theme] += 1
        report.by_category[statement.category] += 1
    report.groups = AgreedStatement.objects.filter(
        origin=AgreedStatement.Origin.SEED, duplicate_of__isnull=True
    ).count()
    return report


# --- adopted declarations ----------------------------------------------------------
def _paragraph_label(label: str, heading: str) -> str:
    """OP12 under a DECISIONS (DECISIONES) heading is cited as Decision 12."""
    matched = _OPERATIVE.match(label)
    if matched and heading.strip().upper().startswith("DECISI"):
        return f"Decision {matched.group(1)}"
    return label


def library_feed_adopted(*, adoption: Adoption) -> list[AgreedStatement]:
    """File the operative paragraphs of an adopted text in the library, with
    their source. Called by the adoption service inside its transaction, so
    the text is adopted and filed together (or neither). Idempotent."""
    declaration = adoption.declaration
    meeting = declaration.meeting
    language = declaration.original_language
    created = []
    rows = (
        RevisionParagraph.objects.filter(revision_id=adoption.revision_id, kind=RevisionParagraph.Kind.OPERATIVE)
        .select_related("section")
        .order_by("position")
    )
    for row in rows:
        key = f"paragraph:{row.paragraph_id}"
        if not row.text.strip() or AgreedStatement.objects.filter(import_key=key).exists():
            continue
        created.append(
            _create(
                text_es=row.text if language == "es" else "",
                text_en=row.text if language != "es" else "",
                original_language=language,
                meeting_label=meeting.title[:120],
                year=meeting.start_date.year,
                declaration_title=declaration.title[:500],
                paragraph_label=_paragraph_label(row.label, row.section.heading),
                meeting=meeting,
                declaration=declaration,
                paragraph_id=row.paragraph_id,
                origin=AgreedStatement.Origin.ADOPTED,
                import_key=key,
            )
        )
    if created:
        event_record(
            verb=EventVerb.LIBRARY_FILED,
            actor=None,
            obj=adoption,
            declaration=declaration,
            after={"statements": [s.pk for s in created], "revision": adoption.revision_id},
        )
    return created


# --- the Secretariat's edits ---------------------------------------------------------
EDITABLE = (
    "text_es",
    "text_en",
    "theme",
    "subtheme",
    "related_themes",
    "category",
    "tags",
    "meeting_label",
    "year",
    "declaration_title",
    "paragraph_label",
    "still_valid",
    "superseded_by",
    "validity_note",
)


_SHORT = {"subtheme": 300, "meeting_label": 120, "declaration_title": 500, "paragraph_label": 40}


def _check(statement: AgreedStatement, changes: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        if name in ("text_es", "text_en"):
            value = clean_text(value, field=name, max_chars=settings.CONSENSO_MAX_PARAGRAPH_CHARS, allow_empty=True)
        elif name in _SHORT:
            value = clean_text(value, field=name, max_chars=_SHORT[name], allow_empty=True, multiline=False)
            if name == "meeting_label" and not value:
                fields[name] = [_("Name the meeting, e.g. XXI RCM.")]
        elif name == "validity_note":
            value = clean_text(value, field=name, max_chars=settings.CONSENSO_MAX_NOTE_CHARS, allow_empty=True)
        elif name in ("tags", "related_themes"):
            value = [clean_text(v, field=name, max_chars=MAX_TAG_CHARS, multiline=False) for v in value]
            if len(value) > MAX_TAGS:
                fields[name] = [_("At most %(max)s.") % {"max": MAX_TAGS}]
            if name == "related_themes" and any(v not in AgreedStatement.Theme.values for v in value):
                fields[name] = [_("Themes are among %(themes)s.") % {"themes": AgreedStatement.Theme.values}]
            value = list(dict.fromkeys(value))
        clean[name] = value
    text_es = clean.get("text_es", statement.text_es)
    text_en = clean.get("text_en", statement.text_en)
    if not text_es and not text_en:
        fields["text_es"] = [_("A statement needs its text in Spanish or in English.")]
    superseded_by = clean.get("superseded_by", statement.superseded_by_id)
    if superseded_by is not None:
        if superseded_by == statement.pk:
            fields["superseded_by"] = [_("A statement cannot supersede itself.")]
        elif not AgreedStatement.objects.filter(pk=superseded_by).exists():
            fields["superseded_by"] = [_("There is no statement %(statement)s.") % {"statement": superseded_by}]
        elif clean.get("still_valid") is True:
            fields["still_valid"] = [_("A superseded statement is no longer valid.")]
        clean["still_valid"] = False
    if fields:
        raise InvalidInput(
            _("The statement cannot be saved: %(fields)s") % {"fields": "; ".join(sorted(fields))}, fields=fields
        )
    if "superseded_by" in clean:
        clean["superseded_by_id"] = clean.pop("superseded_by")
    return clean


@transaction.atomic
def library_statement_update(
    *, actor: User, statement_id: int, changes: dict[str, Any], version: int | None = None
) -> AgreedStatement:
    """The Secretariat corrects or completes a statement's metadata (or adds
    its translation). Send the ``version`` you edited: if someone saved in
    between, 409 rather than a lost update."""
    require_library_editor(actor, "edit the library of agreed language")
    statement = AgreedStatement.objects.select_for_update().filter(pk=statement_id).first()
    if statement is None:
        raise NotFound(
            _("There is no agreed statement %(statement_id)s in the library.") % {"statement_id": statement_id}
        )
    if version is not None and version != statement.version:
        raise Conflict(
            _("Statement %(statement_id)s changed since you read it (version %(version)s, now %(current)s).")
            % {"statement_id": statement_id, "version": version, "current": statement.version},
            extra={"current_version": statement.version},
        )
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InvalidInput(
            _("Not editable: %(fields)s.") % {"fields": ", ".join(unknown)},
            fields={k: [_("Not editable.")] for k in unknown},
        )
    clean = _check(statement, changes)
    before = {k: getattr(statement, k) for k in clean}
    for name, value in clean.items():
        setattr(statement, name, value)
    statement.version = F("version") + 1
    statement.save()
    statement.refresh_from_db()
    if "text_es" in clean or "text_en" in clean:
        _index(statement)
    event_record(verb=EventVerb.LIBRARY_STATEMENT_EDITED, actor=actor, obj=statement, before=before, after=clean)
    return statement


# --- reuse ---------------------------------------------------------------------------
@transaction.atomic
def library_proposal_submit(
    *,
    actor: User,
    statement_id: int,
    declaration: Declaration,
    revision_id: int,
    paragraph_id: int,
    kind: str,
    text: str = "",
    rationale: str = "",
) -> Proposal:
    """A delegation proposes agreed language: the statement's wording (in the
    declaration's language where the library has it), or its own adaptation
    of it, through the ordinary proposal service; the proposal keeps a link to
    its source, and the record says which agreed language it cites."""
    statement = AgreedStatement.objects.filter(pk=statement_id).first()
    if statement is None:
        raise InvalidInput(
            _("There is no agreed statement %(statement_id)s in the library.") % {"statement_id": statement_id},
            fields={"statement": [_("No such statement.")]},
        )
    if kind == Proposal.Kind.DELETE:
        raise InvalidInput(
            _("Agreed language replaces, adds or offers an alternative wording; a deletion has no wording."),
            fields={"kind": [_("Choose replace, insert_after or alternative.")]},
        )
    own, other = (
        (statement.text_es, statement.text_en)
        if declaration.original_language == "es"
        else (statement.text_en, statement.text_es)
    )
    proposal = proposal_submit(
        actor=actor,
        declaration=declaration,
        revision_id=revision_id,
        paragraph_id=paragraph_id,
        kind=kind,
        text=text or own or other,
        rationale=rationale,
    )
    Proposal.objects.filter(pk=proposal.pk).update(source_statement=statement)
    proposal.source_statement = statement
    cited = citation(meeting=statement.meeting_label, year=statement.year, paragraph=statement.paragraph_label)
    event_record(
        verb=EventVerb.PROPOSAL_CITES_AGREED_LANGUAGE,
        actor=actor,
        obj=proposal,
        declaration=proposal.declaration,
        paragraph=proposal.paragraph_id,
        proposal=proposal,
        after={"statement": statement.pk, "agreed_language": agreed_language(cited)},
    )
    return proposal
