"""Proposals delegations make against a paragraph, and positions on them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from drafting.models.organisation import Delegation
from drafting.models.texts import Declaration, Paragraph, Revision


class Proposal(models.Model):
    class Kind(models.TextChoices):
        REPLACE = "replace", "Replace the wording"
        INSERT_AFTER = "insert_after", "Insert a new paragraph after"
        DELETE = "delete", "Delete the paragraph"
        ALTERNATIVE = "alternative", "Alternative option"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        WITHDRAWN = "withdrawn", "Withdrawn"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        SUPERSEDED = "superseded", "Superseded"
        INCORPORATED = "incorporated", "Incorporated"
        NEEDS_REFIT = "needs_refit", "Needs re-fit"
        CONFLICTED = "conflicted", "Conflicted"

    PENDING = (Status.SUBMITTED,)

    declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT, related_name="proposals")
    paragraph = models.ForeignKey(Paragraph, on_delete=models.PROTECT, related_name="proposals")
    revision = models.ForeignKey(
        Revision,
        on_delete=models.PROTECT,
        related_name="proposals",
        help_text="The revision the proposal was written against.",
    )
    delegation = models.ForeignKey(Delegation, on_delete=models.PROTECT, related_name="proposals")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The paragraph as it stood in ``revision``: what the proposal edits.
    base_text = models.TextField()
    text = models.TextField(blank=True, help_text="Proposed wording; empty for a deletion.")
    emphasis = models.JSONField(default=list, blank=True)
    # The language the delegation wrote it in ("es"/"en"); "" = the declaration's original language.
    # The PPT decides on the original language's text (issue 15).
    language = models.CharField(max_length=2, blank=True)
    # Set when the paragraph changed under the proposal and it was re-fitted
    # (a revision issued, or another proposal on the paragraph accepted):
    # status (clean / rebased / conflicted), before and after, conflicts, and
    # what caused it (by_proposal / by_delegation for an acceptance).
    refit = models.JSONField(null=True, blank=True)
    rationale = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    # Optimistic concurrency: bumped by every change to the proposal or to the
    # positions on it, so a chair deciding on what they saw gets 409 if it moved.
    version = models.PositiveIntegerField(default=1)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    # Set when accepting an insertion creates the new paragraph.
    created_paragraph = models.ForeignKey(Paragraph, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    incorporated_in = models.ForeignKey(
        Revision, on_delete=models.PROTECT, null=True, blank=True, related_name="incorporated"
    )
    # The agreed language the proposal reuses (drafting/services/library.py).
    source_statement = models.ForeignKey(
        "drafting.AgreedStatement", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["declaration", "status"]),
            models.Index(fields=["paragraph", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="delete", text="") | (~Q(kind="delete") & ~Q(text="")),
                name="proposal_text_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True)
                | Q(status__in=["accepted", "rejected", "superseded", "incorporated"]),
                name="proposal_decided_only_when_decided",
            ),
        ]

    def __str__(self) -> str:
        return f"Proposal {self.pk} ({self.kind}) by {self.delegation_id}"


class Position(models.Model):
    """A member delegation's support for, or objection to, a proposal."""

    class Stance(models.TextChoices):
        SUPPORT = "support", "Support"
        OBJECT = "object", "Object"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="positions")
    delegation = models.ForeignKey(Delegation, on_delete=models.PROTECT, related_name="positions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    stance = models.CharField(max_length=8, choices=Stance.choices)
    reason = models.TextField(blank=True)
    # Set when the proposal was re-fitted onto a new wording after the position
    # was taken: it still counts (an objection still blocks), but it was given
    # on the earlier wording, until the delegation confirms it (sets it again)
    # or withdraws it.
    earlier_wording = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "delegation"], name="one_position_per_delegation"),
            models.CheckConstraint(condition=Q(stance="support") | ~Q(reason=""), name="objection_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.delegation_id} {self.stance}s proposal {self.proposal_id}"


class ParagraphObjection(models.Model):
    """A member delegation's standing objection to a paragraph as it stands
    (as opposed to an objection to one proposal on it)."""

    paragraph = models.ForeignKey(Paragraph, on_delete=models.CASCADE, related_name="objections")
    delegation = models.ForeignKey(Delegation, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["paragraph", "delegation"], name="one_paragraph_objection_per_delegation"),
            models.CheckConstraint(condition=~Q(reason=""), name="paragraph_objection_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.delegation_id} objects to ¶{self.paragraph_id}"
