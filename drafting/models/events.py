"""The append-only negotiation record.

Rows are only ever inserted (by ``drafting.services.events.event_record``);
database triggers (migration 0002) refuse UPDATE and DELETE, so the record
cannot be rewritten even by code that bypasses the services.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Event(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    delegation = models.ForeignKey("drafting.Delegation", on_delete=models.PROTECT, null=True, related_name="+")
    verb = models.CharField(max_length=48, help_text="e.g. proposal.submitted")
    meeting = models.ForeignKey("drafting.Meeting", on_delete=models.PROTECT, null=True, related_name="events")
    declaration = models.ForeignKey("drafting.Declaration", on_delete=models.PROTECT, null=True, related_name="events")
    paragraph = models.ForeignKey("drafting.Paragraph", on_delete=models.PROTECT, null=True, related_name="events")
    proposal = models.ForeignKey("drafting.Proposal", on_delete=models.PROTECT, null=True, related_name="events")
    object_type = models.CharField(max_length=32)
    object_id = models.CharField(max_length=40)
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["declaration", "id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.verb} {self.object_type}:{self.object_id}"
