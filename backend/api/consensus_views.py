"""Views of the consensus workflow: the working text, the chair's actions
on paragraphs, the next revision, adoption (in session or by silence
procedure), statements on record, and the negotiation record."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponseBase
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api import consensus_serializers as c
from backend.api import filters
from backend.api import serializers as s
from backend.api.views import actor, text_response
from drafting import diff_selectors, selectors, services
from drafting.errors import Conflict, InvalidInput, NotFound
from drafting.models import Declaration, Event, Paragraph, Revision, Statement


def _declaration(request: Request, pk: int) -> Declaration:
    declaration, _ = selectors.declaration_get(user=request.user, declaration_id=pk)
    return declaration


def _adoption_response(declaration: Declaration, code: int = status.HTTP_200_OK) -> Response:
    body = selectors.adoption_current(declaration=declaration)
    if body is None:
        raise NotFound("This declaration has never been put to adoption.")
    return Response(body, status=code)


def _paragraph_state(paragraph: Paragraph) -> dict[str, Any]:
    return {
        "paragraph": paragraph.pk,
        "state": paragraph.state,
        "ad_ref": paragraph.ad_ref_delegation.code if paragraph.ad_ref_delegation else None,
        "brackets": paragraph.brackets,
        "alternatives": paragraph.alternatives,
        "version": paragraph.version,
    }


class WorkingText(APIView):
    """The working text: the current revision plus accepted changes, with
    every paragraph's state, brackets, Alt options, objections and pending proposals."""

    @extend_schema(responses=c.WorkingTextSerializer)
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        declaration = _declaration(request, pk)
        created = int(declaration.created_at.timestamp() * 1_000_000)
        etag = f'"w{declaration.pk}.{created}-v{declaration.version}"'
        return text_response(request, etag, lambda: selectors.working_text(declaration=declaration))


class NextRevision(APIView):
    """The PPT (or the TS on its behalf) issues the working text as the next revision."""

    @extend_schema(request=c.NextRevisionSerializer, responses={201: s.RevisionTextSerializer})
    def post(self, request: Request, pk: int) -> Response:
        declaration = _declaration(request, pk)
        data = c.NextRevisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        revision = services.revision_issue_from_working_text(
            actor=actor(request), declaration=declaration, **data.validated_data
        )
        return Response(selectors.revision_text(revision=revision), status=status.HTTP_201_CREATED)


