"""Input and output serializers of the imports API: inputs check a request's
shape (domain rules are the services'), outputs shape the answers."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from backend.api.fields import JobErrorField
from drafting.models import Declaration, ImportJob


class ImportCreateSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(
        required=False, help_text="The draft: a Word document (.docx) or plain text (.txt). Or send text."
    )
    text = serializers.CharField(
        required=False, trim_whitespace=False, help_text="Instead of a file: the draft's text, pasted."
    )
    meeting = serializers.IntegerField()
    declaration = serializers.IntegerField(
        required=False, allow_null=True, help_text="Import as the next revision of this declaration."
    )
    title = serializers.CharField(required=False, allow_blank=True, max_length=500, help_text="Default: as found.")
    kind = serializers.ChoiceField(choices=Declaration.Kind.choices, required=False, allow_blank=True)
    original_language = serializers.ChoiceField(choices=["es", "en"], required=False, allow_blank=True)
    translation_file = serializers.FileField(
        required=False,
        help_text="The same declaration in the other working language (.docx or .txt): read with `file` and "
        "aligned with it paragraph by paragraph; on confirmation each paragraph's translation.",
    )
    translation_only = serializers.BooleanField(
        required=False,
        default=False,
        help_text="`file` is the other language of `declaration`'s current revision: aligned with it and, on "
        "confirmation, stored as its translation (no revision is issued).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("file" in attrs) == ("text" in attrs):
            raise serializers.ValidationError({"file": ["Send a file, or the text in text (one of the two)."]})
        return attrs


class ImportConfirmSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class ImportCorrectionsSerializer(serializers.Serializer[Any]):
    operations = serializers.ListField(
        child=serializers.DictField(),
        min_length=1,
        max_length=500,
        help_text="Applied in order, all or none. Each is one of: "
        '{"op": "split", "paragraph": i, "at": n}; {"op": "merge", "paragraph": i}; '
        '{"op": "set_kind", "paragraph": i, "kind": k, "level": n}; '
        '{"op": "set_section", "paragraph": i, "kind": "preamble|operative|annex", "heading": h}; '
        '{"op": "set_title", "lines": [...], "place_date": d}; {"op": "exclude", "paragraph": i}; '
        '{"op": "include", "note": n, "before": i, "kind": k}. A paragraph is its position in the preview, '
        "counted from 0 through every section.",
    )


class ImportJobSerializer(serializers.ModelSerializer[ImportJob]):
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    # Blank until given: not the declaration kind enum, which has no blank.
    kind = serializers.CharField(
        read_only=True, help_text="The kind asked for on upload (a declaration kind), or empty: guessed on confirming."
    )
    created_declaration = serializers.SerializerMethodField(help_text="The declaration the confirmed import went into.")
    preview = serializers.JSONField(
        read_only=True,
        help_text="Once ready: title, place_date, language, members_present, sections with their paragraphs "
        "(kind, text, emphasis, level, table, source_label, where), notes beside the text (translator's notes, "
        "footnotes, explanations of position: never confirmed as text), counts, warnings (each guess names its "
        "paragraph in where), corrections made so far; for a new revision, each "
        "paragraph's ``paragraph`` (the existing identity it continues, or null) and identities (how many: "
        "exact, similar, new, dropped). With a translation: translation (language, filename, pairs in "
        "order, each {original, translation, how, text, translation_text} with null for an unpaired side, "
        "counts: pairs, unpaired_original, unpaired_translation).",
    )
    error = JobErrorField()
    warnings = serializers.JSONField(read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "status",
            "filename",
            "size",
            "meeting",
            "declaration",
            "title",
            "kind",
            "original_language",
            "translation_filename",
            "translation_only",
            "preview",
            "warnings",
            "error",
            "revision",
            "created_declaration",
            "requested_by",
            "created_at",
            "finished_at",
            "confirmed_at",
        ]
        read_only_fields = fields

    def get_created_declaration(self, job: ImportJob) -> int | None:
        return job.revision.declaration_id if job.revision is not None else None
