"""What delegations do on the text page: propose, support, object, withdraw;
and, while the text is before the room for adoption, object, break silence
or put a statement on record. Each view is one service call; the service
decides who may (members present; observers never)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from backend.pages.common import action, back, explain, int_or_none, require_int, user_of
from backend.pages.drafts import draft_keep, proposal_name
from drafting import selectors, services
from drafting.errors import Conflict, InvalidInput


def _text_url(declaration_id: int) -> str:
    return reverse("pages:text", args=[declaration_id])


@action
def propose(request: HttpRequest, pk: int) -> HttpResponse:
    declaration, _role = selectors.declaration_get(user=request.user, declaration_id=pk)
    paragraph_id = require_int(request.POST.get("paragraph"), "paragraph")
    typed = {key: request.POST.get(key, "") for key in ("kind", "text", "rationale", "language")}
    try:
        proposal = services.proposal_submit(
            actor=user_of(request),
            declaration=declaration,
            revision_id=require_int(request.POST.get("revision"), "revision"),
            paragraph_id=paragraph_id,
            kind=typed["kind"],
            text=typed["text"],
            rationale=typed["rationale"],
            language=typed["language"],
        )
    except (InvalidInput, Conflict) as exc:
        # The delegate's wording is not lost: the page shows it again in the
        # paragraph's editor, with the refusal beside the field.
        draft_keep(request, paragraph_id=paragraph_id, typed=typed, error=explain(exc))
        return back(request, _text_url(pk), f"p{paragraph_id}")
    messages.success(request, _("Your proposal is on the table: %(name)s.") % {"name": proposal_name(proposal)})
    return back(request, _text_url(pk), f"p{paragraph_id}")


# What a delegation's act on a proposal says once done (urls.py names the acts).
DONE = {
    "support": gettext_noop("Your delegation supports %(name)s."),
    "object": gettext_noop("Your objection to %(name)s is on record."),
    "position-withdraw": gettext_noop("Your position on %(name)s is withdrawn."),
    "withdraw": gettext_noop("%(name)s is withdrawn."),
}


@action
def on_proposal(request: HttpRequest, pk: int, act: str) -> HttpResponse:
    """Support, object to, withdraw one's position on, or withdraw one's own
    proposal: one service call each, then a message naming the proposal."""
    proposal = selectors.proposal_get(user=request.user, proposal_id=pk)
    name, actor = proposal_name(proposal), user_of(request)
    if act in ("support", "object"):
        reason = request.POST.get("reason", "")
        services.position_set(actor=actor, proposal=proposal, stance=act, reason=reason)
    elif act == "position-withdraw":
        services.position_withdraw(actor=actor, proposal=proposal)
    else:
        services.proposal_withdraw(actor=actor, proposal=proposal)
    messages.success(request, _(DONE[act]) % {"name": name})
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
