"""Admin for the organisational models, so the Secretariat can manage
delegations, delegates and meetings without the API. Changes made here are
recorded in the negotiation record like any other."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from drafting.models import Delegate, Delegation, ExportJob, ImportJob, Meeting
from drafting.services.organisation import organisation_change_record


class RecordedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        organisation_change_record(
            actor=request.user, obj=obj, action="changed" if change else "created", fields=list(form.changed_data)
        )

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        organisation_change_record(actor=request.user, obj=obj, action="deleted", fields=[])
        super().delete_model(request, obj)


@admin.register(Delegation)
class DelegationAdmin(RecordedAdmin):
    list_display = ["code", "name_en", "name_es", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name_en", "name_es"]


@admin.register(Delegate)
class DelegateAdmin(RecordedAdmin):
    list_display = ["user", "delegation"]
    list_filter = ["delegation__kind"]
    search_fields = ["user__username", "delegation__code"]
    autocomplete_fields = ["delegation"]


@admin.register(Meeting)
class MeetingAdmin(RecordedAdmin):
    list_display = ["title", "place", "start_date", "end_date", "ppt", "members_only"]
    list_filter = ["members_only"]
    search_fields = ["title", "place"]
    filter_horizontal = ["participants", "secretariat_staff"]


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: jobs are made through the API and finished by workers; the
    Secretariat looks here to see what was rendered, and why a job failed."""

    list_display = ["id", "declaration", "kind", "format", "status", "attempts", "created_at", "finished_at"]
    list_filter = ["status", "kind", "format"]
    search_fields = ["declaration__title", "error"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only, like exports: uploads go through the API or ``import_draft``."""

    list_display = ["id", "filename", "meeting", "declaration", "status", "created_at", "confirmed_at"]
    list_filter = ["status"]
    search_fields = ["filename", "error"]
    exclude = ["content"]  # the upload's bytes mean nothing on screen

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
