"""The health API: thin views that validate input with their serializers, call
one selector or service, and answer; errors are the domain's, turned into
responses in ``backend/api/errors.py``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.auth import TokenAuthentication
from drafting.errors import NotAllowed, Unavailable
from drafting.models import Declaration
from workers import tasks


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
                raise NotAllowed(_("The worker check is for staff: sign in with a staff account."))
            try:
                body["worker"] = tasks.ping.delay().get(timeout=self.WORKER_TIMEOUT)
            except Exception as exc:  # broker down, no worker, timeout: all mean "not ready"
                raise Unavailable(
                    _("No worker answered: %(error)s.") % {"error": exc.__class__.__name__},
                    headers={"Retry-After": "5"},
                ) from exc
        return Response(body)
