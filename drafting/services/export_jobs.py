"""Export jobs: request, run (by a worker) and sweep.

The job row is the source of truth; the broker only carries its id. So:

* ``export_job_request`` stores the job and hands its id to ``dispatch``
  after commit. If the broker is down, ``dispatch`` fails, the job stays
  ``queued`` and ``export_jobs_to_redispatch`` finds it later.
* ``export_job_run`` is what the task calls. Delivered twice, late, to two
  workers at once or after a worker was killed mid-render, it renders a job
  at most once at a time and finishes it exactly once: the rendering holds a
  row lock, which a killed worker's connection gives up with it.

Renderings are bounded whatever the requests (issue 13: support/withdraw
toggles each followed by a PDF request must not make the server render
without end). A job's fingerprint is a digest of the plain data the
renderer is fed, not of the declaration's version, so a text that toggled
back to what it was gives back the file already made; requests for a
document that is waiting for a worker join that job (it reads the text when
it starts, so it is at least as new as every request it answers); and at
most ``CONSENSO_EXPORT_RENDERS_PER_DECLARATION`` renderings of one
declaration run at once, the others waiting their turn.

Requests for an export are not negotiation acts, so they are not written to
the negotiation record (which is itself one of the documents exported).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from drafting import selectors
from drafting.access import Role, not_found, require_read, require_read_within, role_in
from drafting.errors import Conflict, DomainError, InvalidInput, NotAllowed
from drafting.models import Adoption, Declaration, ExportJob, Revision
from drafting.services.jobs import job_fail, job_mark_failed, jobs_to_redispatch

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


class RendersBusy(Exception):
    """The declaration already has as many renderings running as it may: the
    job stays queued, for the task to hand over again a little later."""


# A queued job's fingerprint: its document, and no input yet (it reads the
# text when it starts). One queued job per document (a constraint), which
# every request for that document joins until a worker takes it.
QUEUED = "queued"


def _revision_of(declaration: Declaration, revision_id: int | None, field: str) -> Revision | None:
    if revision_id is None:
        return None
    # One answer whether the id is another declaration's or no revision at all:
    # it must not tell whether a revision of a meeting one may not read exists.
    revision = Revision.objects.filter(pk=revision_id, declaration=declaration).first()
    if revision is None:
        raise InvalidInput(
            _("Revision %(revision_id)s is not a revision of this declaration.") % {"revision_id": revision_id},
            fields={field: [_("Choose a revision of declaration %(declaration)s.") % {"declaration": declaration.pk}]},
        )
    return revision


@dataclass(frozen=True)
class ExportTarget:
    revision: Revision | None
    base_revision: Revision | None
    document: str  # which document (kind, format, declaration, revisions), whatever the text holds now
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
            _("Unknown language %(language)r.") % {"language": language},
            fields={
                "language": [
                    _("One of %(choices)s (empty: the original language).") % {"choices": ", ".join(LANGUAGES)}
                ]
            },
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
    revision, and for tracked changes the one before it) and who may have it.
    The one place that decides this, for export jobs and the
    ``export_document`` command alike. ``document`` names the document, not
    its contents: those are fingerprinted from the data the renderer is fed
    (``export_input_digest``), the language included."""
    if kind not in Kind.values:
        raise InvalidInput(
            _("Unknown document kind %(kind)r.") % {"kind": kind},
            fields={"kind": [_("One of %(choices)s.") % {"choices": ", ".join(Kind.values)}]},
        )
    revisions = list(declaration.revisions.order_by("number"))
    if not revisions:
        raise Conflict(_("This declaration has no text yet; the Secretariat issues the zero draft first."))
    adopted_id = (
        Adoption.objects.filter(declaration=declaration, status=Adoption.Status.ADOPTED)
        .values_list("revision_id", flat=True)
        .first()
    )
    revision = _revision_of(declaration, revision_id, "revision")
    base = _revision_of(declaration, base_revision_id, "base_revision")
    if kind in (Kind.COMPILATION, Kind.RECORD) and (revision or base):
        raise InvalidInput(
            _("The %(kind)s is of the current working text; it takes no revision.")
            % {"kind": pgettext("document kind", KIND_NAMES[Kind(kind)])},
            fields={"revision": [_("Leave empty for this kind.")]},
        )
    if kind == Kind.CLEAN and base is not None:
        raise InvalidInput(_("A clean declaration shows one revision."), fields={"base_revision": [_("Leave empty.")]})
    language = export_language(declaration=declaration, language=language)
    prefix = f"{kind}/{fmt}/{language}/d{declaration.pk}"
    if kind == Kind.CLEAN:
        revision = revision or revisions[-1]
        return ExportTarget(revision, None, f"{prefix}/r{revision.pk}", revision.pk == adopted_id, language)
    if kind == Kind.TRACKED:
        revision = revision or revisions[-1]
        if base is None:
            older = [r for r in revisions if r.number < revision.number]
            if not older:
                raise Conflict(
                    _("%(label)s is the first revision; there is nothing to compare it with.")
                    % {"label": revision.label}
                )
            base = older[-1]
        if base.number >= revision.number:
            raise InvalidInput(
                _("Tracked changes go from an older revision to a newer one; %(base)s is not older than %(label)s.")
                % {"base": base.label, "label": revision.label},
                fields={"base_revision": [_("Choose an earlier revision.")]},
            )
        return ExportTarget(revision, base, f"{prefix}/r{base.pk}-r{revision.pk}", revision.pk == adopted_id, language)
    if kind == Kind.COMPILATION:
        return ExportTarget(None, None, prefix, adopted_id is not None, language)
    return ExportTarget(None, None, prefix, False, language)


