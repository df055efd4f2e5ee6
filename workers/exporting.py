"""Glue between the domain and the Word renderers: read plain data with a
``drafting`` selector, render it with ``exports``. Used by the export-job
task and by the ``export_document`` command."""

from __future__ import annotations

import logging
import re

from drafting import export_selectors
from drafting.errors import Conflict, InvalidInput, NotFound
from drafting.models import Declaration, ExportJob, Revision
from drafting.services.export_jobs import KIND_NAMES, Rendered, RenderFailed
from exports import adapters, pdf
from exports.clean import render_clean
from exports.compilation import render_compilation
from exports.record import render_record
from exports.tracked import render_tracked

log = logging.getLogger(__name__)

KINDS = ("clean", "compilation", "tracked", "record")


def render_document(
    *, declaration_id: int, kind: str, revision_id: int | None = None, base_revision_id: int | None = None
) -> bytes:
    """The .docx bytes of one document of a declaration. ``clean`` and
    ``tracked`` take a revision (default: the current one; ``tracked``
    compares it with ``base_revision_id``, by default the one before);
    ``compilation`` and ``record`` are of the working text."""
    declaration = Declaration.objects.select_related("meeting__ppt").filter(pk=declaration_id).first()
    if declaration is None:
        raise NotFound(f"Declaration {declaration_id} does not exist.")
    if kind not in KINDS:
        raise InvalidInput(f"Unknown document kind {kind!r}.", fields={"kind": [f"One of {', '.join(KINDS)}."]})
    revisions = list(declaration.revisions.order_by("number"))
    if not revisions:
        raise Conflict("This declaration has no text yet.")
    revision: Revision = next((r for r in revisions if r.pk == revision_id), revisions[-1])
    if revision_id is not None and revision.pk != revision_id:
        raise InvalidInput(f"Revision {revision_id} is not a revision of this declaration.")
    if kind == "clean":
        return render_clean(
            adapters.document_from(export_selectors.declaration_document(declaration=declaration, revision=revision))
        )
    if kind == "compilation":
        return render_compilation(
            adapters.document_from(export_selectors.declaration_document(declaration=declaration))
        )
    if kind == "record":
        return render_record(**adapters.record_from(export_selectors.negotiation_record(declaration=declaration)))
    older = [r for r in revisions if r.number < revision.number]
    base = next((r for r in older if r.pk == base_revision_id), None) if base_revision_id else None
    if base_revision_id is not None and base is None:
        raise InvalidInput(f"Revision {base_revision_id} is not an earlier revision of this declaration.")
    if base is None and not older:
        raise Conflict(f"{revision.label} is the first revision; there is nothing to compare it with.")
    return render_tracked(**adapters.tracked_from(export_selectors.revision_pair(old=base or older[-1], new=revision)))


def _filename(job: ExportJob) -> str:
    """e.g. "Extraordinary Declaration - Rev.1 - tracked changes against Zero draft.docx"."""
    title = re.sub(r"[^\w\s.,()-]+", "", job.declaration.title).strip()[:80] or f"Declaration {job.declaration_id}"
    parts = [title]
    if job.kind == ExportJob.Kind.TRACKED and job.revision and job.base_revision:
        parts.append(f"{job.revision.label} - tracked changes against {job.base_revision.label}")
    elif job.revision is not None:
        parts.append(job.revision.label)
        if job.kind != ExportJob.Kind.CLEAN:
            parts.append(KIND_NAMES[ExportJob.Kind(job.kind)])
    else:
        parts.append(KIND_NAMES[ExportJob.Kind(job.kind)])
    return " - ".join(parts) + f".{job.format}"


def render_job(job: ExportJob) -> Rendered:
    """Render one export job (called by ``services.export_job_run`` under the job's lock)."""
    body = render_document(
        declaration_id=job.declaration_id,
        kind=job.kind,
        revision_id=job.revision_id,
        base_revision_id=job.base_revision_id,
    )
    if job.format == ExportJob.Format.PDF:
        try:
            body = pdf.docx_to_pdf(body)
        except pdf.PdfError as exc:
            raise RenderFailed(f"The PDF could not be made: {exc} Ask for the Word document instead.") from exc
    return Rendered(content=body, filename=_filename(job))
