"""Reads that compare texts: a revision against another, and what a
proposal would change in the current text (with the pending proposals it
collides with). The work is done by :mod:`drafting.textengine`."""

from __future__ import annotations

import html
from typing import Any

from django.utils.translation import gettext as _

from drafting import textengine
from drafting.errors import InvalidInput
from drafting.models import Declaration, Paragraph, Proposal, Revision, RevisionParagraph


def _ops(diff: textengine.WordDiff) -> list[dict[str, str]]:
    return [{"op": op.kind, "text": op.text} for op in diff.ops]


def revision_compare(*, declaration: Declaration, old: Revision, new: Revision) -> dict[str, Any]:
    """Paragraph by paragraph, by identity: unchanged, changed (word ops and
    an HTML redline), inserted, deleted, or moved."""
    if old.declaration_id != declaration.pk or new.declaration_id != declaration.pk:
        raise InvalidInput(
            _("Both revisions must belong to this declaration."), fields={"from": [_("Wrong declaration.")]}
        )

    def rows(revision: Revision) -> list[tuple[int, str, str]]:
        return list(
            RevisionParagraph.objects.filter(revision=revision)
            .order_by("position")
            .values_list("paragraph_id", "label", "text")
        )

    old_rows, new_rows = rows(old), rows(new)
    labels_old = {pid: label for pid, label, _ in old_rows}
    labels_new = {pid: label for pid, label, _ in new_rows}
    result = textengine.revision_diff(
        [(pid, text) for pid, _, text in old_rows], [(pid, text) for pid, _, text in new_rows]
    )
    paragraphs: list[dict[str, Any]] = []
    for change in result.changes:
        entry: dict[str, Any] = {
            "paragraph": change.id,
            "status": change.status,
            "old_label": labels_old.get(change.id),
            "new_label": labels_new.get(change.id),
            "text_changed": change.text_changed,
        }
        if change.diff is not None:
            entry["ops"] = _ops(change.diff)
            entry["html"] = textengine.redline_html(change.diff)
        elif change.status == "inserted":
            entry["ops"] = [{"op": "insert", "text": change.new_text or ""}]
            entry["html"] = f"<ins>{html.escape(change.new_text or '')}</ins>"
        elif change.status == "deleted":
            entry["ops"] = [{"op": "delete", "text": change.old_text or ""}]
            entry["html"] = f"<del>{html.escape(change.old_text or '')}</del>"
        paragraphs.append(entry)
    return {
        "declaration": declaration.pk,
        "from": {"id": old.pk, "label": old.label},
        "to": {"id": new.pk, "label": new.label},
        "counts": dict(result.counts()),
        "paragraphs": paragraphs,
    }


def proposal_preview(*, proposal: Proposal) -> dict[str, Any]:
    """What the proposal would change in the paragraph as it stands now, the
    state of its re-fit, and the pending proposals whose edits collide with it."""
    paragraph = Paragraph.objects.get(pk=proposal.paragraph_id)
    current = paragraph.text
    body: dict[str, Any] = {
        "proposal": proposal.pk,
        "status": proposal.status,
        "paragraph": paragraph.pk,
        "current_text": current,
        "base_is_current": proposal.base_text == current,
        "refit": proposal.refit,
        "collisions": [],
    }
    if proposal.kind == Proposal.Kind.INSERT_AFTER:
        body["ops"] = [{"op": "insert", "text": proposal.text}]
        body["html"] = f"<ins>{html.escape(proposal.text)}</ins>"
        return body
    if proposal.base_text != current:
        # The paragraph moved since: show the re-fit the engine would make.
        fitted = textengine.refit(proposal.base_text, proposal.text, current)
        body["pending_refit"] = {"status": fitted.status.value, "text": fitted.text, "reason": fitted.reason}
        target = fitted.text
        if target is None and fitted.best_effort_text is not None:
            # Conflicted: the collision, and the engine's unverified best effort on
            # the current wording, for the delegation to withdraw or table again.
            best = textengine.word_diff(current, fitted.best_effort_text)
            body["pending_refit"]["best_effort"] = {
                "text": fitted.best_effort_text,
                "complete": fitted.best_effort_complete,
                "ops": _ops(best),
                "html": textengine.redline_html(best),
            }
            body["pending_refit"]["conflicts"] = [
                {"kind": c.kind, "old_text": c.old_text, "new_text": c.new_text} for c in fitted.conflicts
            ]
    else:
        target = proposal.text
    if target is not None:
        diff = textengine.word_diff(current, target)
        body["ops"], body["html"] = _ops(diff), textengine.redline_html(diff)
    rivals = list(
        Proposal.objects.filter(
            paragraph_id=proposal.paragraph_id,
            status=Proposal.Status.SUBMITTED,
            base_text=current,
            kind__in=[Proposal.Kind.REPLACE, Proposal.Kind.ALTERNATIVE, Proposal.Kind.DELETE],
        )
        .exclude(pk=proposal.pk)
        .values_list("pk", "text", "delegation__code")
    )
    if target is not None and rivals and proposal.kind != Proposal.Kind.DELETE:
        codes = {pk: code for pk, _, code in rivals}
        found = textengine.find_collisions(current, [(proposal.pk, target), *[(pk, text) for pk, text, _ in rivals]])
        for collision in found:
            if proposal.pk not in (collision.first, collision.second):
                continue
            other = collision.second if collision.first == proposal.pk else collision.first
            body["collisions"].append(
                {
                    "proposal": other,
                    "delegation": codes[other],
                    "start": collision.start,
                    "end": collision.end,
                    "text": current[collision.start : collision.end],
                }
            )
    return body
