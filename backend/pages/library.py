"""The agreed-language library in the pages: search with filters, one
statement, and "propose this wording" into a paragraph of a text under
negotiation. Over the API's own selector (``library_search``) and service
(``library_proposal_submit``): the rules are theirs."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from backend.pages import labels, present
from backend.pages.common import action, int_or_none, page, require_int, user_of
from backend.pages.drafts import proposal_name
from drafting import selectors
from drafting.access import role_in
from drafting.library.citation import citation
from drafting.models import AgreedStatement, Declaration
from drafting.selectors import library as library_selectors
from drafting.services import library as library_services

PAGE_SIZE = 20
# What a wording from the library may become (a deletion has no wording: the service's rule).
KINDS = ("replace", "insert_after", "alternative")


def wording(statement: AgreedStatement) -> str:
    """The statement in the reader's language where the library has it."""
    first, other = (
        (statement.text_es, statement.text_en) if get_language() == "es" else (statement.text_en, statement.text_es)
    )
    return first or other


def _filters(request: HttpRequest) -> tuple[library_selectors.LibraryFilters, dict[str, str]]:
    """The filters from the query string; values that are not choices are ignored, as a form would."""
    get = request.GET
    theme = get.get("theme", "") if get.get("theme", "") in AgreedStatement.Theme.values else ""
    category = get.get("category", "") if get.get("category", "") in AgreedStatement.Category.values else ""
    origin = get.get("origin", "") if get.get("origin", "") in AgreedStatement.Origin.values else ""
    year = int_or_none(get.get("year"))
    year = year if year is not None and 1900 <= year <= 2999 else None
    valid = {"yes": True, "no": False}.get(get.get("valid", ""))
    chosen = {
        "theme": theme,
        "category": category,
        "origin": origin,
        "year": str(year or ""),
        "valid": get.get("valid", "") if valid is not None else "",
    }
    return (
        library_selectors.LibraryFilters(
            theme=theme,
            category=category,
            year=year,
            still_valid=valid,
            origin=origin,
            meeting=get.get("meeting", "")[:120],
        ),
        chosen,
    )


def _row(statement: AgreedStatement) -> dict[str, Any]:
    return {
        "s": statement,
        "text": wording(statement),
        "cited": citation(meeting=statement.meeting_label, year=statement.year, paragraph=statement.paragraph_label),
        "theme": labels.THEMES.get(statement.theme, statement.theme),
        "category": labels.CATEGORIES.get(statement.category, statement.category),
    }


@page
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[: library_selectors.MAX_QUERY_CHARS]
    filters, chosen = _filters(request)
    number = max(1, int_or_none(request.GET.get("page")) or 1)
    results = library_selectors.library_search(
        query=query, filters=filters, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE
    )
    return render(
        request,
        "pages/library.html",
        {
            "q": query,
            "chosen": chosen,
            "paragraph": int_or_none(request.GET.get("paragraph")) or "",
            "rows": [{**_row(hit.statement), "duplicates": len(hit.duplicates)} for hit in results.hits],
            "total": results.total,
            "page_number": number,
            "has_next": number * PAGE_SIZE < results.total,
            "themes": list(labels.THEMES.items()),
            "categories": list(labels.CATEGORIES.items()),
            "origins": list(labels.ORIGINS.items()),
        },
    )


def _targets(request: HttpRequest) -> list[dict[str, Any]]:
    """The paragraphs the reader's delegation may propose into: of texts
    under negotiation, in meetings where it negotiates."""
    out = []
    for declaration in selectors.declaration_list(user=request.user).filter(status=Declaration.Status.DRAFTING):
        if not role_in(request.user, declaration.meeting).can_negotiate:
            continue
        text = present.working_text(declaration)
        if text["revision"] is None:
            continue
        paragraphs = [
            (p["paragraph"], p["label"] or "¶", p["text"][:80])
            for s in text["sections"]
            for p in s["paragraphs"]
            if p["state"] not in ("agreed", "agreed_ad_ref", "held", "deleted")
        ]
        out.append({"declaration": declaration, "revision": text["revision"]["id"], "paragraphs": paragraphs})
    return out


@page
def statement(request: HttpRequest, pk: int) -> HttpResponse:
    found = library_selectors.library_statement_get(statement_id=pk)
    return render(
        request,
        "pages/library_statement.html",
        {
            **_row(found),
            "duplicates": list(found.duplicates.order_by("id")) if found.duplicate_of_id is None else [],
            "targets": _targets(request),
            "paragraph": int_or_none(request.GET.get("paragraph")),
            "kinds": [(k, labels.KINDS[k]) for k in KINDS],
        },
    )


@action
def propose(request: HttpRequest, pk: int) -> HttpResponse:
    """Table the statement's wording (or the delegate's adaptation of it)."""
    target = request.POST.get("target", "")
    declaration_id, _sep, paragraph_id = target.partition(":")
    declaration, _role = selectors.declaration_get(
        user=request.user, declaration_id=require_int(declaration_id, "target")
    )
    proposal = library_services.library_proposal_submit(
        actor=user_of(request),
        statement_id=pk,
        declaration=declaration,
        revision_id=require_int(request.POST.get("revision-" + str(declaration.pk)), "revision"),
        paragraph_id=require_int(paragraph_id, "target"),
        kind=request.POST.get("kind", ""),
        text=request.POST.get("text", ""),
        rationale=request.POST.get("rationale", ""),
    )
    messages.success(request, _("Your proposal is on the table: %(name)s.") % {"name": proposal_name(proposal)})
    # to the text, where the proposal now stands
    return HttpResponseRedirect(reverse("pages:text", args=[declaration.pk]) + f"#p{proposal.paragraph_id}")
