"""Import jobs: upload (create), read (run, by a worker), confirm.

* ``import_job_create``: the Technical Secretariat of a meeting uploads a
  .docx or .txt; the job is stored ``queued`` and its id handed to
  ``dispatch`` after commit (on the embedded default the task runs at once,
  in-process).
* ``import_job_run``: the worker reads the file (``drafting.importing``) into
  a preview, checked against the rules every revision obeys, so that a
  preview shown as ready can be confirmed. Safe to run twice: a job that is
  ready, confirmed or failed is left as it is.
* ``import_job_correct``: the Secretariat corrects the preview (split and
  merge paragraphs, change a paragraph's kind or section, set the title
  lines, mark a note as not part of the text: ``drafting.importing.corrections``);
  the corrected preview is what confirmation creates.
* ``import_job_confirm``: the Secretariat turns the preview into a new
  declaration and its zero draft, or into the next revision of the target
  declaration, paragraph identities matched to the existing ones (exact text
  first, then the most similar text above ``SIMILARITY_THRESHOLD``, in
  order), so that diffs and re-fitting carry across the import. One
  transaction: on any error nothing is created; confirmed once only.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from difflib import SequenceMatcher
from functools import partial
from itertools import pairwise
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from drafting.access import not_found, require_read_within, require_secretariat, role_in
from drafting.errors import Conflict, DomainError, InvalidInput
from drafting.importing import ImportedParagraph, ImportResult, ImportWarning
from drafting.importing.align import AlignItem
from drafting.importing.bilingual import (
    heading_translations,
    items_from_result,
    pair_preview,
    result_sections_of,
    translations,
)
from drafting.importing.corrections import apply_corrections
from drafting.importing.isolated import ProcessLimits, read_isolated
from drafting.models import Declaration, EventVerb, ImportJob, Meeting, Paragraph, Revision, RevisionParagraph, Section
from drafting.services.declarations import declaration_create
from drafting.services.events import event_record
from drafting.services.jobs import job_claim, job_error_fields, job_fail, jobs_to_redispatch
from drafting.services.locks import declaration_lock, declaration_require_drafting, declaration_touch
from drafting.services.revisions import revision_issue
from drafting.states import State
from drafting.textnorm import clean_text

log = logging.getLogger(__name__)

Status = ImportJob.Status
# How alike (difflib ratio over words, 0–1) an imported paragraph must be to
# an existing one to keep its identity: a reworded paragraph stays itself, a
# new one on the same topic does not.
SIMILARITY_THRESHOLD = 0.6
# The next paragraph in order is taken without looking further when it is at
# least this similar (a few words changed): a better match elsewhere is then
# most unlikely, and comparing with every paragraph would be quadratic.
IN_ORDER_SIMILARITY = 0.9
# Reads interrupted (worker killed, time limit) this many times fail the job.
MAX_ATTEMPTS = 3


def max_import_bytes() -> int:
    return int(settings.CONSENSO_MAX_IMPORT_BYTES)


def _process_limits() -> ProcessLimits:
    return ProcessLimits(
        cpu_seconds=settings.CONSENSO_IMPORT_CPU_SECONDS,
        memory_bytes=settings.CONSENSO_IMPORT_MEMORY_MB * 1024 * 1024,
        wall_seconds=settings.CONSENSO_IMPORT_WALL_SECONDS,
    )


def _require_may_import(actor: User, meeting: Meeting) -> None:
    require_secretariat(role_in(actor, meeting), "import drafts")


def _require_may_handle(actor: User, job: ImportJob) -> None:
    """An import of a meeting the actor may not read is answered as an id
    that does not exist (drafting.access); a reader who is not its Secretariat
    is told why not."""
    role = role_in(actor, job.meeting)
    require_read_within(role, "import")
    require_secretariat(role, "import drafts")


@transaction.atomic
def import_job_create(
    *,
    actor: User,
    meeting: Meeting,
    content: bytes,
    filename: str,
    dispatch: Callable[[int], None],
    declaration: Declaration | None = None,
    title: str = "",
    kind: str = "",
    original_language: str = "",
    translation_content: bytes | None = None,
    translation_filename: str = "",
    translation_only: bool = False,
) -> ImportJob:
    """Store an upload to be read. ``translation_content``: the same
    declaration in the other working language, aligned with the upload
    paragraph by paragraph. ``translation_only``: the upload is the other
    language of ``declaration``'s current revision (added later)."""
    _require_may_import(actor, meeting)
    if translation_only:
        if declaration is None:
            raise InvalidInput(
                _("A translation is added to an existing declaration."),
                fields={"declaration": [_("Choose the declaration the file translates.")]},
            )
        if translation_content:
            raise InvalidInput(
                _("Adding a translation takes one file."), fields={"translation_file": [_("Leave empty.")]}
            )
        if not declaration.revisions.exists():
            raise Conflict(_("This declaration has no revision yet to translate; import its text first."))
    if declaration is not None:
        if declaration.meeting_id != meeting.pk:
            raise InvalidInput(
                _("The declaration belongs to another meeting."),
                fields={"declaration": [_("Choose a declaration of meeting %(meeting)s.") % {"meeting": meeting.pk}]},
            )
        declaration_require_drafting(declaration)
    if not content:
        raise InvalidInput(_("The file is empty."), fields={"file": [_("The file is empty.")]})
    limit = max_import_bytes()
    if len(content) > limit:
        message = _("The file is %(size)s bytes; at most %(limit)s bytes may be imported.") % {
            "size": f"{len(content):,}",
            "limit": f"{limit:,}",
        }
        raise InvalidInput(message, fields={"file": [message]})
    if title:
        title = clean_text(title, field="title", max_chars=500, multiline=False)
    if kind and kind not in Declaration.Kind.values:
        raise InvalidInput(
            _("Unknown kind."),
            fields={"kind": [_("Choose one of %(choices)s.") % {"choices": Declaration.Kind.values}]},
        )
    if original_language and original_language not in ("es", "en"):
        raise InvalidInput(_("Unknown language."), fields={"original_language": [_("es or en.")]})
    name = PurePath(filename.replace("\\", "/")).name[:255] or "upload"
    translation_name = ""
    if translation_content is not None:
        if not translation_content:
            raise InvalidInput(_("The translation's file is empty."), fields={"translation_file": [_("Empty file.")]})
        if len(translation_content) > limit:
            message = _("The translation's file is %(size)s bytes; at most %(limit)s bytes.") % {
                "size": f"{len(translation_content):,}",
                "limit": f"{limit:,}",
            }
            raise InvalidInput(message, fields={"translation_file": [message]})
        translation_name = PurePath(translation_filename.replace("\\", "/")).name[:255] or "translation"
    job = ImportJob.objects.create(
        meeting=meeting,
        declaration=declaration,
        filename=name,
        content=content,
        size=len(content),
        checksum=hashlib.sha256(content).hexdigest(),
        title=title,
        kind=kind,
        original_language=original_language,
        translation_content=translation_content or None,
        translation_filename=translation_name,
        translation_only=translation_only,
        requested_by=actor,
    )
    event_record(
        verb=EventVerb.IMPORT_REQUESTED,
        actor=actor,
        obj=job,
        meeting=meeting,
        declaration=declaration,
        after={"filename": name, "size": len(content)},
    )
    transaction.on_commit(partial(dispatch, job.pk))
    return job


