"""Re-fitting pending proposals when the paragraph under them changes.

Two causes, one engine (:func:`drafting.textengine.refit_all`, a verified
3-way merge of word edits):

- a revision is issued (:func:`proposals_refit`): a proposal whose paragraph
  is unchanged simply moves to the new revision; where it changed, a clean
  re-fit becomes a proposal against the new revision;
- the PPT accepts another proposal on the same paragraph
  (:func:`proposals_refit_after_accept`): the others are re-fitted onto the
  new working text at once, and stay against the same revision.

Either way a clean re-fit keeps its before and after (``refit``) and its
positions (flagged as given on the earlier wording); a conflicted one keeps
its original and a best-effort re-fit for the delegation to look at and
withdraw or resubmit. Nothing is applied silently.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _

from drafting import textengine
from drafting.errors import Conflict
from drafting.models import Proposal, Revision
from drafting.textnorm import Span, merge_spans

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


def map_emphasis(spans: list[Span], old: str, new: str) -> list[Span]:
    if not spans or old == new:
        return spans
    edits = textengine.word_diff(old, new, readable=False).edits
    mapped: list[Span] = []
    for span in spans:
        start, end = _map_offset(span["start"], edits), _map_offset(span["end"], edits)
        if start < end:
            mapped.append({"start": start, "end": end, "style": span["style"]})
    return mapped


def emphasis_after_refit(*, paragraph: list[Span], own: list[Span], result: textengine.RefitResult) -> list[Span]:
    """The emphasis of a clean re-fit (``result``), over ``result.text``: where the
    text is the new paragraph's own (outside the proposal's edits), the paragraph's
    current emphasis (``paragraph``, so what an accepted proposal made bold stays
    bold); inside the words the proposal writes, the proposal's own (``own``, over
    its text as written). A span cut by an edit is rejoined when the proposal's
    words carry the same style."""
    assert result.text is not None
    pieces: list[Span] = []

    def carry(spans: list[Span], lo: int, hi: int, delta: int) -> None:
        for span in spans:
            start, end = max(span["start"], lo), min(span["end"], hi)
            if start < end:
                pieces.append({"start": start + delta, "end": end + delta, "style": span["style"]})

    done = shift = own_shift = 0  # new-base offset reached; result − new base; proposed − old base
    for new, old in zip(result.edits, result.proposal_edits, strict=True):
        carry(paragraph, done, new.start, shift)
        at, own_at = new.start + shift, old.start + own_shift
        carry(own, own_at, own_at + len(new.replacement), at - own_at)
        shift, own_shift, done = shift + new.delta, own_shift + old.delta, new.end
    carry(paragraph, done, len(result.text) - shift, shift)
    return merge_spans(pieces)


Change = tuple[Proposal, str, dict[str, Any]]
"""(proposal, its status before, the event payload of what it became)."""


def _before(proposal: Proposal) -> dict[str, Any]:
    return {"status": proposal.status, "base_text": proposal.base_text, "text": proposal.text}


def _rebase_deletion(proposal: Proposal, new_base: str) -> None:
    """A deletion is about the paragraph, not its words: it means the same on
    any wording, so it moves onto ``new_base`` as it is (``rebased``)."""
    before = _before(proposal)
    proposal.base_text, proposal.status = new_base, S.SUBMITTED
    proposal.refit = {"status": "rebased", "before": before}


def _take(proposal: Proposal, result: textengine.RefitResult, new_base: str, emphasis: list[Span] | None = None) -> str:
    """Move ``proposal`` (in place) to what the engine's ``result`` says, and
    return the outcome: ``clean`` (pending on ``new_base``, before and after
    kept), ``conflicted`` (kept as written, with the engine's best effort and
    the colliding spans) or ``already_incorporated`` (the caller decides what
    that status means on its path)."""
    before = _before(proposal)
    if result.status is textengine.RefitStatus.ALREADY_INCORPORATED:
        proposal.refit = {"status": "already_incorporated", "before": before}
        return "already_incorporated"
    if result.status is textengine.RefitStatus.CONFLICTED or result.text is None:
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
        return "conflicted"
    if emphasis is None:  # the paragraph's emphasis is not known here: the proposal's own, moved
        proposal.emphasis = map_emphasis(list(proposal.emphasis), proposal.text, result.text)
    else:
        proposal.emphasis = emphasis_after_refit(paragraph=emphasis, own=list(proposal.emphasis), result=result)
    proposal.base_text, proposal.text = new_base, result.text
    proposal.status = S.SUBMITTED
    proposal.refit = {"status": "clean", "before": before, "after": {"base_text": new_base, "text": result.text}}
    return "clean"


def in_other_language(proposal: Proposal, original_language: str | None) -> bool:
    """Written in the declaration's other language (issue 15): its words are not
    the original's, so no word-level merge with the original applies to it."""
    return original_language is not None and proposal.language not in ("", original_language)


