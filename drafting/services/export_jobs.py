"""Export jobs: request, run (by a worker) and sweep.

The job row is the source of truth; the broker only carries its id. So:

* ``export_job_request`` stores the job and hands its id to ``dispatch``
  after commit. If the broker is down, ``dispatch`` fails, the job stays
  ``queued`` and ``export_jobs_to_redispatch`` finds it later.
* ``export_job_run`` is what the task calls. Delivered twice, late, to two
  workers at once or after a worker was killed mid-render, it renders a job
  at most once at a time and finishes it exactly once: the rendering holds a
  row lock, which a killed worker's connection gives up with it.

Requests for an export are not negotiation acts, so they are not written to
the negotiation record (which is itself one of the documents exported).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from drafting.access import Role, require_read, role_in
from drafting.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound
from drafting.models import Adoption, Declaration, Event, ExportJob, Revision
from drafting.services.jobs import job_claim, job_fail, job_mark_failed, jobs_to_redispatch

log = logging.getLogger(__name__)

Kind = ExportJob.Kind
Format = ExportJob.Format
Status = ExportJob.Status

# A render interrupted this many times (worker killed, hard time limit) is
# given up with a message rather than retried for ever.
MAX_ATTEMPTS = 3

MIME = {
    Format.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    Format.PDF: "application/pdf",
}
KIND_NAMES = {
    Kind.CLEAN: "declaration",
    Kind.COMPILATION: "compilation text",
    Kind.TRACKED: "tracked changes",
    Kind.RECORD: "negotiation record",
}


@dataclass(frozen=True)
class Rendered:
    """What a renderer hands back to ``export_job_run``."""

    content: bytes
    filename: str


class RenderFailed(DomainError):
    """A rendering failed in a way the user can act on (the message says how)."""

    code = "render_failed"


def _revision_of(declaration: Declaration, revision_id: int | None, field: str) -> Revision | None:
    if revision_id is None:
        return None
    revision = Revision.objects.filter(pk=revision_id).first()
    if revision is None:
        raise NotFound(f"Revision {revision_id} does not exist.")
    if revision.declaration_id != declaration.pk:
        raise InvalidInput(
            f"Revision {revision_id} is not a revision of this declaration.",
            fields={field: [f"Choose a revision of declaration {declaration.pk}."]},
        )
    return revision


@dataclass(frozen=True)
class ExportTarget:
    revision: Revision | None
    base_revision: Revision | None
    fingerprint: str
    secretariat_only: bool
    language: str = ""


LANGUAGES = ("es", "en", "both")


def export_language(*, declaration: Declaration, language: str | None) -> str:
    """The document's language: "es", "en" or "both" (side by side); none
    named means the declaration's original language."""
    if not language:
        return declaration.original_language
    if language not in LANGUAGES:
        raise InvalidInput(
            f"Unknown language {language!r}.",
            fields={"language": [f"One of {', '.join(LANGUAGES)} (empty: the original language)."]},
        )
    return language


def export_target(
    *,
    declaration: Declaration,
    kind: str,
    fmt: str = Format.DOCX,
    revision_id: int | None = None,
    base_revision_id: int | None = None,
    language: str | None = None,
) -> ExportTarget:
    """Resolve the revisions a document shows (with defaults: the current
    revision, and for tracked changes the one before it) and what it depends
    on. The one place that decides this, for export jobs and the
    ``export_document`` command alike. The fingerprint names every input of the document, so an
    unchanged input gives back the existing file instead of a new rendering:
    a revision is immutable; whether it is the adopted text changes the clean
    document (no draft marking, reservations); the working text changes with
    ``declaration.version``; the record grows by appending events. The
    language is part of it; a document showing the other language depends on
    ``declaration.version`` too, since a translation is updated in place."""
    if kind not in Kind.values:
        raise InvalidInput(f"Unknown document kind {kind!r}.", fields={"kind": [f"One of {', '.join(Kind.values)}."]})
    revisions = list(declaration.revisions.order_by("number"))
    if not revisions:
        raise Conflict("This declaration has no text yet; the Secretariat issues the zero draft first.")
    adopted_id = (
        Adoption.objects.filter(declaration=declaration, status=Adoption.Status.ADOPTED)
        .values_list("revision_id", flat=True)
        .first()
    )
    revision = _revision_of(declaration, revision_id, "revision")
    base = _revision_of(declaration, base_revision_id, "base_revision")
    if kind in (Kind.COMPILATION, Kind.RECORD) and (revision or base):
        raise InvalidInput(
            f"The {KIND_NAMES[Kind(kind)]} is of the current working text; it takes no revision.",
            fields={"revision": ["Leave empty for this kind."]},
        )
    if kind == Kind.CLEAN and base is not None:
        raise InvalidInput("A clean declaration shows one revision.", fields={"base_revision": ["Leave empty."]})
    language = export_language(declaration=declaration, language=language)
    prefix = f"{kind}/{fmt}/{language}/d{declaration.pk}"
    if language != declaration.original_language:
        prefix += f"/v{declaration.version}"
    if kind == Kind.CLEAN:
        revision = revision or revisions[-1]
        adopted = revision.pk == adopted_id
        state = "adopted" if adopted else "draft"
        return ExportTarget(revision, None, f"{prefix}/r{revision.pk}/{state}", adopted, language)
    if kind == Kind.TRACKED:
        revision = revision or revisions[-1]
        if base is None:
            older = [r for r in revisions if r.number < revision.number]
            if not older:
                raise Conflict(f"{revision.label} is the first revision; there is nothing to compare it with.")
            base = older[-1]
        if base.number >= revision.number:
            raise InvalidInput(
                f"Tracked changes go from an older revision to a newer one; {base.label} is not older "
                f"than {revision.label}.",
                fields={"base_revision": ["Choose an earlier revision."]},
            )
        return ExportTarget(revision, base, f"{prefix}/r{base.pk}-r{revision.pk}", revision.pk == adopted_id, language)
    if kind == Kind.COMPILATION:
        return ExportTarget(None, None, f"{prefix}/v{declaration.version}", adopted_id is not None, language)
    last_event = Event.objects.filter(declaration=declaration).aggregate(last=Max("id"))["last"] or 0
    return ExportTarget(None, None, f"{prefix}/e{last_event}", False, language)