def import_job_get(*, user: User, job_id: int) -> ImportJob:
    job = (
        ImportJob.objects.select_related("meeting", "declaration", "revision", "requested_by").filter(pk=job_id).first()
    )
    if job is None:
        raise not_found("import")
    _require_may_handle(user, job)
    return job


def _check(result: ImportResult) -> None:
    """Refuse a preview that could not be confirmed: the same rules as
    ``revision_issue`` (characters, lengths, counts), said per paragraph."""
    limit = settings.CONSENSO_MAX_PARAGRAPH_CHARS
    paragraphs = result.paragraphs()
    if len(paragraphs) > settings.CONSENSO_MAX_PARAGRAPHS_PER_REVISION:
        raise InvalidInput(
            _("The document has %(count)s paragraphs; a revision may hold at most %(max)s.")
            % {
                "count": len(paragraphs),
                "max": settings.CONSENSO_MAX_PARAGRAPHS_PER_REVISION,
            }
        )
    for section in result.sections:
        for n, p in enumerate(section.paragraphs, start=1):
            where = _("%(section)s paragraph %(number)s (“%(start)s”)") % {
                "section": section.heading or section.kind,
                "number": n,
                "start": p.text[:50],
            }
            try:
                if p.kind == "table":
                    for row in p.table or []:
                        for c in row:
                            clean_text(c, field="cell", max_chars=limit, allow_empty=True)
                else:
                    clean_text(p.text, field="text", max_chars=limit)
            except InvalidInput as exc:
                raise InvalidInput(_("%(where)s: %(message)s") % {"where": where, "message": exc.message}) from exc


