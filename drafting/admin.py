"""Admin for the organisational models, so the Secretariat can manage
delegations, delegates and meetings without the API. Changes made here are
recorded in the negotiation record like any other.

Scoped (least privilege): a staff member who is not a superuser sees and
changes only what the meetings they serve as Secretariat own (the meeting,
its import and export jobs). Who serves as Secretariat of a meeting, which
delegation a user belongs to, and the delegations themselves (shared by every
meeting: changing one's kind would make observers negotiate) are changed by
a superuser only; a staff member may register a new delegation, and a
meeting they create has them as its Secretariat."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
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


def _superuser(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_superuser", False))


class MeetingScoped:
    """Only the objects of meetings the staff member serves as Secretariat
    (``meeting_path``: how the model reaches its meeting). Every admin view
    (list, change, delete, bulk actions) reads through ``get_queryset``."""

    meeting_path = ""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: QuerySet[Any] = super().get_queryset(request)  # type: ignore[misc]
        if _superuser(request):
            return queryset
        staff = f"{self.meeting_path}__secretariat_staff" if self.meeting_path else "secretariat_staff"
        return queryset.filter(**{staff: request.user}).distinct()


class SuperuserChanges:
    """Seen by staff with the view permission; changed by superusers only."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _superuser(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _superuser(request)


@admin.register(Delegation)
class DelegationAdmin(SuperuserChanges, RecordedAdmin):
    list_display = ["code", "name_en", "name_es", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name_en", "name_es"]


@admin.register(Delegate)
class DelegateAdmin(SuperuserChanges, RecordedAdmin):
    list_display = ["user", "delegation"]
    list_filter = ["delegation__kind"]
    search_fields = ["user__username", "delegation__code"]
    autocomplete_fields = ["delegation"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _superuser(request)


@admin.register(Meeting)
class MeetingAdmin(MeetingScoped, RecordedAdmin):
    list_display = ["title", "place", "start_date", "end_date", "ppt", "members_only"]
    list_filter = ["members_only"]
    search_fields = ["title", "place"]
    filter_horizontal = ["participants", "secretariat_staff"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if _superuser(request) else [*readonly, "secretariat_staff"]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if not change and not _superuser(request):
            # a meeting a staff member sets up is theirs to run (and only theirs to see)
            form.instance.secretariat_staff.add(request.user)
            organisation_change_record(
                actor=request.user, obj=form.instance, action="changed", fields=["secretariat_staff"]
            )


@admin.register(ExportJob)
class ExportJobAdmin(MeetingScoped, admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: jobs are made through the API and finished by workers; the
    Secretariat looks here to see what was rendered, and why a job failed."""

    meeting_path = "declaration__meeting"
    list_display = ["id", "declaration", "kind", "format", "status", "attempts", "created_at", "finished_at"]
    list_filter = ["status", "kind", "format"]
    search_fields = ["declaration__title", "error"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ImportJob)
class ImportJobAdmin(MeetingScoped, admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only, like exports: uploads go through the API or ``import_draft``."""

    meeting_path = "meeting"
    list_display = ["id", "filename", "meeting", "declaration", "status", "created_at", "confirmed_at"]
    list_filter = ["status"]
    search_fields = ["filename", "error"]
    exclude = ["content"]  # the upload's bytes mean nothing on screen

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
