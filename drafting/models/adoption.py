"""Adoption: in session or by silence procedure, and what members put on
record at adoption (reservations, explanations of position)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from drafting.models.organisation import Delegation
from drafting.models.texts import Declaration, Paragraph, Revision


class Adoption(models.Model):
    """One attempt to adopt a revision. At most one attempt per declaration
    is pending, and at most one ever succeeds: both are database constraints,
    so adoption happens exactly once even if two workers race."""

    class Method(models.TextChoices):
        IN_SESSION = "in_session", "In session"
        SILENCE = "silence", "Silence procedure"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ADOPTED = "adopted", "Adopted"
        BROKEN = "broken", "Silence broken"
        WITHDRAWN = "withdrawn", "Withdrawn by the PPT"

    declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT, related_name="adoptions")
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="adoptions")
    method = models.CharField(max_length=12, choices=Method.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    deadline = models.DateTimeField(null=True, blank=True, help_text="Silence procedure only.")
    concluded_at = models.DateTimeField(null=True, blank=True)
    # The adoption record: where, under which PPT, with which members present.
    place = models.CharField(max_length=200, blank=True)
    ppt = models.ForeignKey(Delegation, on_delete=models.PROTECT, related_name="+")
    present = models.ManyToManyField(Delegation, related_name="+", blank=True)
    # Adopted in the original language only, by the PPT's explicit choice, while the
    # other version was missing or stale (issue 15); recorded as such.
    original_language_only = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["declaration"], condition=Q(status="pending"), name="one_pending_adoption"),
            models.UniqueConstraint(fields=["declaration"], condition=Q(status="adopted"), name="adopted_exactly_once"),
            models.CheckConstraint(
                condition=Q(method="in_session") | Q(deadline__isnull=False), name="silence_has_deadline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} of {self.revision} ({self.status})"


class AdoptionObjection(models.Model):
    """An objection during adoption in session, or a break of silence."""

    adoption = models.ForeignKey(Adoption, on_delete=models.PROTECT, related_name="objections")
    delegation = models.ForeignKey(Delegation, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["adoption", "delegation"], name="one_adoption_objection_per_delegation"),
            models.CheckConstraint(condition=~Q(reason=""), name="adoption_objection_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.delegation_id} objects to adoption {self.adoption_id}"


class Statement(models.Model):
    """A reservation on a paragraph, or an explanation of position on the
    whole text, put on record at adoption and published with it."""

    class Kind(models.TextChoices):
        RESERVATION = "reservation", "Reservation"
        EXPLANATION = "explanation", "Explanation of position"

    adoption = models.ForeignKey(Adoption, on_delete=models.PROTECT, related_name="statements")
    declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT, related_name="statements")
    delegation = models.ForeignKey(Delegation, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    paragraph = models.ForeignKey(Paragraph, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="reservation") & Q(paragraph__isnull=False))
                | (Q(kind="explanation") & Q(paragraph__isnull=True)),
                name="reservation_on_a_paragraph_explanation_on_the_text",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.delegation_id}"