def _conflict_other_language(proposal: Proposal, new_base: str) -> dict[str, Any]:
    """The original wording changed under a proposal written in the other
    language. Merging English words into a Spanish diff (or the reverse) would
    mix the languages, so it is conflicted as written: its delegation rereads
    the paragraph and withdraws it or tables it again."""
    before = _before(proposal)
    proposal.status = S.CONFLICTED
    proposal.refit = {"status": "conflicted", "reason": "other_language", "new_base_text": new_base, "before": before}
    return {"status": "conflicted", "reason": "other_language"}


def proposals_refit(
    *,
    proposals: list[Proposal],
    revision: Revision,
    texts: dict[int | None, str],
    emphases: dict[int | None, list[Span]] | None = None,
    original_language: str | None = None,
) -> list[Change]:
    """Re-fit ``proposals`` (pending, whose paragraph text changed) onto the
    paragraph texts (and emphasis) of ``revision``. Updates the objects in place (the caller
    saves them) and returns (proposal, status before, event payload) for each."""
    groups: dict[tuple[int, str], list[Proposal]] = defaultdict(list)
    changes: list[Change] = []
    for proposal in proposals:
        if proposal.kind == K.DELETE:
            status_before = proposal.status
            _rebase_deletion(proposal, texts[proposal.paragraph_id])
            proposal.revision = revision
            changes.append((proposal, status_before, {"status": "refitted", "refit": "rebased"}))
        elif in_other_language(proposal, original_language):
            status_before = proposal.status
            changes.append((proposal, status_before, _conflict_other_language(proposal, texts[proposal.paragraph_id])))
        else:
            groups[(proposal.paragraph_id, proposal.base_text)].append(proposal)

    for (paragraph_id, old_base), group in groups.items():
        new_base = texts[paragraph_id]
        results = textengine.refit_all(old_base, new_base, [(p.pk, p.text) for p in group])
        for proposal in group:
            status_before = proposal.status
            emphasis = None if emphases is None else list(emphases.get(paragraph_id) or [])
            outcome = _take(proposal, results[proposal.pk], new_base, emphasis)
            if outcome == "already_incorporated":
                proposal.status, proposal.incorporated_in = S.INCORPORATED, revision
                after = {"status": "incorporated", "refit": outcome, "revision": revision.pk}
            elif outcome == "conflicted":
                after = {"status": "conflicted", "reason": results[proposal.pk].reason}
            else:
                proposal.revision = revision
                after = {"status": "refitted", "refit": "clean", "text": proposal.text}
            changes.append((proposal, status_before, after))
    return changes


def _possessive(code: str) -> str:
    return f"{code}'s"


