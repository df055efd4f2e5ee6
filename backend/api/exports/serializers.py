"""Input and output serializers of the exports API: inputs check a request's
shape (domain rules are the services'), outputs shape the answers."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.reverse import reverse

from backend.api.fields import JobErrorField
from drafting.models import ExportJob


class ExportRequestSerializer(serializers.Serializer[Any]):
    declaration = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=ExportJob.Kind.choices)
    format = serializers.ChoiceField(choices=ExportJob.Format.choices, default=ExportJob.Format.DOCX)
    revision = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="clean: the revision shown; tracked: the newer revision (default: the current one).",
    )
    base_revision = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="tracked: the older revision (default: the one before `revision`).",
    )
    language = serializers.ChoiceField(
        choices=["es", "en", "both"],
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="The document's language: es, en, or both side by side (a two-column table, es | en). "
        "Default: the declaration's original language.",
    )


class ExportJobSerializer(serializers.ModelSerializer[ExportJob]):
    error = JobErrorField()
    # null for the kinds that show the working text (compilation, record)
    revision_label = serializers.CharField(source="revision.label", default=None, read_only=True, allow_null=True)
    base_revision_label = serializers.CharField(
        source="base_revision.label", default=None, read_only=True, allow_null=True
    )
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    download = serializers.SerializerMethodField(help_text="Where the file is, once done.")

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "declaration",
            "kind",
            "format",
            "language",
            "revision",
            "revision_label",
            "base_revision",
            "base_revision_label",
            "status",
            "error",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "attempts",
            "filename",
            "size",
            "checksum",
            "download",
        ]
        read_only_fields = fields

    def get_download(self, job: ExportJob) -> str | None:
        if job.status != ExportJob.Status.DONE:
            return None
        return reverse("export-file", args=[job.pk], request=self.context.get("request"))
