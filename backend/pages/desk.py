"""The Technical Secretariat's desk for one of its meetings: delegates'
accounts (create with an initial-password sheet, reset, deactivate), import
a draft (preview, then confirm), request exports and download them. Jobs run
outside the request (a worker, or in-process on the embedded default); the
desk shows their progress and refreshes itself while any is unfinished."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from backend.pages import labels
from backend.pages.common import action, back, int_or_none, page, render_meeting, require_int, user_of
from drafting import selectors, services
from drafting.access import require_secretariat
from drafting.errors import InvalidInput
from drafting.models import ExportJob, ImportJob
from drafting.services import accounts
from drafting.services.import_jobs import max_import_bytes
from workers.export_jobs import export_request
from workers.importing import dispatch as import_dispatch

UNFINISHED = ("queued", "running")


def _desk_url(meeting_id: int) -> str:
    return reverse("pages:desk", args=[meeting_id])


@page
def desk(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, role = selectors.meeting_get(user=request.user, meeting_id=pk)
    require_secretariat(role, "use the Secretariat's desk")
    declarations = list(selectors.declaration_list(user=request.user).filter(meeting=meeting).order_by("id"))
    imports = list(ImportJob.objects.filter(meeting=meeting).select_related("declaration").order_by("-id")[:20])
    exports = list(
        selectors.export_job_list(user=request.user)
        .filter(declaration__meeting=meeting)
        .select_related("declaration")
        .order_by("-id")[:20]
    )
    busy = any(j.status in UNFINISHED for j in imports) or any(j.status in UNFINISHED for j in exports)
    return render_meeting(
        request,
        "pages/desk.html",
        {
            "role": role,
            "accounts": accounts.meeting_accounts(meeting=meeting),
            "delegations": meeting.participants.exclude(kind="secretariat").order_by("code"),
            "declarations": declarations,
            "imports": [(j, labels.JOB_STATUSES.get(j.status, j.status)) for j in imports],
            "exports": [(j, labels.JOB_STATUSES.get(j.status, j.status)) for j in exports],
            "export_kinds": list(labels.EXPORT_KINDS.items()),
            "busy": busy,
            "max_import_mb": max_import_bytes() // (1024 * 1024),
        },
        meeting,
    )


def _sheet(request: HttpRequest, meeting_pk: int, rows: list[dict[str, Any]]) -> HttpResponse:
    """The initial-password sheet: shown once, printable, never stored."""
    meeting, _role = selectors.meeting_get(user=request.user, meeting_id=meeting_pk)
    sign_in = request.build_absolute_uri(reverse("pages:sign-in"))
    response = render_meeting(request, "pages/sheet.html", {"rows": rows, "sign_in": sign_in}, meeting)
    response["Cache-Control"] = "no-store"
    return response


@action
def account_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, _role = selectors.meeting_get(user=request.user, meeting_id=pk)
    user, password = accounts.account_create(
        actor=user_of(request),
        meeting=meeting,
        delegation_code=request.POST.get("delegation", ""),
        username=request.POST.get("username", ""),
        full_name=request.POST.get("full_name", ""),
    )
    return _sheet(request, pk, [{"user": user, "delegation": user.delegate.delegation, "password": password}])


@action
def account_reset(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    meeting, _role = selectors.meeting_get(user=request.user, meeting_id=pk)
    user, password = accounts.account_reset(actor=user_of(request), meeting=meeting, user_id=user_id)
    return _sheet(request, pk, [{"user": user, "delegation": user.delegate.delegation, "password": password}])


@action
def account_deactivate(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    meeting, _role = selectors.meeting_get(user=request.user, meeting_id=pk)
    user = accounts.account_set_active(actor=user_of(request), meeting=meeting, user_id=user_id, active=False)
    messages.success(request, _("%(user)s can no longer sign in.") % {"user": user.username})
    return back(request, _desk_url(pk))


@action
def import_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, _role = selectors.meeting_get(user=request.user, meeting_id=pk)
    upload = request.FILES.get("file")
    pasted = request.POST.get("text", "")
    if upload is None and not pasted.strip():
        raise InvalidInput(_("Choose a Word file or paste the text."), fields={"file": [_("Nothing to import.")]})
    if upload is not None and upload.size is not None and upload.size > max_import_bytes():
        raise InvalidInput(
            _("The file is too large: at most %(mb)s MB.") % {"mb": max_import_bytes() // (1024 * 1024)},
        )
    declaration = None
    declaration_id = int_or_none(request.POST.get("declaration"))
    if declaration_id is not None:
        declaration, _r = selectors.declaration_get(user=request.user, declaration_id=declaration_id)
    translation = request.FILES.get("translation_file")
    if translation is not None and translation.size is not None and translation.size > max_import_bytes():
        raise InvalidInput(
            _("The file is too large: at most %(mb)s MB.") % {"mb": max_import_bytes() // (1024 * 1024)},
        )
    job = services.import_job_create(
        actor=user_of(request),
        meeting=meeting,
        declaration=declaration,
        content=upload.read() if upload is not None else pasted.encode("utf-8"),
        filename=(upload.name or "upload") if upload is not None else "pasted.txt",
        title=request.POST.get("title", ""),
        translation_content=translation.read() if translation is not None else None,
        translation_filename=(translation.name or "translation") if translation is not None else "",
        translation_only=request.POST.get("translation_only") == "1",
        dispatch=import_dispatch,
    )
    messages.success(request, _("Import %(id)s is queued; its preview appears below when read.") % {"id": job.pk})
    return back(request, _desk_url(pk), f"import-{job.pk}")


@page
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    job = services.import_job_get(user=user_of(request), job_id=pk)
    return render_meeting(
        request,
        "pages/import_preview.html",
        {"job": job, "status_label": labels.JOB_STATUSES.get(job.status, job.status)},
        job.meeting,
    )


@action
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    job = services.import_job_confirm(actor=user_of(request), job_id=pk, note=request.POST.get("note", ""))
    messages.success(request, _("Import %(id)s is confirmed.") % {"id": pk})
    return back(request, _desk_url(job.meeting_id))


@action
def export_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, _role = selectors.meeting_get(user=request.user, meeting_id=pk)
    declaration_id = require_int(request.POST.get("declaration"), "declaration")
    declaration, _r = selectors.declaration_get(user=request.user, declaration_id=declaration_id)
    if declaration.meeting_id != meeting.pk:
        raise InvalidInput(_("That declaration belongs to another meeting."))
    job, _created = export_request(
        actor=user_of(request),
        declaration_id=declaration.pk,
        kind=request.POST.get("kind", ""),
        fmt=request.POST.get("format", ExportJob.Format.DOCX),
        language=request.POST.get("language") or None,
    )
    messages.success(request, _("Export %(id)s requested.") % {"id": job.pk})
    return back(request, _desk_url(pk), f"export-{job.pk}")
