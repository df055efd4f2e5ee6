"""Glue between the domain and the Word renderers: read plain data with a
``drafting`` selector, render it with ``exports``. Used by the export-job
task and by the ``export_document`` command."""

from __future__ import annotations

import logging
import re
from typing import Any

from drafting.access import not_found
from drafting.models import Declaration, ExportJob
from drafting.services.export_jobs import KIND_NAMES, Rendered, RenderFailed, export_input, export_target
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
        raise not_found("declaration")
    target = export_target(
        declaration=declaration,
        kind=kind,
        revision_id=revision_id,
        base_revision_id=base_revision_id,
        language=language,
    )
    language = target.language or declaration.original_language
    data = export_input(
        declaration=declaration,
        kind=kind,
        revision=target.revision,
        base_revision=target.base_revision,
        language=language,
    )
    return _render(kind, data, language)


def _render(kind: str, data: Any, language: str) -> bytes:
    """Word from the plain data ``export_input`` read for ``kind``, in ``language``."""
    if kind == "clean":
        return render_clean(adapters.document_from(data, language=language))
    if kind == "compilation":
        return render_compilation(adapters.document_from(data, language=language))
    if kind == "record":
        return render_record(**adapters.record_from(data, language=language))
    return render_tracked(**adapters.tracked_from(data, language=language))


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


def render_job(job: ExportJob, data: Any) -> Rendered:
    """Render one export job from its input (called by ``services.export_job_run`` under the job's lock)."""
    body = _render(job.kind, data, job.language or job.declaration.original_language)
    if job.format == ExportJob.Format.PDF:
        try:
            body = pdf.docx_to_pdf(body)
        except pdf.PdfError as exc:
            raise RenderFailed(f"The PDF could not be made: {exc} Ask for the Word document instead.") from exc
    return Rendered(content=body, filename=_filename(job))
