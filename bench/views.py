"""Bench-only views (wired in bench/urls.py, never in backend/urls.py).

``ceiling``: the framework's ceiling. A plain Django view returning
precomputed bytes: the same body as GET /api/revisions/{id}/ (saved by the
runner), through the same gunicorn, WSGI handler and middleware, but with no
authentication, no database and no rendering.

The two cached-body prototypes that stood beside it (the rendered body kept
under its ETag; the token lookup loading the delegation) landed in the product
(backend/api/rendered.py, backend/api/auth.py) and were removed (issue 18).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBase

_CEILING_BODY: bytes | None = None


def ceiling(request: HttpRequest) -> HttpResponse:
    global _CEILING_BODY
    if _CEILING_BODY is None:
        body_file = settings.BENCH_CEILING_BODY  # type: ignore[misc]  # set by bench.settings only
        _CEILING_BODY = Path(body_file).read_bytes()
    return HttpResponse(_CEILING_BODY, content_type="application/json")


# --- The floor of a write: one authenticated INSERT ----------------------------------
# ``bare_insert``: a DRF view with the product's token authentication that
# parses the same JSON body as POST /api/proposals/ and inserts one proposal
# row as it is, with no access check, no validation, no event and no answer
# beyond its id: what any submission costs at least on this stack
# (bench/bench_submit.py compares the product's submission with it).
def _bare_insert_view() -> Callable[..., HttpResponseBase]:
    from rest_framework.request import Request
    from rest_framework.response import Response
    from rest_framework.views import APIView

    from drafting.models import Proposal

    class BareInsert(APIView):
        def post(self, request: Request) -> Response:
            data: dict[str, Any] = dict(request.data)
            user: Any = request.user
            proposal = Proposal.objects.create(
                declaration_id=data["declaration"],
                revision_id=data["revision"],
                paragraph_id=data["paragraph"],
                delegation_id=user.delegate.delegation_id,
                author_id=user.pk,
                kind=data["kind"],
                text=data["text"],
                base_text="",
            )
            return Response({"id": proposal.pk}, status=201)

    return BareInsert.as_view()


bare_insert = _bare_insert_view()


# --- The floor of a submission's database work ----------------------------------------
# ``same_statements``: the statements a submission runs, through the
# product's own functions (the declaration and the paragraph read with the
# current revision; the proposal's and the event's insert in one statement,
# guarded, with its version bump), with the same token
# authentication, and nothing else: no validation, no diff, no serializer, an
# id back. Between the bare INSERT and the product, it tells how much of a
# submission's cost is its database round trips and how much the rest.
def _same_statements_view() -> Callable[..., HttpResponseBase]:
    from rest_framework.request import Request
    from rest_framework.response import Response
    from rest_framework.views import APIView

    from drafting.models import EventVerb, Proposal
    from drafting.services import rows
    from drafting.services.events import proposal_insert_recorded
    from drafting.services.proposals import _read_to_propose

    class SameStatements(APIView):
        def post(self, request: Request) -> Response:
            data: dict[str, Any] = dict(request.data)
            user: Any = request.user
            with rows.write_scope():
                declaration, role, paragraph, current, guard = _read_to_propose(
                    actor=user, declaration_id=int(data["declaration"]), paragraph_id=int(data["paragraph"])
                )
                assert paragraph is not None and current is not None and role.delegation is not None
                proposal = Proposal(
                    declaration=declaration,
                    revision_id=current.pk,
                    paragraph=paragraph,
                    delegation=role.delegation,
                    author=user,
                    kind=data["kind"],
                    text=data["text"],
                    base_text=paragraph.text,
                )
                recorded = proposal_insert_recorded(
                    verb=EventVerb.PROPOSAL_SUBMITTED,
                    actor=user,
                    proposal=proposal,
                    declaration=declaration,
                    guard=guard,
                    after={"kind": proposal.kind, "text": proposal.text},
                )
            if recorded is None:
                return Response({"error": "collided"}, status=409)
            return Response({"id": proposal.pk}, status=201)

    return SameStatements.as_view()


same_statements = _same_statements_view()


def ceiling_with_version(request: HttpRequest, pk: int) -> HttpResponse:
    """The floor of any answer that must be fresh: the ceiling plus the one
    thing a text read cannot skip, reading the declaration's version (one
    raw query, no authentication, no access check). What it loses against
    the ceiling, no implementation of the text read can win back."""
    global _CEILING_BODY
    if _CEILING_BODY is None:
        _CEILING_BODY = Path(settings.BENCH_CEILING_BODY).read_bytes()  # type: ignore[misc]
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM drafting_declaration WHERE id = %s", [pk])
        (version,) = cursor.fetchone() or (0,)
    return HttpResponse(_CEILING_BODY, content_type="application/json", headers={"ETag": f'"v{version}"'})
