"""Carrying pending proposals over to a new revision.

Where the paragraph under a proposal is unchanged, the proposal simply moves
to the new revision. Where it changed, the text engine re-fits it (a
verified 3-way merge of word edits): a clean re-fit becomes a proposal
against the new revision, with its before and after on record; a conflicted
one keeps its original and a best-effort re-fit for the delegation to look
at and resubmit. Nothing is applied silently.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from drafting import textengine
from drafting.models import Proposal, Revision
from drafting.textnorm import Span

K = Proposal.Kind
S = Proposal.Status


def _map_offset(offset: int, edits: tuple[textengine.Edit, ...]) -> int:
    """Where ``offset`` of the old text lands in the new one."""
    shift = 0
    for edit in edits:
        if edit.end <= offset and not (edit.is_insertion and edit.start == offset):
            shift += edit.delta
        elif edit.start < offset < edit.end:
            return edit.start + shift + len(edit.replacement)
    return offset + shift


def _map_emphasis(spans: list[Span], old: str, new: str) -> list[Span]:
    if not spans or old == new:
        return spans
    edits = textengine.word_diff(old, new, readable=False).edits
    mapped: list[Span] = []
    for span in spans:
        start, end = _map_offset(span["start"], edits), _map_offset(span["end"], edits)
        if start < end:
            mapped.append({"start": start, "end": end, "style": span["style"]})
    return mapped


def proposals_refit(
    *, proposals: list[Proposal], revision: Revision, texts: dict[int | None, str]
) -> list[tuple[Proposal, str, dict[str, Any]]]:
    """Re-fit ``proposals`` (pending, whose paragraph text changed) onto the
    paragraph texts of ``revision``. Updates the objects in place (the caller
    saves them) and returns (proposal, status before, event payload) for each."""
    groups: dict[tuple[int, str], list[Proposal]] = defaultdict(list)
    changes: list[tuple[Proposal, str, dict[str, Any]]] = []
    for proposal in proposals:
        before = {"status": proposal.status, "base_text": proposal.base_text, "text": proposal.text}
        new_base = texts[proposal.paragraph_id]
        if proposal.kind == K.DELETE:
            # A deletion is about the paragraph, not its words: rebase it.
            proposal.base_text, proposal.revision, proposal.status = new_base, revision, S.SUBMITTED
            proposal.patch = textengine.make_patch(new_base, "")
            proposal.refit = {"status": "rebased", "before": before}
            changes.append((proposal, before["status"], {"status": "refitted", "refit": "rebased"}))
        else:
            groups[(proposal.paragraph_id, proposal.base_text)].append(proposal)

    for (paragraph_id, old_base), group in groups.items():
        new_base = texts[paragraph_id]
        results = textengine.refit_all(old_base, new_base, [(p.pk, p.text) for p in group])
        for proposal in group:
            result = results[proposal.pk]
            before = {"status": proposal.status, "base_text": proposal.base_text, "text": proposal.text}
            status_before = proposal.status
            if result.status is textengine.RefitStatus.ALREADY_INCORPORATED:
                proposal.status, proposal.incorporated_in = S.INCORPORATED, revision
                proposal.refit = {"status": "already_incorporated", "before": before}
                changes.append(
                    (
                        proposal,
                        status_before,
                        {"status": "incorporated", "refit": "already_incorporated", "revision": revision.pk},
                    )
                )
            elif result.status is textengine.RefitStatus.CONFLICTED or result.text is None:
                proposal.status = S.CONFLICTED
                proposal.refit = {
                    "status": "conflicted",
                    "reason": result.reason,
                    "new_base_text": new_base,
                    "best_effort_text": result.best_effort_text,
                    "best_effort_complete": result.best_effort_complete,
                    "conflicts": [
                        {"kind": c.kind, "start": c.start, "end": c.end, "old_text": c.old_text, "new_text": c.new_text}
                        for c in result.conflicts
                    ],
                    "before": before,
                }
                changes.append((proposal, status_before, {"status": "conflicted", "reason": result.reason}))
            else:
                proposal.emphasis = _map_emphasis(list(proposal.emphasis), proposal.text, result.text)
                proposal.base_text, proposal.text = new_base, result.text
                proposal.patch = textengine.make_patch(new_base, result.text)
                proposal.revision, proposal.status = revision, S.SUBMITTED
                proposal.refit = {
                    "status": "clean",
                    "before": before,
                    "after": {"base_text": new_base, "text": result.text},
                }
                changes.append((proposal, status_before, {"status": "refitted", "refit": "clean", "text": result.text}))
    return changes
