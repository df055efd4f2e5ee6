"""The exports API: thin views that validate input with their serializers, call
one selector or service, and answer; errors are the domain's, turned into
responses in ``backend/api/errors.py``."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import FileResponse, HttpResponseBase
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api import filters
from backend.api.exports.serializers import ExportJobSerializer, ExportRequestSerializer
from backend.api.http import actor
from drafting import selectors, services
from drafting.errors import Conflict
from drafting.models import ExportJob
from drafting.services.export_jobs import MIME
from workers import tasks

# How long a client should wait before asking again for a file being made.
RETRY_AFTER_SECONDS = 2


class ExportList(generics.ListAPIView[ExportJob]):
    """Export jobs the user may see (GET); ask for a document (POST)."""

    serializer_class = ExportJobSerializer
    filterset_class = filters.ExportJobFilter

    def get_queryset(self) -> QuerySet[ExportJob]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return ExportJob.objects.none()
        return selectors.export_job_list(user=actor(self.request)).order_by("-id")

    @extend_schema(
        request=ExportRequestSerializer,
        responses={
            201: OpenApiResponse(
                ExportJobSerializer, description="A new job, queued (done already on the embedded default)."
            ),
            200: OpenApiResponse(ExportJobSerializer, description="The job for the same inputs, already asked for."),
        },
    )
    def post(self, request: Request) -> Response:
        data = ExportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        job, created = services.export_job_request(
            actor=actor(request),
            declaration_id=v["declaration"],
            kind=v["kind"],
            fmt=v["format"],
            revision_id=v.get("revision"),
            base_revision_id=v.get("base_revision"),
            language=v.get("language") or None,
            pdf_available=tasks.pdf_available(),
            dispatch=tasks.export_dispatch,
        )
        job.refresh_from_db()  # with eager Celery (tests) it may be done already
        body = ExportJobSerializer(job, context={"request": request}).data
        headers = {"Location": request.build_absolute_uri(f"/api/exports/{job.pk}/")}
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK, headers=headers)


class ExportDetail(APIView):
    @extend_schema(responses=ExportJobSerializer)
    def get(self, request: Request, pk: int) -> Response:
        job = services.export_job_get(user=actor(request), job_id=pk)
        return Response(ExportJobSerializer(job, context={"request": request}).data)


class ExportFile(APIView):
    """The document, once the job is done; 409 with Retry-After before."""

    @extend_schema(
        responses={
            (200, MIME[ExportJob.Format.DOCX]): OpenApiTypes.BINARY,
            (200, MIME[ExportJob.Format.PDF]): OpenApiTypes.BINARY,
            409: OpenApiResponse(description="Not done yet (Retry-After), or failed (the message says why)."),
        }
    )
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        job = services.export_job_get(user=actor(request), job_id=pk)
        if job.status == ExportJob.Status.FAILED:
            raise Conflict(_("This export failed: %(error)s") % {"error": job.error}, extra={"status": job.status})
        if job.status != ExportJob.Status.DONE:
            raise Conflict(
                _("The document is not ready yet (the job is %(status)s); ask again shortly.")
                % {"status": pgettext("export status", job.status)},
                extra={"status": job.status},
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        try:
            handle = job.file.open("rb")
        except FileNotFoundError:
            services.export_job_fail(
                job_id=job.pk, message="The file was lost from storage; ask for it again.", file_lost=True
            )
            raise Conflict(_("The file was lost from storage; ask for the document again.")) from None
        download = FileResponse(
            handle, as_attachment=True, filename=job.filename, content_type=MIME[ExportJob.Format(job.format)]
        )
        download["ETag"] = f'"{job.checksum}"'
        return download