def export_input(
    *,
    declaration: Declaration,
    kind: str,
    revision: Revision | None,
    base_revision: Revision | None,
    language: str | None = None,
) -> Any:
    """The plain data a document of ``kind`` is rendered from (``exports``
    turns it into Word): everything the file shows, and nothing else."""
    if kind == Kind.CLEAN:
        return selectors.declaration_document(declaration=declaration, revision=revision, language=language)
    if kind == Kind.COMPILATION:
        return selectors.declaration_document(declaration=declaration, language=language)
    if kind == Kind.RECORD:
        return selectors.negotiation_record(declaration=declaration, language=language)
    assert revision is not None and base_revision is not None
    return selectors.revision_pair(old=base_revision, new=revision, language=language)


def export_input_digest(data: Any) -> str:
    """SHA-256 of the renderer's input, canonically serialised: equal digests,
    equal documents (the renderers are deterministic), so one file serves both."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _fingerprint(document: str, digest: str) -> str:
    return f"{document}#{digest}"


def _document_of(job: ExportJob) -> str:
    return job.fingerprint.partition("#")[0]


def _require_may_render(role: Role, target: ExportTarget) -> None:
    if target.secretariat_only and not role.is_secretariat:
        raise NotAllowed(
            _(
                "Only the Technical Secretariat renders the adopted text; delegations may render the "
                "compilation text and tracked changes of drafts."
            )
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
    """Ask for a document. Returns the job and whether it is new. A request
    gets, without a second rendering: the job that rendered (or is rendering)
    exactly this input, else the job for this document that is waiting for a
    worker. ``dispatch`` hands a new job's id to the workers once this
    transaction commits."""
    if fmt not in Format.values:
        raise InvalidInput(
            _("Unknown format %(fmt)r.") % {"fmt": fmt},
            fields={"format": [_("One of %(choices)s.") % {"choices": ", ".join(Format.values)}]},
        )
    if fmt == Format.PDF and not pdf_available:
        raise InvalidInput(
            _(
                "PDF output needs LibreOffice, which is not installed on this server; ask for the Word "
                "document (format docx) instead."
            ),
            fields={"format": [_("PDF is not available here.")]},
        )
    declaration = Declaration.objects.select_related("meeting").filter(pk=declaration_id).first()
    if declaration is None:
        raise not_found("declaration")
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
    data = export_input(
        declaration=declaration,
        kind=kind,
        revision=target.revision,
        base_revision=target.base_revision,
        language=target.language,
    )
    made = _job_with_input(_fingerprint(target.document, export_input_digest(data)))
    if made is not None:
        return made, False
    waiting = _fingerprint(target.document, QUEUED)
    joined = ExportJob.objects.filter(fingerprint=waiting, status=Status.QUEUED).first()
    if joined is not None:
        return joined, False
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
                fingerprint=waiting,
                secretariat_only=target.secretariat_only,
                language=target.language,
                requested_by=actor,
            )
    except IntegrityError:
        winner = ExportJob.objects.filter(fingerprint=waiting, status=Status.QUEUED).first()
        if winner is None:  # pragma: no cover - the constraint names exactly this row
            raise
        return winner, False
    transaction.on_commit(partial(dispatch, job.pk))
    return job, True


def _job_with_input(fingerprint: str, *, exclude: int | None = None) -> ExportJob | None:
    """A job that rendered this very input (done, its file still stored) or
    is rendering it now."""
    jobs = ExportJob.objects.filter(fingerprint=fingerprint, status__in=[Status.DONE, Status.RUNNING])
    if exclude is not None:
        jobs = jobs.exclude(pk=exclude)
    for job in jobs.order_by("status", "-id"):  # "done" sorts before "running"
        if job.status == Status.RUNNING or (job.file.name and job.file.storage.exists(job.file.name)):
            return job
    return None


def export_job_get(*, user: User, job_id: int) -> ExportJob:
    job = (
        ExportJob.objects.select_related("declaration__meeting", "revision", "base_revision").filter(pk=job_id).first()
    )
    if job is None:
        raise not_found("export")
    role = role_in(user, job.declaration.meeting)
    require_read_within(role, "export")
    if not export_job_visible(job=job, role=role):
        # The adopted text's exports are the Secretariat's; say so rather
        # than pretend the job does not exist.
        raise NotAllowed(_("Only the Technical Secretariat may read exports of the adopted text."))
    return job


def export_job_mark_dispatched(*, job_id: int, dispatched: bool = True) -> None:
    """Record that the job is being handed to the broker (``dispatched=False``:
    the hand-over failed, so the sweep takes it on its next pass)."""
    ExportJob.objects.filter(pk=job_id, status__in=[Status.QUEUED, Status.RUNNING]).update(
        dispatched_at=timezone.now() if dispatched else None
    )


def _renders_running(declaration_id: int) -> int:
    """Renderings of the declaration under way. One started longer ago than
    the hard time limit was killed with its worker: it does not count."""
    since = timezone.now() - timedelta(seconds=settings.CONSENSO_EXPORT_TIME_LIMIT)
    return ExportJob.objects.filter(declaration_id=declaration_id, status=Status.RUNNING, started_at__gte=since).count()


def _claim(job_id: int) -> ExportJob | None:
    """Mark the job running (committed, so readers see it). None when there
    is nothing to do: done, failed, gone, or being rendered by a live worker.
    Raises ``RendersBusy``, leaving the job queued, when its declaration has
    as many renderings running as it may."""
    with transaction.atomic():
        declaration_id = ExportJob.objects.filter(pk=job_id).values_list("declaration_id", flat=True).first()
        if declaration_id is None:
            return None
        # Claims for one declaration take turns on its row (declaration
        # before job: the lock order), so two workers cannot both see one
        # free slot and both take it.
        Declaration.objects.select_for_update().filter(pk=declaration_id).values_list("pk", flat=True).first()
        job = ExportJob.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
        if job is None or job.status in (Status.DONE, Status.FAILED):
            return None
        if job.attempts >= MAX_ATTEMPTS:
            job_mark_failed(
                job,
                gettext_noop("The rendering was interrupted %(attempts)s times; ask for the document again."),
                params={"attempts": job.attempts},
            )
            return None
        if (
            job.status == Status.QUEUED
            and _renders_running(declaration_id) >= settings.CONSENSO_EXPORT_RENDERS_PER_DECLARATION
        ):
            raise RendersBusy(f"declaration {declaration_id} has its renderings' worth running")
        job.status = Status.RUNNING
        job.attempts += 1
        job.started_at = timezone.now()
        job.save(update_fields=["status", "attempts", "started_at"])
        return job


def export_job_run(*, job_id: int, render: Callable[[ExportJob, dict[str, Any]], Rendered]) -> ExportJob | None:
    """Render a job with ``render`` (given the job and its input, see
    ``export_input``) and store the file, unless a job already rendered this
    very input: then the job shares that file, and nothing is rendered. Safe
    to run twice: returns None, changing nothing, when the job is already
    finished or a live worker is rendering it. Raises ``RendersBusy`` when
    the declaration has as many renderings running as it may.

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
                data = export_input(
                    declaration=job.declaration,
                    kind=job.kind,
                    revision=job.revision,
                    base_revision=job.base_revision,
                    language=job.language or None,
                )
                job.fingerprint = _fingerprint(_document_of(job), export_input_digest(data))
                made = _job_with_input(job.fingerprint, exclude=job.pk)
                if made is not None and made.status == Status.DONE:
                    _share(job, made)
                    return job
                rendered = render(job, data)
        except DomainError as exc:
            job_mark_failed(job, exc.msgid or exc.message, params=exc.params if exc.msgid else None)
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
        job.save(
            update_fields=["file", "filename", "size", "checksum", "status", "error", "finished_at", "fingerprint"]
        )
        return job


def _share(job: ExportJob, made: ExportJob) -> None:
    """Finish ``job`` with the file ``made`` rendered from the same input."""
    job.file.name = made.file.name
    job.filename, job.size, job.checksum = made.filename, made.size, made.checksum
    job.status, job.error, job.finished_at = Status.DONE, "", timezone.now()
    job.save(update_fields=["file", "filename", "size", "checksum", "status", "error", "finished_at", "fingerprint"])


def export_job_fail(
    *, job_id: int, message: str, params: Mapping[str, object] | None = None, file_lost: bool = False
) -> None:
    """Give a job up (the task calls this when rendering raised something
    unexpected, or ran out of time), unless it finished meanwhile. With
    ``file_lost`` a done job whose file vanished from storage is failed too,
    so that the next request for it renders it again."""
    live = (Status.QUEUED, Status.RUNNING, *((Status.DONE,) if file_lost else ()))
    job_fail(model=ExportJob, job_id=job_id, message=message, params=params, live=live)


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
