"""Glue between the domain and the Word renderers: read plain data with a
``drafting`` selector, render it with ``exports``. Used by the
``export_document`` command (and, later, by export-job tasks)."""

from __future__ import annotations

from drafting import export_selectors
from drafting.errors import Conflict, InvalidInput, NotFound
from drafting.models import Declaration, Revision
from exports import adapters
from exports.clean import render_clean
from exports.compilation import render_compilation
from exports.record import render_record
from exports.tracked import render_tracked

KINDS = ("clean", "compilation", "tracked", "record")


def render_document(*, declaration_id: int, kind: str, revision_id: int | None = None) -> bytes:
    """The .docx bytes of one document of a declaration. ``clean`` and
    ``tracked`` take a revision (default: the current one; ``tracked``
    compares it with the one before); ``compilation`` is of the working text."""
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
    if not older:
        raise Conflict(f"{revision.label} is the first revision; there is nothing to compare it with.")
    return render_tracked(**adapters.tracked_from(export_selectors.revision_pair(old=older[-1], new=revision)))
