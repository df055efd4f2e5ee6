"""The chair's actions on paragraphs, and members' objections to them.

Consensus is the absence of a formal objection by any member delegation:
the PPT may declare a paragraph agreed (or agreed ad ref) only while no
member objects to the paragraph itself or to any proposal pending on it.
"""

from __future__ import annotations

import itertools
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from drafting.access import Role, not_found, require_negotiator, require_ppt
from drafting.errors import Conflict, InvalidInput
from drafting.models import Declaration, Delegation, EventVerb, Paragraph, ParagraphObjection, Position, Proposal
from drafting.services.events import event_record
from drafting.services.locks import declaration_access, declaration_lock, declaration_require_drafting, paragraph_access
from drafting.states import NEEDS_CONSENSUS, PROPOSABLE, TRANSITIONS, State, next_state
from drafting.textnorm import clean_text

ACTIONS = tuple(TRANSITIONS)


def paragraph_lock(paragraph_id: int) -> tuple[Declaration, Paragraph]:
    declaration_id = Paragraph.objects.filter(pk=paragraph_id).values_list("declaration_id", flat=True).first()
    if declaration_id is None:
        raise not_found("paragraph")
    declaration = declaration_lock(declaration_id)
    return declaration, Paragraph.objects.select_for_update().get(pk=paragraph_id)


def paragraph_objectors(*, paragraph: Paragraph) -> list[str]:
    """Codes of member delegations standing in the way of consensus on the
    paragraph: objecting to it, or to a proposal pending on it."""
    members = Delegation.Kind.MEMBER_STATE
    on_paragraph = ParagraphObjection.objects.filter(paragraph=paragraph, delegation__kind=members)
    on_proposals = Position.objects.filter(
        proposal__paragraph=paragraph,
        proposal__status=Proposal.Status.SUBMITTED,
        stance=Position.Stance.OBJECT,
        delegation__kind=members,
    )
    codes = set(on_paragraph.values_list("delegation__code", flat=True))
    codes |= set(on_proposals.values_list("delegation__code", flat=True))
    return sorted(codes)


def _clean_brackets(raw: Any, text: str) -> list[dict[str, int]]:
    if not raw:
        return []
    if not isinstance(raw, list):
        raise InvalidInput(_("Brackets must be a list of spans."), fields={"brackets": [_("A list of {start, end}.")]})
    spans: list[dict[str, int]] = []
    for i, item in enumerate(raw):
        start, end = (item.get("start"), item.get("end")) if isinstance(item, dict) else (None, None)
        if not (isinstance(start, int) and isinstance(end, int)) or not 0 <= start < end <= len(text):
            raise InvalidInput(
                _("Bad bracketed span."),
                fields={
                    "brackets": [_("Span %(i)s: need 0 <= start < end <= %(length)s.") % {"i": i, "length": len(text)}]
                },
            )
        spans.append({"start": start, "end": end})
    spans.sort(key=lambda s: s["start"])
    if any(a["end"] > b["start"] for a, b in itertools.pairwise(spans)):
        raise InvalidInput(_("Bracketed spans overlap."), fields={"brackets": [_("Spans must not overlap.")]})
    return spans


# What the chair may offer as a bracketed paragraph's options: pending rewordings of it.
ALTERNATIVE_KINDS = (Proposal.Kind.REPLACE, Proposal.Kind.ALTERNATIVE, Proposal.Kind.DELETE)


def _clean_alternatives(raw: Any, paragraph: Paragraph) -> list[int]:
    if not raw:
        return []
    if not isinstance(raw, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in raw):
        raise InvalidInput(_("Alternatives are proposal ids."), fields={"alternatives": [_("A list of proposal ids.")]})
    pending = set(
        Proposal.objects.filter(
            pk__in=raw,
            paragraph=paragraph,
            status=Proposal.Status.SUBMITTED,
            kind__in=ALTERNATIVE_KINDS,
        ).values_list("pk", flat=True)
    )
    wrong = [i for i in raw if i not in pending]
    if wrong:
        raise InvalidInput(
            _("Proposals %(wrong)s are not pending rewordings of this paragraph.") % {"wrong": wrong},
            fields={"alternatives": [_("Each must be a pending replace, alternative or delete proposal on it.")]},
        )
    return list(dict.fromkeys(raw))