def _require_may_render(role: Role, target: ExportTarget) -> None:
    if target.secretariat_only and not role.is_secretariat:
        raise NotAllowed(
            "Only the Technical Secretariat renders the adopted text; delegations may render the "
            "compilation text and tracked changes of drafts."
        )


def export_jobs_restrict_to_adopted(*, declaration: Declaration, revision_id: int) -> int:
    """On adoption: the jobs made before it that now show the adopted text
    become the Secretariat's, as a new request for them would be (see
    ``export_target``), so a draft-time tracked changes of the adopted
    revision is no longer downloadable by delegations. Returns how many."""
    return (
        ExportJob.objects.filter(declaration=declaration, secretariat_only=False)
        .filter(Q(kind=Kind.COMPILATION) | Q(kind__in=[Kind.CLEAN, Kind.TRACKED], revision_id=revision_id))
        .update(secretariat_only=True)
    )


def export_job_visible(*, job: ExportJob, role: Role) -> bool:
    return role.can_read and (role.is_secretariat or not job.secretariat_only)


@transaction.atomic
def export_job_request(
    *,
    actor: User,
    declaration_id: int,
    kind: str,
    fmt: str = Format.DOCX,
    revision_id: int | None = None,
    base_revision_id: int | None = None,
    language: str | None = None,
    pdf_available: bool,
    dispatch: Callable[[int], None],
) -> tuple[ExportJob, bool]:
    """Ask for a document. Returns the job and whether it is new: a request
    whose inputs match a job that is queued, running or done gets that job
    (and, once done, its file) without a second rendering. ``dispatch``
    hands a new job's id to the workers once this transaction commits."""
    if fmt not in Format.values:
        raise InvalidInput(f"Unknown format {fmt!r}.", fields={"format": [f"One of {', '.join(Format.values)}."]})
    if fmt == Format.PDF and not pdf_available:
        raise InvalidInput(
            "PDF output needs LibreOffice, which is not installed on this server; ask for the Word "
            "document (format docx) instead.",
            fields={"format": ["PDF is not available here."]},
        )
    declaration = Declaration.objects.select_related("meeting").filter(pk=declaration_id).first()
    if declaration is None:
        raise NotFound(f"Declaration {declaration_id} does not exist.")
    role = role_in(actor, declaration.meeting)
    require_read(role, declaration.meeting)
    target = export_target(
        declaration=declaration,
        kind=kind,
        fmt=fmt,
        revision_id=revision_id,
        base_revision_id=base_revision_id,
        language=language,
    )
    _require_may_render(role, target)
    existing = ExportJob.objects.filter(fingerprint=target.fingerprint).exclude(status=Status.FAILED).first()
    if existing is not None:
        return existing, False
    try:
        # A savepoint: losing the race to an identical request must not
        # abort the caller's transaction.
        with transaction.atomic():
            job = ExportJob.objects.create(
                declaration=declaration,
                kind=kind,
                format=fmt,
                revision=target.revision,
                base_revision=target.base_revision,
                fingerprint=target.fingerprint,
                secretariat_only=target.secretariat_only,
                language=target.language,
                requested_by=actor,
            )
    except IntegrityError:
        winner = ExportJob.objects.filter(fingerprint=target.fingerprint).exclude(status=Status.FAILED).first()
        if winner is None:  # pragma: no cover - the constraint names exactly this row
            raise
        return winner, False
    transaction.on_commit(partial(dispatch, job.pk))
    return job, True


