"""The Technical Secretariat's desk for one of its meetings: delegates'
accounts (create with an initial-password sheet, reset, deactivate), import
a draft (preview, then confirm), request exports and download them. Jobs run
outside the request (a worker, or in-process on the embedded default); the
desk shows their progress and refreshes itself while any is unfinished."""

from __future__ import annotations

import zoneinfo
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
from drafting.importing.corrections import PARAGRAPH_KINDS, SECTION_KINDS
from drafting.models import Delegation, ExportJob, ImportJob, Meeting
from drafting.services import accounts, sign_in_links
from drafting.services.import_jobs import max_import_bytes
from drafting.services.meetings import meeting_setup
from workers import tasks

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
            "links": sign_in_links.sign_in_link_list(actor=user_of(request), meeting=meeting),
            "delegations": meeting.participants.exclude(kind="secretariat").order_by("code"),
            "declarations": declarations,
            "imports": [(j, labels.JOB_STATUSES.get(j.status, j.status), selectors.job_error(j)) for j in imports],
            "exports": [(j, labels.JOB_STATUSES.get(j.status, j.status), selectors.job_error(j)) for j in exports],
            "export_kinds": list(labels.EXPORT_KINDS.items()),
            "busy": busy,
            "max_import_mb": max_import_bytes() // (1024 * 1024),
            **_setup_context(meeting),
        },
        meeting,
    )


def _setup_context(meeting: Meeting) -> dict[str, Any]:
    """The set-up form: every delegation by kind, ticked when taking part."""
    present = set(meeting.participants.values_list("pk", flat=True))
    kinds = [(k, label) for k, label in labels.DELEGATION_KINDS.items()]
    everyone = list(Delegation.objects.exclude(kind=Delegation.Kind.SECRETARIAT).order_by("code"))
    return {
        "setup_groups": [
            (kind, label, [(d, d.pk in present) for d in everyone if d.kind == kind]) for kind, label in kinds
        ],
        "member_states": [d for d in everyone if d.kind == Delegation.Kind.MEMBER_STATE],
        "time_zones": sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc/")),
    }


@action
def setup(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, _role = selectors.meeting_get(user=request.user, meeting_id=pk)
    hours = request.POST.get("silence_hours", "")
    meeting_setup(
        actor=user_of(request),
        meeting=meeting,
        participants=request.POST.getlist("participants"),
        ppt=request.POST.get("ppt") or None,
        time_zone=request.POST.get("time_zone") or None,
        members_only=request.POST.get("members_only") == "on",
        silence_hours=require_int(hours, "silence_hours") if hours else None,
    )
    messages.success(request, _("The meeting is set up."))
    return back(request, _desk_url(pk), "setup-h")


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
        dispatch=tasks.import_dispatch,
    )
    messages.success(request, _("Import %(id)s is queued; its preview appears below when read.") % {"id": job.pk})
    return back(request, _desk_url(pk), f"import-{job.pk}")


def _numbered(preview: dict[str, Any] | None) -> list[tuple[dict[str, Any], list[tuple[int, dict[str, Any]]]]]:
    """The preview's sections, each paragraph with its position in the whole
    preview: what a correction names it by (drafting/importing/corrections.py)."""
    out, n = [], 0
    for section in (preview or {}).get("sections", []):
        rows = []
        for p in section.get("paragraphs", []):
            rows.append((n, p))
            n += 1
        out.append((section, rows))
    return out


@page
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    job = services.import_job_get(user=user_of(request), job_id=pk)
    return render_meeting(
        request,
        "pages/import_preview.html",
        {
            "job": job,
            "status_label": labels.JOB_STATUSES.get(job.status, job.status),
            "error": selectors.job_error(job),
            "sections": _numbered(job.preview),
            "paragraph_kinds": [(k, labels.IMPORT_PARAGRAPH_KINDS.get(k, k)) for k in PARAGRAPH_KINDS],
            "section_kinds": [(k, labels.IMPORT_SECTION_KINDS.get(k, k)) for k in SECTION_KINDS],
            "correctable": job.status == ImportJob.Status.READY and job.preview is not None,
        },
        job.meeting,
    )


def _index(value: str | None, field: str) -> int:
    """A position in the preview (0 is the first paragraph)."""
    raw = (value or "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise InvalidInput(_("Choose a valid item."), fields={field: [_("Missing or not a number.")]})
    return int(raw)


def _correction(request: HttpRequest, job: ImportJob) -> dict[str, Any]:
    """One correction from the preview page's small forms, in the
    operations' own terms (the service checks each against the preview)."""
    post = request.POST
    op = post.get("op", "")
    if op == "set_title":
        lines = [line for line in post.get("lines", "").splitlines() if line.strip()]
        return {"op": op, "lines": lines, "place_date": post.get("place_date", "")}
    if op == "include":
        operation: dict[str, Any] = {
            "op": op,
            "note": _index(post.get("note"), "note"),
            "kind": post.get("kind", "text"),
        }
        if post.get("before", "").strip():  # as the page numbers paragraphs, from 1
            operation["before"] = max(_index(post.get("before"), "before") - 1, 0)
        return operation
    operation = {"op": op, "paragraph": _index(post.get("paragraph"), "paragraph")}
    if op == "split":
        texts = [p.get("text", "") for _section, rows in _numbered(job.preview) for _n, p in rows]
        text = texts[operation["paragraph"]] if operation["paragraph"] < len(texts) else ""
        words = post.get("words", "").strip()
        at = text.find(words, 1) if words else -1
        if at <= 0:
            raise InvalidInput(
                _("Type the words the second paragraph starts with, as the paragraph has them."),
                fields={"words": [_("Not found after the start of the paragraph.")]},
            )
        operation["at"] = at
    elif op in ("set_kind", "set_section"):
        operation["kind"] = post.get("kind", "")
        if op == "set_kind":
            operation["level"] = int_or_none(post.get("level")) or 0
        else:
            operation["heading"] = post.get("heading", "")
    return operation


@action
def import_correct(request: HttpRequest, pk: int) -> HttpResponse:
    job = services.import_job_get(user=user_of(request), job_id=pk)
    operation = _correction(request, job)
    services.import_job_correct(actor=user_of(request), job_id=pk, operations=[operation])
    messages.success(request, _("The preview is corrected; check it, then confirm."))
    anchor = f"ip{operation['paragraph']}" if "paragraph" in operation else ""
    return back(request, reverse("pages:import-preview", args=[pk]), anchor)


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
    job, _created = services.export_job_request(
        actor=user_of(request),
        declaration_id=declaration.pk,
        kind=request.POST.get("kind", ""),
        fmt=request.POST.get("format", ExportJob.Format.DOCX),
        language=request.POST.get("language") or None,
        pdf_available=tasks.pdf_available(),
        dispatch=tasks.export_dispatch,
    )
    messages.success(request, _("Export %(id)s requested.") % {"id": job.pk})
    return back(request, _desk_url(pk), f"export-{job.pk}")
