"""The library of agreed language: statements the Conference has adopted,
with where they come from, reusable in new proposals.

Search columns are not fields here: on PostgreSQL the migration adds two
generated ``tsvector`` columns (``search_es``, ``search_en``) and trigram
indexes; on SQLite an FTS5 table ``drafting_agreedstatement_fts`` that
``drafting/services/library.py`` keeps in step. See ``drafting/library/README.md``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from drafting.models.organisation import Meeting
from drafting.models.texts import Declaration, Language, Paragraph


class AgreedStatement(models.Model):
    class Theme(models.TextChoices):
        # The six thematic consultations of the Global Compact (seed 004).
        TS1 = "TS1", "Human rights of all migrants"
        TS2 = "TS2", "Drivers of migration"
        TS3 = "TS3", "International cooperation and governance"
        TS4 = "TS4", "Contributions of migrants and diasporas to sustainable development"
        TS5 = "TS5", "Smuggling of migrants and trafficking in persons"
        TS6 = "TS6", "Irregular migration and regular pathways"

    class Category(models.TextChoices):
        # The New York Declaration's kinds of product (seed 004's colour code).
        PRINCIPLE = "principle", "Principle"
        UNDERSTANDING = "understanding", "Understanding"
        COMMITMENT = "commitment", "Commitment"
        UNCLASSIFIED = "unclassified", "Not yet classified"

    class Origin(models.TextChoices):
        SEED = "seed", "Imported compilation"
        ADOPTED = "adopted", "Adopted declaration"

    text_es = models.TextField(blank=True, help_text="The Spanish text, where it exists.")
    text_en = models.TextField(blank=True, help_text="The English text, where it exists.")
    original_language = models.CharField(max_length=2, choices=Language.choices, default=Language.ES)
    theme = models.CharField(max_length=3, choices=Theme.choices, blank=True)
    subtheme = models.CharField(max_length=300, blank=True)
    related_themes = models.JSONField(default=list, blank=True, help_text='Other themes it is relevant for ["TS3"].')
    category = models.CharField(max_length=16, choices=Category.choices, default=Category.UNCLASSIFIED)
    tags = models.JSONField(default=list, blank=True)
    # --- source -----------------------------------------------------------------
    meeting_label = models.CharField(max_length=120, help_text="e.g. XXI RCM")
    year = models.PositiveSmallIntegerField()
    declaration_title = models.CharField(max_length=500, blank=True)
    paragraph_label = models.CharField(max_length=40, blank=True, help_text="e.g. Decision 12, OP3")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    paragraph = models.ForeignKey(Paragraph, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    origin = models.CharField(max_length=8, choices=Origin.choices)
    # Idempotent imports: "seed004:TS1:7", "paragraph:42".
    import_key = models.CharField(max_length=80, unique=True)
    # --- validity ---------------------------------------------------------------
    still_valid = models.BooleanField(default=True)
    superseded_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="supersedes"
    )
    validity_note = models.TextField(blank=True)
    # The first statement of its group of near-duplicates (the same language
    # filed under several themes, or re-adopted); empty for that first one.
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["theme", "year"]),
            models.Index(fields=["meeting_label"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(text_es="") | ~Q(text_en=""), name="agreed_statement_has_text"),
            models.CheckConstraint(
                condition=Q(superseded_by__isnull=True) | Q(still_valid=False),
                name="superseded_statement_is_not_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_label} ({self.year}) {self.paragraph_label}".strip()
