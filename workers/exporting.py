"""Glue between the domain and the Word renderers: read plain data with a
``drafting`` selector, render it with ``exports``. Used by the export-job
task and by the ``export_document`` command."""

from __future__ import annotations

import logging
import re

from drafting import selectors
from drafting.errors import NotFound
from drafting.models import Declaration, ExportJob, Revision
from drafting.services.export_jobs import KIND_NAMES, Rendered, RenderFailed, export_target
from exports import adapters, pdf
from exports.clean import render_clean
from exports.compilation import render_compilation
from exports.record import render_record
from exports.tracked import render_tracked

log = logging.getLogger(__name__)

KINDS = tuple(ExportJob.Kind.values)


def render_document(
    *,
    declaration_id: int,
    kind: str,
    revision_id: int | None = None,
    base_revision_id: int | None = None,
    language: str | None = None,
) -> bytes:
    """The .docx bytes of one document of a declaration, the revisions
    resolved as for an export job (``services.export_jobs.export_target``):
    ``clean`` and ``tracked`` default to the current revision, ``tracked``
    compares it with the one before; ``compilation`` and ``record`` are of
    the working text. ``language``: "es", "en" or "both" (side by side); none
    means the declaration's original language."""
    declaration = Declaration.objects.select_related("meeting__ppt").filter(pk=declaration_id).first()
    if declaration is None:
        raise NotFound(f"Declaration {declaration_id} does not exist.")
    target = export_target(
        declaration=declaration,
        kind=kind,
        revision_id=revision_id,
        base_revision_id=base_revision_id,
        language=language,
    )
    return _render(declaration, kind, target.revision, target.base_revision, target.language)


def _render(
    declaration: Declaration, kind: str, revision: Revision | None, base: Revision | None, language: str
) -> bytes:
    language = language or declaration.original_language
    if kind == "clean":
        assert revision is not None
        data = selectors.declaration_document(declaration=declaration, revision=revision, language=language)
        return render_clean(adapters.document_from(data, language=language))
    if kind == "compilation":
        data = selectors.declaration_document(declaration=declaration, language=language)
        return render_compilation(adapters.document_from(data, language=language))
    if kind == "record":
        record = selectors.negotiation_record(declaration=declaration, language=language)
        return render_record(**adapters.record_from(record, language=language))
    assert revision is not None and base is not None
    pair = selectors.revision_pair(old=base, new=revision, language=language)
    return render_tracked(**adapters.tracked_from(pair, language=language))


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
    if job.language and job.language != job.declaration.original_language:
        parts.append({"es": "ES", "en": "EN", "both": "ES-EN"}.get(job.language, job.language))
    return " - ".join(parts) + f".{job.format}"


def render_job(job: ExportJob) -> Rendered:
    """Render one export job (called by ``services.export_job_run`` under the job's lock)."""
    body = _render(job.declaration, job.kind, job.revision, job.base_revision, job.language)
    if job.format == ExportJob.Format.PDF:
        try:
            body = pdf.docx_to_pdf(body)
        except pdf.PdfError as exc:
            raise RenderFailed(f"The PDF could not be made: {exc} Ask for the Word document instead.") from exc
    return Rendered(content=body, filename=_filename(job))