def _id(obj: models.Model | int) -> int:
    return obj if isinstance(obj, int) else int(obj.pk)


@transaction.atomic
def paragraph_act(
    *,
    actor: User,
    paragraph: Paragraph | int,
    action: str,
    ad_ref_delegation: str | None = None,
    brackets: list[Any] | None = None,
    alternatives: list[Any] | None = None,
    note: str = "",
) -> Paragraph:
    """Move a paragraph through the negotiation states (see drafting/states.py).

    The PPT does all of them; the delegation named on an ad ref agreement may
    also ``confirm`` it, having heard from its capital."""
    declaration, locked, role = paragraph_access(user=actor, paragraph_id=_id(paragraph))
    return _paragraph_move(
        actor=actor,
        declaration=declaration,
        paragraph=locked,
        role=role,
        action=action,
        ad_ref_delegation=ad_ref_delegation,
        brackets=brackets,
        alternatives=alternatives,
        note=note,
    )


def _paragraph_move(
    *,
    actor: User,
    declaration: Declaration,
    paragraph: Paragraph,
    role: Role,
    action: str,
    ad_ref_delegation: str | None,
    brackets: list[Any] | None,
    alternatives: list[Any] | None,
    note: str,
) -> Paragraph:
    """``paragraph_act`` once the paragraph is locked and the role known
    (by ``paragraph_access``): the rules, the change and its event."""
    if action not in TRANSITIONS:
        raise InvalidInput(
            _("Unknown action."), fields={"action": [_("Choose one of %(choices)s.") % {"choices": list(TRANSITIONS)}]}
        )
    confirming_for_itself = (
        action == "confirm" and role.delegation is not None and role.delegation.pk == paragraph.ad_ref_delegation_id
    )
    if not confirming_for_itself:
        require_ppt(role, "move paragraphs through the negotiation")
    declaration_require_drafting(declaration)
    target = next_state(action, paragraph.state)
    if target is None:
        raise Conflict(
            _("A paragraph that is %(state)s cannot be taken to '%(action)s'.")
            % {
                "state": _(State(paragraph.state).label).lower(),
                "action": pgettext("paragraph action", action.replace("_", " ")),
            },
            extra={"state": paragraph.state},
        )
    if action in NEEDS_CONSENSUS:
        objectors = paragraph_objectors(paragraph=paragraph)
        if objectors:
            raise Conflict(
                _("No consensus: %(delegations)s object(s) to this paragraph or to a proposal pending on it.")
                % {"delegations": ", ".join(objectors)},
                extra={"objecting": objectors},
            )
    note = clean_text(note, field="note", max_chars=settings.CONSENSO_MAX_NOTE_CHARS, allow_empty=True)
    before = {"state": paragraph.state, "ad_ref": paragraph.ad_ref_delegation_id, "brackets": paragraph.brackets}

    paragraph.ad_ref_delegation = None
    if action == "agree_ad_ref":
        delegation = Delegation.objects.filter(code__iexact=ad_ref_delegation or "").first()
        if delegation is None or delegation.kind != Delegation.Kind.MEMBER_STATE:
            raise InvalidInput(
                _("Name the member delegation that must confirm."),
                fields={"delegation": [_("The code of a member state delegation, e.g. MEX.")]},
            )
        paragraph.ad_ref_delegation = delegation
    if action == "bracket":
        paragraph.brackets = _clean_brackets(brackets, paragraph.text)
        paragraph.alternatives = _clean_alternatives(alternatives, paragraph)
    elif target != State.BRACKETED:
        paragraph.brackets, paragraph.alternatives = [], []
    paragraph.state = target
    paragraph.version += 1
    paragraph.save(update_fields=["state", "ad_ref_delegation", "brackets", "alternatives", "version"])
    event_record(
        verb=EventVerb(f"paragraph.{action}"),
        actor=actor,
        obj=paragraph,
        declaration=declaration,
        paragraph=paragraph,
        before=before,
        after={
            "state": paragraph.state,
            "ad_ref": paragraph.ad_ref_delegation_id,
            "brackets": paragraph.brackets,
            "alternatives": paragraph.alternatives,
            "note": note,
        },
    )
    return paragraph


