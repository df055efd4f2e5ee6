"""Background jobs (exports and imports): which a user may see, and why one failed."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from drafting.access import Reader as User
from drafting.models import ExportJob, ImportJob, Meeting
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


def job_error(job: ExportJob | ImportJob) -> str:
    """Why a job failed, in the reader's language (the active one) where the
    reason was stored as a msgid (``error_i18n``), else as stored (English)."""
    stored = job.error_i18n
    if not stored:
        return job.error
    try:
        return str(gettext(stored["msgid"]) % stored["params"])
    except (KeyError, TypeError, ValueError):  # a row written by other code: what it says in English
        return job.error
