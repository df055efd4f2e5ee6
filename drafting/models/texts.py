"""Declarations and their text.

A :class:`Paragraph` is an *identity*: it keeps its id when its wording
changes or when it is renumbered, so diffs, proposals and re-fitting can follow
it across revisions. What a paragraph says in one revision is a
:class:`RevisionParagraph`, part of an immutable :class:`Revision` snapshot.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from drafting.models.organisation import Delegation, Meeting
from drafting.states import State


class ParagraphKind(models.TextChoices):
    TITLE = "title", "Title"
    PLACE_DATE = "place_date", "Place and date"
    PREAMBULAR = "preambular", "Preambular"
    OPERATIVE = "operative", "Operative"
    HEADING = "heading", "Heading"
    TEXT = "text", "Unnumbered text"
    LIST_ITEM = "list_item", "List item"
    TABLE = "table", "Table"


class SectionKind(models.TextChoices):
    TITLE = "title", "Title block"
    PREAMBLE = "preamble", "Preamble"
    OPERATIVE = "operative", "Operative part"
    ANNEX = "annex", "Annex"


class Language(models.TextChoices):
    ES = "es", "Español"
    EN = "en", "English"


class Declaration(models.Model):
    class Kind(models.TextChoices):
        DECLARATION = "declaration", "Declaration"
        EXTRAORDINARY = "extraordinary_declaration", "Extraordinary declaration"
        DECISIONS = "decisions", "Decisions"
        CONCLUSIONS = "conclusions_recommendations", "Conclusions and recommendations"

    class Status(models.TextChoices):
        DRAFTING = "drafting", "Drafting"
        IN_ADOPTION = "in_adoption", "Adoption under way"
        SILENCE_PROCEDURE = "silence_procedure", "Under silence procedure"
        ADOPTED = "adopted", "Adopted"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="declarations")
    title = models.CharField(max_length=500)
    kind = models.CharField(max_length=40, choices=Kind.choices, default=Kind.DECLARATION)
    original_language = models.CharField(max_length=2, choices=Language.choices, default="es")
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.DRAFTING)
    # Bumped by every service that changes what a reader of this declaration
    # sees (revisions, proposals, positions). Readers use it as a cheap
    # change marker: ETags and cached renderings of a revision key on it.
    version = models.PositiveIntegerField(default=1)
    # "Now discussing OP5": set by the chair; every open page and the
    # projection screen follow it.
    discussing = models.ForeignKey("Paragraph", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return self.title


class Revision(models.Model):
    """An immutable snapshot of a declaration's whole text."""

    declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField(help_text="0 for the zero draft, n for Rev.n.")
    label = models.CharField(max_length=40)
    note = models.TextField(blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["declaration_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "number"], name="revision_number_unique"),
            models.UniqueConstraint(fields=["declaration", "label"], name="revision_label_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.declaration} — {self.label}"


class Section(models.Model):
    Kind = SectionKind

    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    heading = models.CharField(max_length=300, blank=True, help_text="e.g. DECISIONS, ANNEX A")
    # The heading in the declaration's other working language (issue 15): "" = not given.
    heading_translation = models.CharField(max_length=300, blank=True, help_text="e.g. DECISIONES, ANEXO A")

    class Meta:
        ordering = ["revision_id", "position"]
        constraints = [models.UniqueConstraint(fields=["revision", "position"], name="section_position_unique")]

    def __str__(self) -> str:
        return f"{self.revision_id}/{self.position} {self.heading or self.kind}"


class Paragraph(models.Model):
    """The stable identity of a paragraph across revisions, and its place in
    the *working text*: the current revision plus what the PPT has accepted
    since. Issuing a revision snapshots these rows into RevisionParagraphs."""

    declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT, related_name="paragraphs")
    introduced_in = models.ForeignKey(
        Revision,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="The first revision holding it; empty while it exists only in the working text.",
    )
    # --- working text ---------------------------------------------------------
    position = models.PositiveIntegerField(default=0, help_text="Order in the working text (gaps allowed).")
    section_kind = models.CharField(max_length=16, choices=SectionKind.choices, default=SectionKind.OPERATIVE)
    section_heading = models.CharField(max_length=300, blank=True)
    section_heading_translation = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=16, choices=ParagraphKind.choices, default=ParagraphKind.OPERATIVE)
    level = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(blank=True)
    emphasis = models.JSONField(default=list, blank=True)
    table = models.JSONField(null=True, blank=True)
    inserted = models.BooleanField(default=False, help_text="Inserted since the last revision (numbered bis/ter).")
    # --- negotiation ----------------------------------------------------------
    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN)
    ad_ref_delegation = models.ForeignKey(Delegation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Bracketed spans of ``text`` ([{"start", "end"}]); empty while bracketed = the whole paragraph.
    brackets = models.JSONField(default=list, blank=True)
    # Proposal ids offered as Alt 1, Alt 2 … while bracketed.
    alternatives = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=1)
    # --- the other language (issue 15) -----------------------------------------
    # ``text`` is in the declaration's ``original_language``; these hold the
    # other working language. ``text_version`` counts changes of the original
    # wording (text or table); ``translation_of`` is the ``text_version`` the
    # translation was made from: None = missing, != text_version = stale.
    text_version = models.PositiveIntegerField(default=1)
    translation_text = models.TextField(blank=True)
    translation_emphasis = models.JSONField(default=list, blank=True)
    translation_table = models.JSONField(null=True, blank=True)
    translation_of = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["declaration_id", "position", "id"]
        indexes = [models.Index(fields=["declaration", "position"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="agreed_ad_ref", ad_ref_delegation__isnull=False)
                | (~Q(state="agreed_ad_ref") & Q(ad_ref_delegation__isnull=True)),
                name="ad_ref_names_a_delegation_only_when_ad_ref",
            ),
        ]

    def __str__(self) -> str:
        return f"¶{self.pk}"


