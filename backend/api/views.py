"""Thin views: validate input with a serializer, call one selector or
service, return an output serializer. Errors are raised by the domain and
turned into responses in ``errors.py``."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBase
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotAuthenticated, Throttled
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from backend.api import filters, rendered
from backend.api import serializers as s
from backend.api.auth import TokenAuthentication, lockout_message, lockout_seconds
from drafting import library_selectors, selectors, services
from drafting.errors import InvalidInput, NotAllowed
from drafting.models import ApiToken, Declaration, Delegation, Meeting, Proposal, Revision
from workers import tasks


def actor(request: Request) -> User:
    """The authenticated user behind a write (views require authentication)."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user


def _etag(value: str) -> str:
    return f'"{value}"'


def not_modified(request: Request, etag: str) -> bool:
    """If-None-Match uses weak comparison over a list of tags (RFC 9110
    13.1.2): proxies that compress a response send back W/"…"."""
    header = request.headers.get("If-None-Match", "")
    if header.strip() == "*":
        return True
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return etag.removeprefix("W/") in tags


# --- Auth --------------------------------------------------------------------------
class LoginThrottle(SimpleRateThrottle):
    """Throttle password attempts per client address (brute force), without
    authenticating the request: a client holding a revoked token must still
    be able to log in again."""

    scope = "login"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenView(APIView):
    """Obtain (POST) or revoke (DELETE) an API token."""

    def get_throttles(self) -> list[Any]:
        return [LoginThrottle()] if self.request.method == "POST" else []

    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self.request.method == "POST" else list(super().get_permissions())

    def perform_authentication(self, request: Request) -> None:
        # Logging in needs no identity; a stale token header must not block it.
        if request.method != "POST":
            super().perform_authentication(request)

    @extend_schema(request=s.TokenRequestSerializer, responses=s.TokenSerializer, auth=[])
    def post(self, request: Request) -> Response:
        data = s.TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        credentials = {k: data.validated_data[k] for k in ("username", "password")}
        user = authenticate(request, **credentials)  # django-axes first: see backend/api/auth.py
        if user is None and getattr(request, "axes_locked_out", False):
            raise Throttled(wait=lockout_seconds(), detail=lockout_message())
        if user is None or not user.is_active:
            raise InvalidInput("Wrong username or password.")
        # A sign-in like the forms': last_login is updated, and axes forgets this account's failures.
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        name = data.validated_data.get("name") or request.headers.get("User-Agent", "")
        token = services.token_issue(user=user, name=name)
        return Response({"token": token.key, "id": token.pk, "name": token.name, "expires_at": token.expires_at})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        """Sign this client out: revoke the token sent, and only it."""
        if not isinstance(request.auth, ApiToken):
            raise InvalidInput("This request carries no token to revoke (send `Authorization: Token <key>`).")
        services.token_revoke(user=actor(request), token_id=request.auth.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(responses=s.MeSerializer)
    def get(self, request: Request) -> Response:
        user = actor(request)
        delegation = getattr(getattr(user, "delegate", None), "delegation", None)
        body = {
            "username": user.get_username(),
            "delegation": s.DelegationSerializer(delegation).data if delegation else None,
            "secretariat_meetings": list(
                Meeting.objects.filter(secretariat_staff=user.pk).values_list("pk", flat=True)
            ),
            "ppt_meetings": list(Meeting.objects.filter(ppt=delegation).values_list("pk", flat=True))
            if delegation
            else [],
        }
        return Response(body)


# --- Organisation ------------------------------------------------------------------
class DelegationList(generics.ListAPIView[Delegation]):
    serializer_class = s.DelegationSerializer
    filterset_class = filters.DelegationFilter
    queryset = Delegation.objects.order_by("name_en")


class DelegationDetail(generics.RetrieveAPIView[Delegation]):
    serializer_class = s.DelegationSerializer
    queryset = Delegation.objects.all()


class MeetingList(generics.ListAPIView[Meeting]):
    serializer_class = s.MeetingSerializer

    def get_queryset(self) -> QuerySet[Meeting]:
        return selectors.meeting_list(user=self.request.user).order_by("-start_date", "id")


class MeetingDetail(APIView):
    @extend_schema(responses=s.MeetingDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        meeting, _ = selectors.meeting_get(user=request.user, meeting_id=pk)
        return Response(s.MeetingDetailSerializer(meeting).data)


# --- Declarations ------------------------------------------------------------------
class DeclarationList(generics.ListCreateAPIView[Declaration]):
    serializer_class = s.DeclarationSerializer
    filterset_class = filters.DeclarationFilter

    def get_queryset(self) -> QuerySet[Declaration]:
        return selectors.declaration_list(user=self.request.user).order_by("-created_at", "id")

    @extend_schema(request=s.DeclarationCreateSerializer, responses={201: s.DeclarationSerializer})
    def post(self, request: Request) -> Response:
        data = s.DeclarationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting, _ = selectors.meeting_get(user=request.user, meeting_id=data.validated_data.pop("meeting"))
        created = services.declaration_create(actor=actor(request), meeting=meeting, **data.validated_data)
        declaration, _ = selectors.declaration_get(user=request.user, declaration_id=created.pk)
        return Response(s.DeclarationSerializer(declaration).data, status=status.HTTP_201_CREATED)


class DeclarationDetail(APIView):
    @extend_schema(responses=s.DeclarationSerializer)
    def get(self, request: Request, pk: int) -> Response:
        declaration, _ = selectors.declaration_get(user=request.user, declaration_id=pk)
        return Response(s.DeclarationSerializer(declaration).data)


class DeclarationRevisions(generics.ListAPIView[Revision]):
    """List a declaration's revisions (GET); issue the next one (POST, Secretariat)."""

    serializer_class = s.RevisionSummarySerializer

    def get_queryset(self) -> QuerySet[Revision]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return Revision.objects.none()
        declaration, _ = selectors.declaration_get(user=self.request.user, declaration_id=self.kwargs["pk"])
        return declaration.revisions.select_related("issued_by").order_by("number")

    @extend_schema(request=s.RevisionIssueSerializer, responses={201: s.RevisionTextSerializer})
    def post(self, request: Request, pk: int) -> Response:
        declaration, _ = selectors.declaration_get(user=request.user, declaration_id=pk)
        data = s.RevisionIssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        revision = services.revision_issue(actor=actor(request), declaration=declaration, **data.validated_data)
        return Response(selectors.revision_text(revision=revision), status=status.HTTP_201_CREATED)


def text_response(request: Request, etag: str, build: Callable[[], Any]) -> HttpResponseBase:
    """A whole text under its ETag: 304 when the client has it, else the
    body rendered once per change (see backend/api/rendered.py)."""
    if not_modified(request, etag):
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
    return HttpResponse(rendered.body_for(etag, build), content_type="application/json", headers={"ETag": etag})


class RevisionList(generics.ListAPIView[Revision]):
    serializer_class = s.RevisionSummarySerializer
    filterset_class = filters.RevisionFilter

    def get_queryset(self) -> QuerySet[Revision]:
        return selectors.revision_list(user=self.request.user).order_by("declaration_id", "number")


# DeclarationText and RevisionDetail: backend/api/text_views.py (issue 18, lean reads).


class ParagraphDetail(APIView):
    """A paragraph's identity: its wording in every revision, and its proposals."""

    @extend_schema(responses=s.ParagraphSerializer)
    def get(self, request: Request, pk: int) -> Response:
        paragraph = selectors.paragraph_get(user=request.user, paragraph_id=pk)
        proposals = selectors.proposal_list(user=request.user).filter(paragraph=paragraph).order_by("id")
        return Response(
            {
                "id": paragraph.pk,
                "declaration": paragraph.declaration_id,
                "introduced_in": paragraph.introduced_in_id,
                "current": {
                    "text": paragraph.text,
                    "emphasis": paragraph.emphasis,
                    "state": paragraph.state,
                    "ad_ref": paragraph.ad_ref_delegation.code if paragraph.ad_ref_delegation else None,
                    "brackets": paragraph.brackets,
                    "inserted": paragraph.inserted,
                },
                "versions": selectors.paragraph_history(paragraph=paragraph),
                "proposals": s.ProposalSerializer(proposals, many=True).data,
                "agreed_language": library_selectors.paragraph_agreed_language(paragraph=paragraph),
            }
        )


# --- Proposals --------------------------------------------------------------------
def _proposal_response(proposal: Proposal, code: int = status.HTTP_200_OK) -> Response:
    return Response(s.ProposalSerializer(proposal).data, status=code, headers={"ETag": _etag(str(proposal.version))})


class ProposalList(generics.ListCreateAPIView[Proposal]):
    serializer_class = s.ProposalSerializer
    filterset_class = filters.ProposalFilter

    def get_queryset(self) -> QuerySet[Proposal]:
        return selectors.proposal_list(user=self.request.user).order_by("id")

    @extend_schema(request=s.ProposalSubmitSerializer, responses={201: s.ProposalSerializer})
    def post(self, request: Request) -> Response:
        data = s.ProposalSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        declaration, _ = selectors.declaration_get(user=request.user, declaration_id=v["declaration"])
        proposal = services.proposal_submit(
            actor=actor(request),
            declaration=declaration,
            revision_id=v["revision"],
            paragraph_id=v["paragraph"],
            kind=v["kind"],
            text=v["text"],
            emphasis=v.get("emphasis"),
            rationale=v["rationale"],
            base_text=v.get("base_text"),
        )
        # The service returns the row it created, with its delegation, author
        # and revision loaded: no need to read it back (and check access again).
        return _proposal_response(proposal, status.HTTP_201_CREATED)


class ProposalDetail(APIView):
    @extend_schema(responses=s.ProposalSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return _proposal_response(selectors.proposal_get(user=request.user, proposal_id=pk))


class ProposalWithdraw(APIView):
    @extend_schema(request=None, responses=s.ProposalSerializer)
    def post(self, request: Request, pk: int) -> Response:
        proposal = selectors.proposal_get(user=request.user, proposal_id=pk)
        services.proposal_withdraw(actor=actor(request), proposal=proposal)
        return _proposal_response(selectors.proposal_get(user=request.user, proposal_id=pk))


class _PositionView(APIView):
    stance = ""

    @extend_schema(request=s.PositionInputSerializer, responses=s.ProposalSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = s.PositionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = selectors.proposal_get(user=request.user, proposal_id=pk)
        services.position_set(actor=actor(request), proposal=proposal, stance=self.stance, **data.validated_data)
        return _proposal_response(selectors.proposal_get(user=request.user, proposal_id=pk))


class ProposalSupport(_PositionView):
    """Your delegation supports (co-sponsors) the proposal; replaces an earlier objection."""

    stance = "support"


class ProposalObject(_PositionView):
    """Your delegation objects to the proposal (a reason is required)."""

    stance = "object"


class ProposalPosition(APIView):
    # a DELETE is documented as 204 unless told: this one answers 200 with the proposal
    @extend_schema(request=None, responses={200: s.ProposalSerializer})
    def delete(self, request: Request, pk: int) -> Response:
        """Withdraw your delegation's support or objection."""
        proposal = selectors.proposal_get(user=request.user, proposal_id=pk)
        services.position_withdraw(actor=actor(request), proposal=proposal)
        return _proposal_response(selectors.proposal_get(user=request.user, proposal_id=pk))


def _version_from(request: Request, body: dict[str, Any]) -> int:
    if body.get("version") is not None:
        return int(body["version"])
    header = request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    if re.fullmatch(r"[0-9]{1,18}", header):
        return int(header)
    raise InvalidInput(
        "Say which version of the proposal you are deciding on: `version` in the body or If-Match.",
        fields={"version": ["Required (or send If-Match with the proposal's ETag)."]},
    )


class _DecisionView(APIView):
    decision = ""

    @extend_schema(
        request=s.DecisionSerializer,
        responses=s.ProposalSerializer,
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False)],
    )
    def post(self, request: Request, pk: int) -> Response:
        data = s.DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = _version_from(request, data.validated_data)
        proposal = selectors.proposal_get(user=request.user, proposal_id=pk)
        services.proposal_decide(
            actor=actor(request),
            proposal=proposal,
            decision=self.decision,
            version=version,
            note=data.validated_data["note"],
        )
        return _proposal_response(selectors.proposal_get(user=request.user, proposal_id=pk))


class ProposalAccept(_DecisionView):
    """The PPT accepts the proposal (needs its current version)."""

    decision = "accept"


class ProposalReject(_DecisionView):
    """The PPT rejects the proposal (needs its current version)."""

    decision = "reject"


# --- Events ------------------------------------------------------------------------
class EventList(generics.ListAPIView[Any]):
    """The negotiation record, oldest first."""

    serializer_class = s.EventSerializer
    filterset_class = filters.EventFilter

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.event_list(user=self.request.user).order_by("id")


def _is_staff(request: Request) -> bool:
    """The probe has no authenticators (stale credentials must not fail a
    liveness check); the worker check authenticates here, by token or session."""
    for authenticator in (TokenAuthentication(), SessionAuthentication()):
        found = authenticator.authenticate(request)
        if found is not None:
            return bool(found[0].is_staff)
    return False


class Health(APIView):
    """Liveness: the database answers. With ``?worker=1`` a task also makes the
    round trip through the broker and a worker (in-process on the embedded
    default): for staff only (it holds a request open for up to
    ``WORKER_TIMEOUT`` seconds), so an anonymous caller cannot tie up web
    workers with it."""

    WORKER_TIMEOUT = 3.0

    permission_classes = [AllowAny]
    authentication_classes = []  # a probe: credentials, valid or stale, are irrelevant

    @extend_schema(
        responses={200: dict, 503: dict},
        auth=[],
        parameters=[OpenApiParameter("worker", bool, required=False)],
    )
    def get(self, request: Request) -> Response:
        Declaration.objects.exists()  # touches the database: 503 through errors.py if down
        body: dict[str, Any] = {"status": "ok"}
        if request.query_params.get("worker") in ("1", "true"):
            if not _is_staff(request):
                raise NotAllowed("The worker check is for staff: sign in with a staff account.")
            try:
                body["worker"] = tasks.ping.delay().get(timeout=self.WORKER_TIMEOUT)
            except Exception as exc:  # broker down, no worker, timeout: all mean "not ready"
                return Response(
                    {"error": "unavailable", "detail": f"No worker answered: {exc.__class__.__name__}."},
                    status=status.HTTP_503_SERVICE_UNAVAILABLE,
                    headers={"Retry-After": "5"},
                )
        return Response(body)