def proposals_refit_after_accept(
    *,
    accepted: Proposal,
    old_text: str,
    rivals: list[Proposal],
    new_text: str | None = None,
    new_emphasis: list[Span] | None = None,
    original_language: str | None = None,
) -> list[Change]:
    """Re-fit the ``rivals`` (pending proposals that edit the text of the
    paragraph ``accepted`` just changed from ``old_text``) onto its new
    wording, ``new_text`` (``accepted.text`` unless the accepted proposal was
    written in the other language: then the original wording the PPT decided
    on); or supersede them when ``accepted`` deleted
    the paragraph. In place, like :func:`proposals_refit`; the proposals keep
    their revision (they are now written against the working text).

    The rules (README, "Diffs and re-fitting"):

    - replace and alternative: the engine's verified 3-way re-fit. Clean (no
      edit of it touches the words the accepted proposal changed) → pending on
      the new wording; overlap → ``conflicted``, never superseded, never
      applied. An alternative to the old wording is thus still an alternative
      to the new one exactly when its own span is untouched; one that rewrites
      the whole paragraph collides with any change and is conflicted, for its
      delegation to withdraw or table again against the new wording.
    - delete: deleting a paragraph means the same whatever its wording, so a
      deletion of a paragraph another accepted proposal rewrote stays pending,
      ``rebased`` onto the new wording (positions on it flagged).
    - one that already reads as the new wording has nothing left to propose:
      superseded, as is everything when the paragraph itself was deleted.
    - one already ``conflicted`` waits for its delegation (re-fitting it again
      would hide the conflict), unless the paragraph is deleted.
    """
    by = {"by_proposal": accepted.pk, "by_delegation": accepted.delegation.code}
    theirs = _possessive(accepted.delegation.code)
    changes: list[Change] = []
    if accepted.kind == K.DELETE:
        for proposal in rivals:
            changes.append(
                (
                    proposal,
                    proposal.status,
                    {
                        "status": "superseded",
                        **by,
                        "summary": f"{_possessive(proposal.delegation.code)} proposal superseded: "
                        f"{theirs} deletion of the paragraph was accepted",
                    },
                )
            )
            proposal.status = S.SUPERSEDED
        return changes

    new_text = accepted.text if new_text is None else new_text
    if new_text == old_text:
        return changes  # only the emphasis changed: the words under every rival are as they were
    live = [p for p in rivals if p.status != S.CONFLICTED]
    for proposal in [p for p in live if p.kind != K.DELETE and in_other_language(p, original_language)]:
        status_before = proposal.status
        after = {**_conflict_other_language(proposal, new_text), **by}
        after["summary"] = (
            f"{_possessive(proposal.delegation.code)} proposal, in the other language, conflicted after {theirs} "
            "was accepted: the original wording changed under it"
        )
        changes.append((proposal, status_before, after))
        live.remove(proposal)
    words = [p for p in live if p.kind != K.DELETE]
    results = textengine.refit_all(old_text, new_text, [(p.pk, p.text) for p in words])
    for proposal in live:
        status_before, whose = proposal.status, _possessive(proposal.delegation.code)
        if proposal.kind == K.DELETE:
            _rebase_deletion(proposal, new_text)
            outcome = "rebased"
        else:
            outcome = _take(
                proposal,
                results[proposal.pk],
                new_text,
                list(accepted.emphasis if new_emphasis is None else new_emphasis),
            )
        assert proposal.refit is not None  # set by either path above
        proposal.refit.update(by)
        if outcome == "already_incorporated":
            proposal.status = S.SUPERSEDED
            after = {"status": "superseded", "refit": outcome, **by}
            after["summary"] = f"{whose} proposal superseded: {theirs} accepted wording already reads as it"
        elif outcome == "conflicted":
            after = {"status": "conflicted", "reason": results[proposal.pk].reason, **by}
            after["summary"] = (
                f"{whose} proposal conflicted after {theirs} was accepted: both change the same words; "
                "kept as written for its delegation to withdraw or table again"
            )
        else:
            after = {"status": "refitted", "refit": outcome, "text": proposal.text, **by}
            after["summary"] = f"{whose} proposal re-fitted after {theirs} was accepted"
        changes.append((proposal, status_before, after))
    return changes


def submitted_text_refit(*, read: str, proposed: str, current: str, emphasis: list[Span]) -> tuple[str, list[Span]]:
    """A proposal written on ``read``, the paragraph as its delegation last saw
    it, while the working text is now ``current`` (another proposal accepted in
    between): re-fitted by the same engine, or refused with 409 when it touches
    the words that changed, so a stale page never proposes to undo an accepted
    change without saying so. Returns the text and emphasis on ``current``."""
    result = textengine.refit(read, proposed, current)
    if result.status is textengine.RefitStatus.ALREADY_INCORPORATED:
        raise Conflict(
            _("The paragraph already reads as your proposal: a proposal accepted since you read it made the change."),
            extra={"paragraph_text": current},
        )
    if result.status is textengine.RefitStatus.CONFLICTED or result.text is None:
        raise Conflict(
            _("The paragraph changed since you read it, on the words you edit; reread it and propose again."),
            extra={"paragraph_text": current, "best_effort_text": result.best_effort_text},
        )
    return result.text, map_emphasis(emphasis, proposed, result.text)