def _claim(job_id: int) -> bool:
    # RUNNING too: a worker killed mid-read leaves the job running, and
    # reading is free of side effects, so the redelivered task reads again;
    # but a file that kills the worker every time is given up.
    claimed = job_claim(
        model=ImportJob,
        job_id=job_id,
        max_attempts=MAX_ATTEMPTS,
        gave_up=gettext_noop("Reading this file was interrupted %(attempts)s times; save it again and upload it anew."),
        skip_locked=False,
    )
    return claimed is not None


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Read the upload into a preview (the worker's part). Returns the job,
    or None when there was nothing to do (already read, confirmed, failed,
    or gone)."""
    if not _claim(job_id):
        return None
    job = ImportJob.objects.get(pk=job_id)
    error = ""
    error_i18n: dict[str, Any] | None = None
    result: ImportResult | None = None
    translation: ImportResult | None = None
    try:
        # In a child process with CPU-time and memory limits: whatever the
        # file makes the reader do, this worker goes on and the job fails once.
        result = _read(job_id, bytes(job.content), job.filename)
        if job.translation_content:
            try:
                translation = _read(job_id, bytes(job.translation_content), job.translation_filename)
            except DomainError as exc:
                raise InvalidInput(
                    _("The translation “%(filename)s”: %(message)s")
                    % {"filename": job.translation_filename, "message": exc.message}
                ) from exc
    except DomainError as exc:
        # In English (the worker's language) and, where the refusal is a msgid, in each reader's
        error, error_i18n = job_error_fields(exc.msgid, exc.params) if exc.msgid else (exc.message, None)
        result = None
    preview: dict[str, Any] | None = None
    pairing: list[ImportWarning] = []
    if result is not None and not error:
        preview = result.to_json()
        if job.translation_only:
            pairing = _pair_with_revision(job, result, preview)
        elif job.declaration_id is not None:  # matched here, in the worker, before the job's lock is taken
            _preview_matches(job.declaration_id, result, preview)
        if translation is not None:
            pairing = _pair_files(job, result, translation, preview)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status != Status.RUNNING:  # another delivery finished it meanwhile
            return job
        job.finished_at = timezone.now()
        if result is None or preview is None:
            job.status, job.error, job.error_i18n, job.preview = Status.FAILED, error, error_i18n, None
        else:
            job.status, job.error, job.error_i18n, job.preview = Status.READY, "", None, preview
            job.warnings = [
                {"code": w.code, "message": w.message, "where": w.where} for w in [*result.warnings, *pairing]
            ]
        job.save(update_fields=["status", "error", "error_i18n", "preview", "warnings", "finished_at"])
        event_record(
            verb=EventVerb.IMPORT_READY if job.status == Status.READY else EventVerb.IMPORT_FAILED,
            actor=None,
            obj=job,
            meeting=job.meeting,
            declaration=job.declaration,
            after={"status": job.status, "error": job.error} if error else {"status": job.status},
        )
        return job


def _read(job_id: int, content: bytes, filename: str) -> ImportResult:
    """One upload read in a child process and checked; a DomainError says what is wrong with it."""
    try:
        result = read_isolated(content, filename=filename, max_bytes=max_import_bytes(), limits=_process_limits())
    except DomainError:
        raise
    except Exception as exc:  # the parser met something unforeseen: the file is what it cannot read
        log.exception("import %s: reading %s failed", job_id, filename)
        raise InvalidInput(
            _("This file could not be read (%(error)s). Save it again as .docx and retry.")
            % {"error": type(exc).__name__}
        ) from exc
    _check(result)
    return result


# -- the other language (issue 15) ------------------------------------------------


def _other_language(language: str) -> str:
    return "en" if language == "es" else "es"


def _pair_files(
    job: ImportJob, result: ImportResult, translation: ImportResult, preview: dict[str, Any]
) -> list[ImportWarning]:
    """Both files uploaded together: align the translation with the upload."""
    original = job.original_language or result.language or "es"
    if job.declaration_id is not None:
        original = Declaration.objects.values_list("original_language", flat=True).get(pk=job.declaration_id)
    _, warnings = _align(items_from_result(result), translation, original, job.translation_filename, preview)
    return warnings


def _align(
    items: Sequence[AlignItem], translation: ImportResult, original: str, filename: str, preview: dict[str, Any]
) -> tuple[dict[str, Any], list[ImportWarning]]:
    """Pair ``translation`` (in the other language) with the original's
    paragraphs; the pairing goes into the preview as its ``translation``."""
    part, warnings = pair_preview(
        items, translation, language=_other_language(original), filename=filename, original_language=original
    )
    preview["translation"] = part
    return part, warnings


def _revision_rows(revision_id: int) -> list[RevisionParagraph]:
    return list(
        RevisionParagraph.objects.filter(revision_id=revision_id).select_related("section").order_by("position")
    )


def _pair_with_revision(job: ImportJob, result: ImportResult, preview: dict[str, Any]) -> list[ImportWarning]:
    """The upload is the other language of the declaration's current revision:
    align it with that revision's paragraphs."""
    assert job.declaration_id is not None
    declaration = Declaration.objects.get(pk=job.declaration_id)
    revision_id = _latest_revision_id(declaration.pk)
    assert revision_id is not None  # import_job_create refused a declaration without one
    rows = _revision_rows(revision_id)
    items = [AlignItem(r.section.position, r.section.kind, r.kind, r.text) for r in rows]
    part, warnings = _align(items, result, declaration.original_language, job.filename, preview)
    part["revision"] = revision_id
    part["paragraphs"] = [r.paragraph_id for r in rows]
    return warnings


def _repair(job: ImportJob, corrected: ImportResult, preview: dict[str, Any]) -> None:
    """After corrections: align again (the paragraphs on one side changed)."""
    if job.translation_only:
        _pair_with_revision(job, corrected, preview)
    elif job.preview and job.preview.get("translation"):
        _pair_files(job, corrected, ImportResult.from_json(job.preview["translation"]["result"]), preview)


def _store_translations(
    declaration: Declaration, rows: Sequence[RevisionParagraph], translated: dict[int, ImportedParagraph]
) -> int:
    """Store each translated paragraph as its revision paragraph's translation
    (current: the text it was aligned with) and, where the working text still
    holds that wording, as the paragraph's current translation; where the
    working text has moved on since, the translation is stale from the
    start. Returns how many paragraphs got one."""
    paragraphs = {p.pk: p for p in Paragraph.objects.filter(pk__in=[r.paragraph_id for r in rows])}
    changed_rows: list[RevisionParagraph] = []
    changed_paragraphs: list[Paragraph] = []
    for index, row in enumerate(rows):
        other = translated.get(index)
        if other is None:
            continue
        if other.kind == "table" and row.kind == "table":
            table: list[list[str]] | None = [list(r) for r in other.table or []]
            text, emphasis = "\n".join("\t".join(r) for r in table or []), []
        else:
            table, text, emphasis = None, other.text, [dict(e) for e in other.emphasis]
        row.translation_text, row.translation_emphasis, row.translation_table = text, emphasis, table
        row.translation_status = "current"
        changed_rows.append(row)
        paragraph = paragraphs[row.paragraph_id]
        paragraph.translation_text, paragraph.translation_emphasis = text, emphasis
        paragraph.translation_table = table
        same = paragraph.text == row.text and paragraph.table == row.table
        # 0 is never a text_version (they start at 1): "translated from an earlier wording", i.e. stale
        paragraph.translation_of = paragraph.text_version if same else 0
        changed_paragraphs.append(paragraph)
    RevisionParagraph.objects.bulk_update(
        changed_rows, ["translation_text", "translation_emphasis", "translation_table", "translation_status"]
    )
    Paragraph.objects.bulk_update(
        changed_paragraphs, ["translation_text", "translation_emphasis", "translation_table", "translation_of"]
    )
    return len(changed_rows)


def _store_heading_translations(
    declaration: Declaration, rows: Sequence[RevisionParagraph], part: dict[str, Any]
) -> None:
    """The revision's section headings in the other language (issue 15), from
    the sections of the translated file, and the working text's under the same
    headings."""
    sections = {r.section_id: r.section for r in rows}
    changed: list[Section] = []
    for section_id, heading in heading_translations([r.section_id for r in rows], part).items():
        section = sections[section_id]
        if section.heading and heading and section.heading_translation != heading:
            section.heading_translation = heading
            changed.append(section)
    Section.objects.bulk_update(changed, ["heading_translation"])
    for section in changed:
        Paragraph.objects.filter(
            declaration=declaration, section_kind=section.kind, section_heading=section.heading
        ).update(section_heading_translation=section.heading_translation)


def import_job_fail(*, job_id: int, message: str, params: Mapping[str, object] | None = None) -> None:
    """Give a job up (the task calls this when it ran out of time), unless it
    finished meanwhile. With ``params``, ``message`` is a msgid (shown in each
    reader's language)."""
    job_fail(model=ImportJob, job_id=job_id, message=message, params=params)


def import_jobs_to_redispatch() -> list[int]:
    """Jobs the broker may have lost: queued for longer than the redispatch
    delay (the broker was down when they were made), or running for longer
    than a read may take (its worker died with the message). Reading is free
    of side effects and ``import_job_run`` is safe twice, so handing one over
    again is harmless."""
    wait = timedelta(seconds=settings.CONSENSO_IMPORT_REDISPATCH_SECONDS)
    queued = ImportJob.objects.filter(status=Status.QUEUED, created_at__lt=timezone.now() - wait)
    # The read runs outside the job's lock (see import_job_run): a running
    # job is lost once it has run longer than the hard time limit.
    return jobs_to_redispatch(
        queued=queued, running=ImportJob.objects.filter(status=Status.RUNNING), run_holds_lock=False
    )


# -- identities -----------------------------------------------------------------
#
# Bounded: every imported paragraph is compared (difflib, quadratic in words)
# with at most MAX_CANDIDATES existing ones, chosen by an inverted index of
# word pairs ("shingles") and a length bound, never with all of them. A
# paragraph that shares no word pair with an existing one is new: rewording
# that keeps no two words together is not the same paragraph.

# Per imported paragraph, at most this many index entries are looked at,
# rarest word pairs first: a pair found in most paragraphs ("of the") tells
# little and would make the lookup quadratic.
MAX_POSTINGS = 2_000
MAX_CANDIDATES = 8


def _shingles(words: Sequence[str]) -> set[tuple[str, ...]]:
    if len(words) < 2:
        return {tuple(words)} if words else set()
    return {(a.lower(), b.lower()) for a, b in pairwise(words)}


def _length_allows(a: int, b: int) -> bool:
    """difflib's real_quick_ratio: no ratio can exceed 2·min/(a+b)."""
    return a + b > 0 and 2 * min(a, b) / (a + b) >= SIMILARITY_THRESHOLD


@dataclass
class _Existing:
    id: int
    kind: str
    text: str
    words: list[str]
    matcher: SequenceMatcher[str] | None = None

    def similarity(self, words: list[str]) -> float:
        """difflib's ratio over words, with its cheap upper bounds first. The
        matcher keeps this paragraph as its second sequence, whose index
        difflib builds once, not once per comparison."""
        if not _length_allows(len(words), len(self.words)):
            return 0.0
        if self.matcher is None:
            self.matcher = SequenceMatcher(None, autojunk=False)
            self.matcher.set_seq2(self.words)
        self.matcher.set_seq1(words)
        if self.matcher.quick_ratio() < SIMILARITY_THRESHOLD:
            return 0.0
        return self.matcher.ratio()


def _existing(declaration_id: int) -> list[_Existing]:
    rows = (
        Paragraph.objects.filter(declaration_id=declaration_id)
        .exclude(state=State.DELETED)
        .order_by("position", "id")
        .values_list("pk", "kind", "text")
    )
    return [_Existing(pk, kind, text, text.split()) for pk, kind, text in rows]


class _Index:
    """Existing paragraphs by the word pairs they hold."""

    def __init__(self, existing: Sequence[_Existing]) -> None:
        self.postings: dict[tuple[str, ...], list[int]] = {}
        for i, e in enumerate(existing):
            for shingle in _shingles(e.words):
                self.postings.setdefault(shingle, []).append(i)
        self.existing = existing

    def candidates(self, words: list[str], usable: Callable[[_Existing], bool], near: int) -> list[_Existing]:
        """At most MAX_CANDIDATES usable paragraphs sharing the most word pairs
        with ``words`` (ties: the closest to position ``near``) and long
        enough to reach the threshold."""
        lists = sorted((self.postings[s] for s in _shingles(words) if s in self.postings), key=len)
        shared: dict[int, int] = {}
        budget = MAX_POSTINGS
        for posting in lists:
            if len(posting) > budget:
                break
            budget -= len(posting)
            for i in posting:
                shared[i] = shared.get(i, 0) + 1
        ranked = sorted(shared.items(), key=lambda item: (-item[1], abs(item[0] - near)))
        out: list[_Existing] = []
        for i, _score in ranked:
            e = self.existing[i]
            if usable(e) and _length_allows(len(words), len(e.words)):
                out.append(e)
                if len(out) == MAX_CANDIDATES:
                    break
        return out


def match_identities(existing: Sequence[_Existing], imported: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Give each imported paragraph (``revision_issue`` dicts, in order) the
    ``paragraph`` id of the existing paragraph it is: the same text first,
    then, for those left, in order, the next existing paragraph if nearly the
    same, else the most similar of a few candidates (see above) at or above
    the threshold. Returns how many matched each way."""
    used: set[int] = set()
    by_text: dict[str, list[_Existing]] = {}
    for e in existing:
        by_text.setdefault(e.text, []).append(e)

    def text_of(p: dict[str, Any]) -> str:
        if p.get("kind") == "table":
            return "\n".join("\t".join(row) for row in p.get("table") or [])
        return str(p.get("text", ""))

    exact = similar = 0
    for p in imported:
        p.pop("paragraph", None)
        candidates = [e for e in by_text.get(text_of(p), []) if e.id not in used]
        if candidates:
            p["paragraph"] = candidates[0].id
            used.add(candidates[0].id)
            exact += 1
    position = {e.id: i for i, e in enumerate(existing)}
    index = _Index(existing)
    previous: int | None = None  # where the paragraph before this one was found
    for p in imported:
        if "paragraph" in p:
            previous = position[p["paragraph"]]
            continue
        words = text_of(p).split()
        table = p.get("kind") == "table"

        def free(e: _Existing, table: bool = table) -> bool:
            return e.id not in used and (e.kind == "table") == table

        # In order first: the next free paragraph after the previous match,
        # when it is nearly the same, is this one (the usual case).
        following = (e for e in existing[(previous + 1 if previous is not None else 0) :] if free(e))
        successor = next(following, None)
        best: tuple[float, _Existing] | None = None
        if successor is not None and successor.similarity(words) >= IN_ORDER_SIMILARITY:
            best = (1.0, successor)
        else:
            for e in index.candidates(words, free, near=previous + 1 if previous is not None else 0):
                ratio = e.similarity(words)
                if ratio >= SIMILARITY_THRESHOLD and (best is None or ratio > best[0]):
                    best = (ratio, e)
        if best is not None:
            p["paragraph"] = best[1].id
            used.add(best[1].id)
            previous = position[best[1].id]
            similar += 1
    return {
        "exact": exact,
        "similar": similar,
        "new": len(imported) - exact - similar,
        "dropped": len(existing) - len(used),
    }


def _latest_revision_id(declaration_id: int) -> int | None:
    latest = Revision.objects.filter(declaration_id=declaration_id).order_by("-number")
    return latest.values_list("pk", flat=True).first()


def _preview_matches(declaration_id: int, result: ImportResult, preview: dict[str, Any]) -> None:
    """Show in the preview which existing paragraph each imported one will
    continue (``paragraph``: its id, or None for a new one), and the counts.
    Computed here, in the worker; confirmation applies it as it stands, for
    the revision it was matched against (``matched_revision``)."""
    preview["matched_revision"] = _latest_revision_id(declaration_id)
    paragraphs = [p for s in result.sections_input() for p in s["paragraphs"]]
    preview["identities"] = match_identities(_existing(declaration_id), paragraphs)
    shown = [p for s in preview["sections"] for p in s["paragraphs"]]
    for matched, entry in zip(paragraphs, shown, strict=True):
        entry["paragraph"] = matched.get("paragraph")


# -- corrections ------------------------------------------------------------------


@transaction.atomic
def import_job_correct(*, actor: User, job_id: int, operations: Sequence[dict[str, Any]]) -> ImportJob:
    """Apply the Secretariat's corrections to a ready preview, all or none
    (``drafting.importing.corrections``). The corrected preview is checked by
    the rules confirmation applies, so what is shown can be confirmed; the
    corrections are kept in the preview, in order, for the record."""
    job = ImportJob.objects.select_for_update().select_related("meeting").filter(pk=job_id).first()
    if job is None:
        raise not_found("import")
    _require_may_handle(actor, job)
    if job.status != Status.READY or job.preview is None:
        raise Conflict(
            _("The import is %(status)s; only a ready preview is corrected.")
            % {"status": pgettext("import status", job.get_status_display().lower())}
        )
    corrected = apply_corrections(ImportResult.from_json(job.preview), operations)
    if not corrected.paragraphs():
        raise InvalidInput(
            _("The corrections leave no paragraph to import."), fields={"operations": [_("Nothing left.")]}
        )
    _check(corrected)
    preview = corrected.to_json()
    preview["corrections"] = [*job.preview.get("corrections", []), *(dict(op) for op in operations)]
    if job.declaration_id is not None and not job.translation_only:
        _preview_matches(job.declaration_id, corrected, preview)
    _repair(job, corrected, preview)
    job.preview = preview
    job.save(update_fields=["preview"])
    event_record(
        verb=EventVerb.IMPORT_CORRECTED,
        actor=actor,
        obj=job,
        meeting=job.meeting,
        declaration=job.declaration,
        after={"operations": len(operations), "paragraphs": len(corrected.paragraphs())},
    )
    return job


def _stored_mapping(preview: dict[str, Any], sections: list[dict[str, Any]]) -> dict[str, int]:
    """Put the preview's matched identities on the sections to issue."""
    stored = [p.get("paragraph") for s in preview["sections"] for p in s["paragraphs"]]
    paragraphs = [p for s in sections for p in s["paragraphs"]]
    for p, paragraph_id in zip(paragraphs, stored, strict=True):
        if paragraph_id is not None:
            p["paragraph"] = paragraph_id
    return dict(preview.get("identities") or {})


# -- confirmation -----------------------------------------------------------------


def _guess_kind(title: str) -> str:
    lowered = title.lower()
    if "extraordinary declaration" in lowered or "declaración extraordinaria" in lowered:
        return Declaration.Kind.EXTRAORDINARY
    if "conclusions and recommendations" in lowered or "conclusiones y recomendaciones" in lowered:
        return Declaration.Kind.CONCLUSIONS
    return Declaration.Kind.DECLARATION


@transaction.atomic
def import_job_confirm(*, actor: User, job_id: int, note: str = "") -> ImportJob:
    """Create the declaration and its zero draft (or the target's next
    revision) from the preview. All or nothing; once only."""
    job = ImportJob.objects.select_for_update().select_related("meeting").filter(pk=job_id).first()
    if job is None:
        raise not_found("import")
    _require_may_handle(actor, job)
    if job.status == Status.CONFIRMED:
        raise Conflict(
            _("This import was already confirmed (revision %(revision_id)s).") % {"revision_id": job.revision_id},
            extra={"revision": job.revision_id},
        )
    if job.status != Status.READY or job.preview is None:
        detail = f": {job.error}" if job.error else ""
        raise Conflict(
            _("The import is %(status)s%(detail)s; only a ready preview is confirmed.")
            % {"status": pgettext("import status", job.get_status_display().lower()), "detail": detail}
        )
    if job.translation_only:
        return _confirm_translation(actor, job)
    result = ImportResult.from_json(job.preview)
    sections: list[Any] = result.sections_input()
    part = job.preview.get("translation")
    if part:  # each heading in the other language too, from the section its paragraphs' translations are in
        for index, heading in heading_translations(result_sections_of(result), part).items():
            if sections[index]["heading"] and heading:
                sections[index]["heading_translation"] = heading
    note = note or f"Imported from {job.filename}."
    revision: Revision
    if job.declaration_id is not None:
        declaration = Declaration.objects.get(pk=job.declaration_id)
        if "matched_revision" not in job.preview or job.preview["matched_revision"] != _latest_revision_id(
            declaration.pk
        ):
            raise Conflict(
                _(
                    "The declaration has a new revision since this file was read, so the paragraphs it "
                    "continues may have changed; upload the file again."
                )
            )
        counts = _stored_mapping(job.preview, sections)
        revision = revision_issue(actor=actor, declaration=declaration, sections=sections, note=note)
    else:
        title = job.title or result.title or PurePath(job.filename).stem
        declaration = declaration_create(
            actor=actor,
            meeting=job.meeting,
            title=" ".join(title.split())[:500],
            kind=job.kind or _guess_kind(title),
            original_language=job.original_language or result.language or "es",
        )
        counts = {"new": sum(len(s["paragraphs"]) for s in sections)}
        revision = revision_issue(actor=actor, declaration=declaration, sections=sections, note=note)
    if part:
        counts["translated"] = _store_translations(declaration, _revision_rows(revision.pk), translations(part))
    return _confirmed(actor, job, declaration, revision, counts)


def _confirmed(
    actor: User, job: ImportJob, declaration: Declaration, revision: Revision, after: dict[str, Any]
) -> ImportJob:
    """The job is confirmed as ``revision``, on the record with ``after``."""
    job.status = Status.CONFIRMED
    job.revision = revision
    job.confirmed_by = actor
    job.confirmed_at = timezone.now()
    job.save(update_fields=["status", "revision", "confirmed_by", "confirmed_at"])
    event_record(
        verb=EventVerb.IMPORT_CONFIRMED,
        actor=actor,
        obj=job,
        declaration=declaration,
        after={"revision": revision.pk, "label": revision.label, "filename": job.filename, **after},
    )
    return job


def _confirm_translation(actor: User, job: ImportJob) -> ImportJob:
    """Store the upload as the other language of the revision it was aligned
    with; no revision is issued. Refused when a revision was issued since."""
    assert job.preview is not None and job.declaration_id is not None
    part = job.preview.get("translation") or {}
    declaration = declaration_lock(job.declaration_id)
    declaration_require_drafting(declaration)
    revision_id = _latest_revision_id(declaration.pk)
    if revision_id is None or part.get("revision") != revision_id:
        raise Conflict(
            _(
                "The declaration has a new revision since this file was read; upload the translation "
                "again so that it is aligned with the current text."
            )
        )
    rows = _revision_rows(revision_id)
    if [r.paragraph_id for r in rows] != part.get("paragraphs"):  # pragma: no cover - revisions are immutable
        raise Conflict(_("The revision's paragraphs changed since this file was read; upload it again."))
    translated = _store_translations(declaration, rows, translations(part))
    _store_heading_translations(declaration, rows, part)
    declaration_touch(declaration)
    after = {
        "translation": part.get("language", ""),
        "translated": translated,
        "unpaired": part.get("counts", {}).get("unpaired_original", 0),
    }
    return _confirmed(actor, job, declaration, Revision.objects.get(pk=revision_id), after)