class ParagraphTransition(APIView):
    """The PPT moves a paragraph: open, bracket, unbracket, agree, agree_ad_ref,
    confirm (also the delegation named ad ref), hold, resume, reopen.
    Agreement is refused (409, objecting delegations named) while a member objects."""

    @extend_schema(request=c.TransitionSerializer, responses=c.ParagraphStateSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = c.TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        paragraph = selectors.paragraph_get(user=request.user, paragraph_id=pk)
        paragraph = services.paragraph_act(
            actor=actor(request),
            paragraph=paragraph,
            action=v["action"],
            ad_ref_delegation=v.get("delegation"),
            brackets=v.get("brackets"),
            alternatives=v.get("alternatives"),
            note=v["note"],
        )
        return Response(_paragraph_state(paragraph))


class ParagraphObject(APIView):
    """Your delegation objects to the paragraph as it stands (blocks agreement)."""

    @extend_schema(request=c.ReasonSerializer, responses={201: None})
    def post(self, request: Request, pk: int) -> Response:
        data = c.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        paragraph = selectors.paragraph_get(user=request.user, paragraph_id=pk)
        services.paragraph_object(actor=actor(request), paragraph=paragraph, **data.validated_data)
        return Response(status=status.HTTP_201_CREATED)


class ParagraphObjection(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        """Withdraw your delegation's objection to the paragraph."""
        paragraph = selectors.paragraph_get(user=request.user, paragraph_id=pk)
        services.paragraph_objection_withdraw(actor=actor(request), paragraph=paragraph)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AdoptionView(APIView):
    """GET: the latest adoption attempt (deadline and time left under silence).
    POST (PPT): put the current, fully agreed revision to adoption in session
    or under silence procedure."""

    @extend_schema(responses=c.AdoptionSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return _adoption_response(_declaration(request, pk))

    @extend_schema(request=c.AdoptionStartSerializer, responses={201: c.AdoptionSerializer})
    def post(self, request: Request, pk: int) -> Response:
        declaration = _declaration(request, pk)
        data = c.AdoptionStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if v["method"] == "silence":
            services.silence_launch(
                actor=actor(request), declaration=declaration, revision_id=v["revision"], deadline=v.get("deadline")
            )
        else:
            services.adoption_propose(actor=actor(request), declaration=declaration, revision_id=v["revision"])
        return _adoption_response(declaration, status.HTTP_201_CREATED)


class _AdoptionAction(APIView):
    def act(self, request: Request, declaration: Declaration) -> None:
        raise NotImplementedError

    def run(self, request: Request, pk: int) -> Response:
        declaration = _declaration(request, pk)
        self.act(request, declaration)
        return _adoption_response(declaration)


class AdoptionObject(_AdoptionAction):
    """A member delegation present objects to adoption in session."""

    @extend_schema(request=c.ReasonSerializer, responses=c.AdoptionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def act(self, request: Request, declaration: Declaration) -> None:
        data = c.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.adoption_object(actor=actor(request), declaration=declaration, **data.validated_data)


class AdoptionObjectionWithdraw(_AdoptionAction):
    # a DELETE is documented as 204 unless told: this one answers 200 with the adoption
    @extend_schema(request=None, responses={200: c.AdoptionSerializer})
    def delete(self, request: Request, pk: int) -> Response:
        """Withdraw your delegation's objection to adoption."""
        return self.run(request, pk)

    def act(self, request: Request, declaration: Declaration) -> None:
        services.adoption_objection_withdraw(actor=actor(request), declaration=declaration)


class AdoptionAdopt(_AdoptionAction):
    """The PPT adopts the text in session (409 naming objectors if any member objects)."""

    @extend_schema(request=None, responses=c.AdoptionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def act(self, request: Request, declaration: Declaration) -> None:
        services.adoption_adopt(actor=actor(request), declaration=declaration)


class AdoptionWithdraw(_AdoptionAction):
    """The PPT takes the text back to negotiation."""

    @extend_schema(request=None, responses=c.AdoptionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def act(self, request: Request, declaration: Declaration) -> None:
        services.adoption_withdraw(actor=actor(request), declaration=declaration)


class SilenceBreak(_AdoptionAction):
    """A member delegation breaks silence (before the deadline, with a reason)."""

    @extend_schema(request=c.ReasonSerializer, responses=c.AdoptionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return self.run(request, pk)

    def act(self, request: Request, declaration: Declaration) -> None:
        data = c.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.silence_break(actor=actor(request), declaration=declaration, **data.validated_data)


class Statements(generics.ListAPIView[Statement]):
    """Reservations (on a paragraph) and explanations of position (on the
    text) put on record at adoption; POST records one."""

    serializer_class = c.StatementSerializer

    def get_queryset(self) -> QuerySet[Statement]:
        if getattr(self, "swagger_fake_view", False):
            return Statement.objects.none()
        return selectors.statement_list(declaration=_declaration(self.request, self.kwargs["pk"])).order_by("id")

    @extend_schema(request=c.StatementInputSerializer, responses={201: c.StatementSerializer})
    def post(self, request: Request, pk: int) -> Response:
        declaration = _declaration(request, pk)
        data = c.StatementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        statement = services.statement_record(
            actor=actor(request),
            declaration=declaration,
            kind=v["kind"],
            text=v["text"],
            paragraph_id=v.get("paragraph"),
        )
        return Response(c.StatementSerializer(statement).data, status=status.HTTP_201_CREATED)


class NegotiationRecord(generics.ListAPIView[Event]):
    """The negotiation record of one declaration, in order (filters: paragraph, delegation, verb)."""

    serializer_class = s.EventSerializer
    filterset_class = filters.EventFilter

    def get_queryset(self) -> QuerySet[Event]:
        if getattr(self, "swagger_fake_view", False):
            return Event.objects.none()
        declaration = _declaration(self.request, self.kwargs["pk"])
        return selectors.event_list(user=self.request.user).filter(declaration=declaration).order_by("id")


class RevisionCompare(APIView):
    """What changed between two revisions, paragraph by paragraph (by
    identity): word ops and an HTML redline (<ins>/<del>). Defaults: the
    current revision against the one before it."""

    @extend_schema(
        parameters=[
            OpenApiParameter("from", int, required=False, description="Older revision id."),
            OpenApiParameter("to", int, required=False, description="Newer revision id."),
        ],
        responses=dict,
    )
    def get(self, request: Request, pk: int) -> Response:
        declaration = _declaration(request, pk)
        revisions = list(declaration.revisions.order_by("number"))
        by_id = {r.pk: r for r in revisions}

        def pick(name: str, default: Revision | None) -> Revision:
            raw = request.query_params.get(name)
            if raw is None:
                if default is None:
                    raise Conflict("This declaration has only one revision; there is nothing to compare yet.")
                return default
            # ASCII digits only: str.isdigit() also accepts "²" and "①", which int() refuses.
            if not re.fullmatch(r"[0-9]{1,18}", raw) or int(raw) not in by_id:
                raise InvalidInput(f"No revision {raw!r} in this declaration.", fields={name: ["Unknown revision."]})
            return by_id[int(raw)]

        if not revisions:
            raise NotFound("This declaration has no revision yet.")
        new = pick("to", revisions[-1])
        older = [r for r in revisions if r.number < new.number]
        old = pick("from", older[-1] if older else None)
        return Response(diff_selectors.revision_compare(declaration=declaration, old=old, new=new))


class ProposalPreview(APIView):
    """The change a proposal would make to the paragraph as it stands now
    (word ops and a redline), its re-fit status, and collisions with other
    pending proposals on the same words."""

    @extend_schema(responses=dict)
    def get(self, request: Request, pk: int) -> Response:
        proposal = selectors.proposal_get(user=request.user, proposal_id=pk)
        return Response(diff_selectors.proposal_preview(proposal=proposal))