class RevisionParagraph(models.Model):
    """A paragraph as it stands in one revision."""

    Kind = ParagraphKind

    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="paragraphs")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="paragraphs")
    paragraph = models.ForeignKey(Paragraph, on_delete=models.PROTECT, related_name="versions")
    position = models.PositiveIntegerField(help_text="Order within the whole revision.")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    label = models.CharField(max_length=40, help_text="Derived from position: PP1, OP3, OP3 bis.")
    level = models.PositiveSmallIntegerField(default=0, help_text="Nesting of list items.")
    text = models.TextField(help_text="Plain text, Unicode NFC.")
    # Inline emphasis as spans over ``text``: [{"start", "end", "style"}],
    # style "bold" or "italic"; kept apart so the text engine diffs words only.
    emphasis = models.JSONField(default=list, blank=True)
    # Tables: rows of cells, each cell plain text. ``text`` then holds the
    # cells joined by tabs and rows by newlines, so search and diff still work.
    table = models.JSONField(null=True, blank=True)
    # Negotiation state when the revision was issued.
    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN)
    ad_ref_delegation = models.ForeignKey(Delegation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    brackets = models.JSONField(default=list, blank=True)
    # The other working language as it stood when the revision was issued
    # (see Paragraph): status "current", "stale" or "missing".
    translation_text = models.TextField(blank=True)
    translation_emphasis = models.JSONField(default=list, blank=True)
    translation_table = models.JSONField(null=True, blank=True)
    translation_status = models.CharField(max_length=8, default="missing")

    class Meta:
        ordering = ["revision_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "position"], name="revision_paragraph_position_unique"),
            models.UniqueConstraint(fields=["revision", "paragraph"], name="revision_paragraph_once"),
            models.CheckConstraint(condition=Q(kind="table") | Q(table__isnull=True), name="table_only_on_tables"),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.text[:60]}"