def export_job_get(*, user: User, job_id: int) -> ExportJob:
    job = (
        ExportJob.objects.select_related("declaration__meeting", "revision", "base_revision").filter(pk=job_id).first()
    )
    if job is None:
        raise NotFound(f"Export {job_id} does not exist.")
    role = role_in(user, job.declaration.meeting)
    require_read(role, job.declaration.meeting)
    if not export_job_visible(job=job, role=role):
        # The adopted text's exports are the Secretariat's; say so rather
        # than pretend the job does not exist.
        raise NotAllowed("Only the Technical Secretariat may read exports of the adopted text.")
    return job


def export_job_mark_dispatched(*, job_id: int, dispatched: bool = True) -> None:
    """Record that the job is being handed to the broker (``dispatched=False``:
    the hand-over failed, so the sweep takes it on its next pass)."""
    ExportJob.objects.filter(pk=job_id, status__in=[Status.QUEUED, Status.RUNNING]).update(
        dispatched_at=timezone.now() if dispatched else None
    )


def _claim(job_id: int) -> ExportJob | None:
    # skip_locked: a job whose row a live worker holds is being rendered.
    return job_claim(
        model=ExportJob,
        job_id=job_id,
        max_attempts=MAX_ATTEMPTS,
        gave_up="The rendering was interrupted {attempts} times; ask for the document again.",
        skip_locked=True,
    )


def export_job_run(*, job_id: int, render: Callable[[ExportJob], Rendered]) -> ExportJob | None:
    """Render a job with ``render`` and store the file. Safe to run twice:
    returns None, changing nothing, when the job is already finished or a
    live worker is rendering it.

    The rendering runs inside a transaction that holds the job's row lock:
    a second delivery skips a locked job, and a worker killed mid-render
    loses its connection and with it the lock, so the redelivered task takes
    the job over. The reads of the document happen in the same transaction,
    so the file shows one consistent state of the declaration."""
    if _claim(job_id) is None:
        return None
    with transaction.atomic():
        job = (
            # of=self: lock the job only (its revisions are nullable joins).
            ExportJob.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("declaration__meeting", "revision", "base_revision")
            .filter(pk=job_id, status=Status.RUNNING)
            .first()
        )
        if job is None:
            return None
        try:
            with transaction.atomic():  # a failed render's reads must not poison the fail() below
                rendered = render(job)
        except DomainError as exc:
            job_mark_failed(job, exc.message)
            return job
        digest = hashlib.sha256(rendered.content).hexdigest()
        job.file.save(
            f"{job.declaration_id}/{job.pk}-{digest[:12]}.{job.format}", ContentFile(rendered.content), save=False
        )
        job.filename = rendered.filename
        job.size = len(rendered.content)
        job.checksum = digest
        job.status = Status.DONE
        job.error = ""
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "filename", "size", "checksum", "status", "error", "finished_at"])
        return job


def export_job_fail(*, job_id: int, message: str, file_lost: bool = False) -> None:
    """Give a job up (the task calls this when rendering raised something
    unexpected, or ran out of time), unless it finished meanwhile. With
    ``file_lost`` a done job whose file vanished from storage is failed too,
    so that the next request for it renders it again."""
    live = (Status.QUEUED, Status.RUNNING, *((Status.DONE,) if file_lost else ()))
    job_fail(model=ExportJob, job_id=job_id, message=message, live=live)


def export_jobs_to_redispatch() -> list[int]:
    """Jobs the broker may have lost: queued and never handed over (the
    broker was down) or handed over longer ago than the redispatch delay;
    running while no worker holds them (the worker died and its message was
    lost with it). Handing one over twice is harmless: runs are idempotent."""
    current = timezone.now()
    wait = timedelta(seconds=settings.CONSENSO_EXPORT_REDISPATCH_SECONDS)
    queued = ExportJob.objects.filter(status=Status.QUEUED).filter(
        Q(dispatched_at__isnull=True, created_at__lt=current - timedelta(seconds=2))
        | Q(dispatched_at__lt=current - wait)
    )
    # A run holds the job's row lock while it renders (see export_job_run).
    return jobs_to_redispatch(
        queued=queued, running=ExportJob.objects.filter(status=Status.RUNNING), run_holds_lock=True
    )
