"""Export jobs: a request for a Word (or PDF) document of a declaration,
rendered by a worker, never inside the web request.

The row is the source of truth. A job is created ``queued`` and handed to the
broker after commit; if the broker is unreachable it stays ``queued`` and a
periodic sweep hands it over again, so no job is ever lost. A worker moves it
to ``running``, then ``done`` (file, size, checksum) or ``failed`` (a message a
user can act on).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from drafting.models.texts import Declaration, Revision


class Language(models.TextChoices):
    ORIGINAL = "", "Original language"
    ES = "es", "Español"
    EN = "en", "English"
    BOTH = "both", "Español | English"


class ExportJob(models.Model):
    Language = Language

    class Kind(models.TextChoices):
        CLEAN = "clean", "Clean declaration"
        COMPILATION = "compilation", "Compilation text"
        TRACKED = "tracked", "Tracked changes"
        RECORD = "record", "Negotiation record"

    class Format(models.TextChoices):
        DOCX = "docx", "Word (.docx)"
        PDF = "pdf", "PDF"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT, related_name="export_jobs")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    format = models.CharField(max_length=4, choices=Format.choices, default=Format.DOCX)
    # clean: the revision shown; tracked: the newer revision, compared with
    # ``base_revision``; compilation and record: empty (the working text).
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    base_revision = models.ForeignKey(Revision, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The document's language (issue 15): "es", "en", or "both" (side by side);
    # set from the declaration's original language when the request names none.
    language = models.CharField(max_length=4, choices=Language.choices, default=Language.ORIGINAL, blank=True)
    # "<document>#<digest of the renderer's input>" once rendered, so the same
    # input reuses the file; "<document>#queued" while waiting for a worker,
    # so requests for that document join the job (see services.export_jobs).
    fingerprint = models.CharField(max_length=200)
    # The adopted text is for the Technical Secretariat only.
    secretariat_only = models.BooleanField(default=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    dispatched_at = models.DateTimeField(null=True, blank=True, help_text="Last handed to the broker.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="exports/", max_length=300, blank=True)
    filename = models.CharField(max_length=200, blank=True, help_text="Name offered on download.")
    size = models.PositiveIntegerField(null=True, blank=True)
    checksum = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the file.")
    error = models.TextField(blank=True)
    # The same reason as a catalogue msgid and its params ({"msgid", "params"}), so
    # each reader sees it in their language (selectors.job_error); ``error`` keeps
    # it in English for the log, the admin and the API.
    error_i18n = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["fingerprint"], name="export_job_fingerprint"),
        ]
        constraints = [
            # At most one job per document waiting for a worker: requests
            # racing each other join one rendering.
            models.UniqueConstraint(
                fields=["fingerprint"], condition=Q(status="queued"), name="one_queued_export_per_document"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | (Q(size__isnull=False) & ~Q(checksum="")),
                name="done_export_has_a_file",
            ),
            models.CheckConstraint(
                condition=~Q(kind="tracked") | (Q(revision__isnull=False) & Q(base_revision__isnull=False)),
                name="tracked_export_names_two_revisions",
            ),
        ]

    def __str__(self) -> str:
        return f"export {self.pk}: {self.kind} {self.format} ({self.status})"
