"""Background jobs (exports) a user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from drafting.access import Reader as User
from drafting.models import ExportJob, Meeting
from drafting.selectors.access import declaration_list


def export_job_list(*, user: User) -> QuerySet[ExportJob]:
    """Export jobs of the declarations the user may read; those of the
    adopted text only for the meeting's Secretariat."""
    jobs = ExportJob.objects.select_related("revision", "base_revision", "requested_by")
    if getattr(user, "is_superuser", False):
        return jobs.all()
    readable = jobs.filter(declaration__in=declaration_list(user=user).values("pk"))
    staffed = Meeting.objects.filter(secretariat_staff=user.pk).values("pk")
    return readable.filter(Q(secretariat_only=False) | Q(declaration__meeting__in=staffed))