def words_span(text: str, words: str, start: int | None = None) -> dict[str, int]:
    """Where ``words`` stand in ``text``: at ``start`` when they stand there
    (what the chair selected on the page), else their first occurrence."""
    if not words:
        raise InvalidInput(
            _("Choose the words to bracket."), fields={"words": [_("Select or type words of the paragraph.")]}
        )
    if start is not None and text[start : start + len(words)] == words:
        return {"start": start, "end": start + len(words)}
    at = text.find(words)
    if at < 0:
        raise InvalidInput(
            _("Those words are not in the paragraph's current wording."),
            fields={"words": [_("Select or type words exactly as the paragraph has them.")]},
        )
    return {"start": at, "end": at + len(words)}


def _merged(spans: list[dict[str, int]]) -> list[dict[str, int]]:
    """Spans sorted, those that overlap or touch joined: bracketing words
    next to a bracket widens it, as a chair marking up paper would."""
    out: list[dict[str, int]] = []
    for span in sorted(spans, key=lambda s: s["start"]):
        if out and span["start"] <= out[-1]["end"]:
            out[-1] = {"start": out[-1]["start"], "end": max(out[-1]["end"], span["end"])}
        else:
            out.append(dict(span))
    return out


@transaction.atomic
def paragraph_bracket(
    *,
    actor: User,
    paragraph: Paragraph | int,
    words: str | None = None,
    start: int | None = None,
    alternatives: list[Any] | None = None,
    note: str = "",
) -> Paragraph:
    """The chair brackets more of a paragraph: ``words`` (found at ``start``,
    or first in the text) join the spans already bracketed, and/or
    ``alternatives`` (pending rewordings) become its Alt 1, Alt 2 … What is
    not given is kept (spans, and the options still pending); the rules are
    ``paragraph_act``'s ("bracket")."""
    declaration, paragraph, role = paragraph_access(user=actor, paragraph_id=_id(paragraph))
    require_ppt(role, "bracket paragraphs")
    spans = list(paragraph.brackets)
    if words is not None:
        words = words.strip()
        spans = _merged([*spans, words_span(paragraph.text, words, start)])
    if alternatives is None:
        alternatives = list(
            Proposal.objects.filter(
                pk__in=paragraph.alternatives, paragraph=paragraph, status=Proposal.Status.SUBMITTED
            ).values_list("pk", flat=True)
        )
        alternatives = [pk for pk in paragraph.alternatives if pk in alternatives]
    return _paragraph_move(
        actor=actor,
        declaration=declaration,
        paragraph=paragraph,
        role=role,
        action="bracket",
        ad_ref_delegation=None,
        brackets=spans,
        alternatives=alternatives,
        note=note,
    )


@transaction.atomic
def paragraph_object(*, actor: User, paragraph: Paragraph | int, reason: str) -> ParagraphObjection:
    """A member delegation objects to the paragraph as it stands (replacing
    its earlier objection's reason); this blocks agreement until withdrawn."""
    declaration, paragraph, role = paragraph_access(user=actor, paragraph_id=_id(paragraph))
    delegation = require_negotiator(role, "object to paragraphs")
    declaration_require_drafting(declaration)
    if paragraph.state not in PROPOSABLE:
        raise Conflict(
            _("The paragraph is %(state)s; ask the PPT to reopen it first.")
            % {"state": _(State(paragraph.state).label).lower()},
            extra={"state": paragraph.state},
        )
    reason = clean_text(reason, field="reason", max_chars=settings.CONSENSO_MAX_NOTE_CHARS)
    objection, created = ParagraphObjection.objects.update_or_create(
        paragraph=paragraph, delegation=delegation, defaults={"reason": reason, "author": actor}
    )
    event_record(
        verb=EventVerb.PARAGRAPH_OBJECTED,
        actor=actor,
        obj=objection,
        declaration=declaration,
        paragraph=paragraph,
        before=None if created else {"objection": True},
        after={"reason": reason},
    )
    return objection


