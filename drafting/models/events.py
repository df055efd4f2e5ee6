"""The append-only negotiation record.

Rows are only ever inserted (by ``drafting.services.events.event_record``);
database triggers (migration 0002) refuse UPDATE and DELETE, so the record
cannot be rewritten even by code that bypasses the services.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class EventVerb(models.TextChoices):
    """Every verb the negotiation record holds: what ``event_record`` and
    ``proposal_events_record`` take (the values are the strings stored since
    the first migration; renaming one would split the record's history)."""

    # accounts and sign-in (the Secretariat's desk)
    ACCOUNT_CREATED = "account.created"
    ACCOUNT_RESET = "account.reset"
    ACCOUNT_ACTIVATED = "account.activated"
    ACCOUNT_DEACTIVATED = "account.deactivated"
    ACCOUNT_LINK_CREATED = "account.link_created"
    ACCOUNT_LINK_REVOKED = "account.link_revoked"
    ACCOUNT_LINK_USED = "account.link_used"
    USER_LOCKOUT_RESET = "user.lockout_reset"
    # organisation (the admin and the demo): "<model>.<created|changed|deleted>"
    DELEGATION_CREATED = "delegation.created"
    DELEGATION_CHANGED = "delegation.changed"
    DELEGATION_DELETED = "delegation.deleted"
    DELEGATE_CREATED = "delegate.created"
    DELEGATE_CHANGED = "delegate.changed"
    DELEGATE_DELETED = "delegate.deleted"
    MEETING_CREATED = "meeting.created"
    MEETING_CHANGED = "meeting.changed"
    MEETING_DELETED = "meeting.deleted"
    MEETING_SET_UP = "meeting.set_up"
    MEETING_TRANSLATOR_NAMED = "meeting.translator_named"
    MEETING_TRANSLATOR_REMOVED = "meeting.translator_removed"
    # texts
    DECLARATION_CREATED = "declaration.created"
    DECLARATION_ADOPTED = "declaration.adopted"
    REVISION_ISSUED = "revision.issued"
    PARAGRAPH_CHANGED = "paragraph.changed"
    PARAGRAPH_TRANSLATED = "paragraph.translated"
    # the chair's actions on a paragraph: "paragraph.<action>" (drafting/states.py TRANSITIONS)
    PARAGRAPH_OPEN = "paragraph.open"
    PARAGRAPH_BRACKET = "paragraph.bracket"
    PARAGRAPH_UNBRACKET = "paragraph.unbracket"
    PARAGRAPH_AGREE_AD_REF = "paragraph.agree_ad_ref"
    PARAGRAPH_AGREE = "paragraph.agree"
    PARAGRAPH_CONFIRM = "paragraph.confirm"
    PARAGRAPH_HOLD = "paragraph.hold"
    PARAGRAPH_RESUME = "paragraph.resume"
    PARAGRAPH_REOPEN = "paragraph.reopen"
    PARAGRAPH_OBJECTED = "paragraph.objected"
    PARAGRAPH_OBJECTION_WITHDRAWN = "paragraph.objection_withdrawn"
    DISCUSSION_SET = "discussion.set"
    DISCUSSION_CLEARED = "discussion.cleared"
    # proposals and positions; the bulk moves are "proposal.<status after>"
    PROPOSAL_SUBMITTED = "proposal.submitted"
    PROPOSAL_WITHDRAWN = "proposal.withdrawn"
    PROPOSAL_SUPPORTED = "proposal.supported"
    PROPOSAL_OBJECTED = "proposal.objected"
    POSITION_WITHDRAWN = "position.withdrawn"
    PROPOSAL_ACCEPTED = "proposal.accepted"
    PROPOSAL_REJECTED = "proposal.rejected"
    PROPOSAL_INCORPORATED = "proposal.incorporated"
    PROPOSAL_CARRIED_OVER = "proposal.carried_over"
    PROPOSAL_REFITTED = "proposal.refitted"
    PROPOSAL_CONFLICTED = "proposal.conflicted"
    PROPOSAL_SUPERSEDED = "proposal.superseded"
    PROPOSAL_CITES_AGREED_LANGUAGE = "proposal.cites_agreed_language"
    # adoption
    ADOPTION_PROPOSED = "adoption.proposed"
    ADOPTION_OBJECTED = "adoption.objected"
    ADOPTION_OBJECTION_WITHDRAWN = "adoption.objection_withdrawn"
    ADOPTION_WITHDRAWN = "adoption.withdrawn"
    SILENCE_LAUNCHED = "silence.launched"
    SILENCE_BROKEN = "silence.broken"
    STATEMENT_RESERVATION = "statement.reservation"
    STATEMENT_EXPLANATION = "statement.explanation"
    # agreed language
    LIBRARY_FILED = "library.filed"
    LIBRARY_STATEMENT_EDITED = "library.statement_edited"
    # imports
    IMPORT_REQUESTED = "import.requested"
    IMPORT_READY = "import.ready"
    IMPORT_FAILED = "import.failed"
    IMPORT_CORRECTED = "import.corrected"
    IMPORT_CONFIRMED = "import.confirmed"


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
