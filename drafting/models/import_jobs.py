"""Import jobs: a Word or plain-text draft uploaded by the Technical
Secretariat, read by a worker into a preview, and confirmed by the
Secretariat into a declaration's zero draft (or a new revision of an
existing declaration).

queued → running → ready (the preview) → confirmed; or → failed (a message
the Secretariat can act on). Nothing is created in the declaration's text
until confirmation, and confirmation happens once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from drafting.models.organisation import Meeting
from drafting.models.texts import Declaration, Revision


class ImportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        READY = "ready", "Preview ready"
        CONFIRMED = "confirmed", "Confirmed"
        FAILED = "failed", "Failed"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="import_jobs")
    # Set: the import becomes the next revision of this declaration, its
    # paragraphs matched to the existing ones. Empty: a new declaration.
    declaration = models.ForeignKey(
        Declaration, on_delete=models.PROTECT, null=True, blank=True, related_name="import_jobs"
    )
    filename = models.CharField(max_length=255)
    # The upload is kept in the row, not in media storage: it commits (or
    # vanishes) with the job, and a worker on another machine reads it from
    # the database it already uses, with no shared volume. Uploads are small
    # (CONSENSO_MAX_IMPORT_BYTES).
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the upload.")
    # What the Secretariat asked for when uploading; empty: taken from the document.
    title = models.CharField(max_length=500, blank=True)
    kind = models.CharField(max_length=40, blank=True, choices=Declaration.Kind.choices)
    original_language = models.CharField(max_length=2, blank=True)
    # Issue 15: the same declaration in the other working language, read with
    # the upload and aligned with it paragraph by paragraph; on confirmation it
    # is the paragraphs' translation. With ``translation_only`` the upload
    # itself is the other language of ``declaration``'s current revision:
    # confirming stores it as the translation and issues no revision.
    translation_content = models.BinaryField(null=True, blank=True)
    translation_filename = models.CharField(max_length=255, blank=True)
    translation_only = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    preview = models.JSONField(null=True, blank=True, help_text="Sections, paragraphs and counts found.")
    warnings = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    # The same reason as a catalogue msgid and its params ({"msgid", "params"}), so
    # each reader sees it in their language (selectors.job_error); ``error`` keeps
    # it in English for the log, the admin and the API.
    error_i18n = models.JSONField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    revision = models.ForeignKey(
        Revision, on_delete=models.PROTECT, null=True, blank=True, related_name="+", help_text="Made on confirmation."
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["meeting", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(revision__isnull=False), name="confirmed_import_has_a_revision"
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | Q(preview__isnull=False), name="ready_import_has_a_preview"
            ),
            models.CheckConstraint(condition=~Q(status="failed") | ~Q(error=""), name="failed_import_says_why"),
            models.CheckConstraint(
                condition=Q(translation_only=False) | Q(declaration__isnull=False),
                name="translation_import_names_its_declaration",
            ),
        ]

    def __str__(self) -> str:
        return f"import {self.pk}: {self.filename} ({self.status})"