@transaction.atomic
def paragraph_objection_withdraw(*, actor: User, paragraph: Paragraph | int) -> None:
    declaration, paragraph, role = paragraph_access(user=actor, paragraph_id=_id(paragraph))
    delegation = require_negotiator(role, "withdraw objections")
    declaration_require_drafting(declaration)
    objection = ParagraphObjection.objects.filter(paragraph=paragraph, delegation=delegation).first()
    if objection is None:
        raise Conflict(_("Your delegation has no objection standing on this paragraph."))
    event_record(
        verb=EventVerb.PARAGRAPH_OBJECTION_WITHDRAWN,
        actor=actor,
        obj=objection,
        declaration=declaration,
        paragraph=paragraph,
        before={"reason": objection.reason},
        after=None,
    )
    objection.delete()


# What "agree every uncontested paragraph" takes: not bracketed text (its
# brackets say the room has not settled it), not held or ad ref paragraphs
# (each waits on something named), only what the room has left alone.
UNCONTESTED_FROM = (State.OPEN, State.UNDER_DISCUSSION, State.REOPENED)
PENDING = (Proposal.Status.SUBMITTED, Proposal.Status.NEEDS_REFIT, Proposal.Status.CONFLICTED)


def uncontested_paragraphs(*, declaration: Declaration) -> QuerySet[Paragraph]:
    """Paragraphs the chair may agree in one step: open, under discussion or
    reopened, no objection standing on them, no proposal pending on them.
    Any objection counts here, not only members': the bulk step must never
    agree what a one-by-one agreement would have to look at."""
    contested = ParagraphObjection.objects.filter(paragraph__declaration=declaration).values("paragraph_id")
    pending = Proposal.objects.filter(declaration=declaration, status__in=PENDING).values("paragraph_id")
    return (
        Paragraph.objects.filter(declaration=declaration, state__in=UNCONTESTED_FROM)
        .exclude(pk__in=contested)
        .exclude(pk__in=pending)
        .order_by("position", "id")
    )


@transaction.atomic
def paragraphs_agree_uncontested(*, actor: User, declaration: Declaration, note: str = "") -> list[int]:
    """The PPT agrees, in one step, every paragraph that is open, under
    discussion or reopened, with no objection standing on it and no proposal
    pending on it. Returns the ids agreed (in text order); one event each,
    as if agreed one by one."""
    declaration, role = declaration_access(user=actor, declaration_id=declaration.pk, lock="update")
    require_ppt(role, "declare paragraphs agreed")
    declaration_require_drafting(declaration)
    note = clean_text(note, field="note", max_chars=settings.CONSENSO_MAX_NOTE_CHARS, allow_empty=True)
    paragraphs = list(uncontested_paragraphs(declaration=declaration).select_for_update())
    for paragraph in paragraphs:
        before = {"state": paragraph.state, "ad_ref": paragraph.ad_ref_delegation_id, "brackets": paragraph.brackets}
        paragraph.state, paragraph.ad_ref_delegation = State.AGREED, None
        paragraph.brackets, paragraph.alternatives = [], []
        paragraph.version += 1
        event_record(
            verb=EventVerb.PARAGRAPH_AGREE,
            actor=actor,
            obj=paragraph,
            declaration=declaration,
            paragraph=paragraph,
            before=before,
            after={"state": paragraph.state, "ad_ref": None, "brackets": [], "alternatives": [], "note": note},
        )
    Paragraph.objects.bulk_update(paragraphs, ["state", "ad_ref_delegation", "brackets", "alternatives", "version"])
    return [p.pk for p in paragraphs]
