"""What delegations do on the text page: propose, support, object, withdraw;
and, while the text is before the room for adoption, object, break silence
or put a statement on record. Each view is one service call; the service
decides who may (members present; observers never)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from backend.pages.common import action, back, int_or_none, require_int, user_of
from drafting import selectors, services


def _text_url(declaration_id: int) -> str:
    return reverse("pages:text", args=[declaration_id])


@action
def propose(request: HttpRequest, pk: int) -> HttpResponse:
    declaration, _role = selectors.declaration_get(user=request.user, declaration_id=pk)
    paragraph_id = require_int(request.POST.get("paragraph"), "paragraph")
    proposal = services.proposal_submit(
        actor=user_of(request),
        declaration=declaration,
        revision_id=require_int(request.POST.get("revision"), "revision"),
        paragraph_id=paragraph_id,
        kind=request.POST.get("kind", ""),
        text=request.POST.get("text", ""),
        rationale=request.POST.get("rationale", ""),
        language=request.POST.get("language", ""),
    )
    messages.success(request, _("Your proposal is on the table (no. %(id)s).") % {"id": proposal.pk})
    return back(request, _text_url(pk), f"p{paragraph_id}")


@action
def support(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(user=request.user, proposal_id=pk)
    services.position_set(actor=user_of(request), proposal=proposal, stance="support")
    messages.success(request, _("Your delegation supports proposal %(id)s.") % {"id": pk})
    return back(request, _text_url(proposal.declaration_id), f"p{proposal.paragraph_id}")


@action
def object_to(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(user=request.user, proposal_id=pk)
    services.position_set(
        actor=user_of(request), proposal=proposal, stance="object", reason=request.POST.get("reason", "")
    )
    messages.success(request, _("Your objection to proposal %(id)s is on record.") % {"id": pk})
    return back(request, _text_url(proposal.declaration_id), f"p{proposal.paragraph_id}")


@action
def position_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(user=request.user, proposal_id=pk)
    services.position_withdraw(actor=user_of(request), proposal=proposal)
    messages.success(request, _("Your position on proposal %(id)s is withdrawn.") % {"id": pk})
    return back(request, _text_url(proposal.declaration_id), f"p{proposal.paragraph_id}")


@action
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(user=request.user, proposal_id=pk)
    services.proposal_withdraw(actor=user_of(request), proposal=proposal)
    messages.success(request, _("Proposal %(id)s is withdrawn.") % {"id": pk})
    return back(request, _text_url(proposal.declaration_id), f"p{proposal.paragraph_id}")


@action
def paragraph_object(request: HttpRequest, pk: int) -> HttpResponse:
    paragraph = selectors.paragraph_get(user=request.user, paragraph_id=pk)
    services.paragraph_object(actor=user_of(request), paragraph=paragraph, reason=request.POST.get("reason", ""))
    messages.success(request, _("Your objection to the paragraph is on record."))
    return back(request, _text_url(paragraph.declaration_id), f"p{pk}")


@action
def paragraph_objection_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    paragraph = selectors.paragraph_get(user=request.user, paragraph_id=pk)
    services.paragraph_objection_withdraw(actor=user_of(request), paragraph=paragraph)
    messages.success(request, _("Your objection to the paragraph is withdrawn."))
    return back(request, _text_url(paragraph.declaration_id), f"p{pk}")


@action
def adoption_object(request: HttpRequest, pk: int) -> HttpResponse:
    declaration, _role = selectors.declaration_get(user=request.user, declaration_id=pk)
    services.adoption_object(actor=user_of(request), declaration=declaration, reason=request.POST.get("reason", ""))
    messages.success(request, _("Your objection to adoption is on record."))
    return back(request, _text_url(pk))


@action
def silence_break(request: HttpRequest, pk: int) -> HttpResponse:
    declaration, _role = selectors.declaration_get(user=request.user, declaration_id=pk)
    services.silence_break(actor=user_of(request), declaration=declaration, reason=request.POST.get("reason", ""))
    messages.success(request, _("Your delegation has broken the silence; the text returns to negotiation."))
    return back(request, _text_url(pk))


@action
def statement(request: HttpRequest, pk: int) -> HttpResponse:
    declaration, _role = selectors.declaration_get(user=request.user, declaration_id=pk)
    services.statement_record(
        actor=user_of(request),
        declaration=declaration,
        kind=request.POST.get("kind", ""),
        text=request.POST.get("text", ""),
        paragraph_id=int_or_none(request.POST.get("paragraph")),
    )
    messages.success(request, _("Your statement is on record."))
    return back(request, _text_url(pk))


@action
def translation(request: HttpRequest, pk: int) -> HttpResponse:
    """The TS (or a translator it named) brings a paragraph's other-language version in line (issue 15)."""
    paragraph = selectors.paragraph_get(user=request.user, paragraph_id=pk)
    services.translation_update(
        actor=user_of(request),
        paragraph_id=paragraph.pk,
        text_version=require_int(request.POST.get("text_version"), "text_version"),
        text=request.POST.get("text", ""),
    )
    messages.success(request, _("The translation is up to date."))
    return back(request, _text_url(paragraph.declaration_id), f"p{pk}")
