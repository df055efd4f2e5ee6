"""The imports API: thin views that validate input with their serializers, call
one selector or service, and answer; errors are the domain's, turned into
responses in ``backend/api/errors.py``."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.http import actor
from backend.api.imports.serializers import (
    ImportConfirmSerializer,
    ImportCorrectionsSerializer,
    ImportCreateSerializer,
    ImportJobSerializer,
)
from drafting import selectors, services
from drafting.access import is_secretariat_anywhere
from drafting.errors import InvalidInput, NotAllowed
from drafting.models import ImportJob
from drafting.services.import_jobs import max_import_bytes
from workers import tasks


def _job_body(job_id: int) -> object:
    """The job as it stands now: after create (the worker may have read it,
    on the embedded default) or confirm (which made its revision)."""
    job = ImportJob.objects.select_related("requested_by", "revision").get(pk=job_id)
    return ImportJobSerializer(job).data


class MaySubmitImports(BasePermission):
    """Checked before the body is parsed (DRF reads ``request.data`` lazily,
    and this reads nothing of it): a user who is Secretariat of no meeting
    gets 403 without the upload being read. The meeting's own Secretariat
    is checked again by the service."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method == "POST" and not is_secretariat_anywhere(request.user):
            # the domain's refusal, so the body is the one every 403 has
            raise NotAllowed(_("Only the Technical Secretariat of a meeting may import drafts."))
        return True


class ImportList(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    permission_classes = [*APIView.permission_classes, MaySubmitImports]

    @extend_schema(
        request={"multipart/form-data": ImportCreateSerializer, "application/json": ImportCreateSerializer},
        responses={201: OpenApiResponse(ImportJobSerializer, description="Queued: a worker reads it.")},
    )
    def post(self, request: Request) -> Response:
        data = ImportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        user = actor(request)
        meeting, _role = selectors.meeting_get(user=user, meeting_id=v["meeting"])
        declaration = None
        if v.get("declaration") is not None:
            declaration, _role = selectors.declaration_get(user=user, declaration_id=v["declaration"])
        upload = v.get("file")
        if upload is not None and upload.size is not None and upload.size > max_import_bytes():
            # refused before the upload is read into memory
            message = _("The file is %(size)s bytes; at most %(limit)s bytes may be imported.") % {
                "size": f"{upload.size:,}",
                "limit": f"{max_import_bytes():,}",
            }
            raise InvalidInput(message, fields={"file": [message]})
        translation = v.get("translation_file")
        if translation is not None and translation.size is not None and translation.size > max_import_bytes():
            message = _("The file is %(size)s bytes; at most %(limit)s bytes may be imported.") % {
                "size": f"{translation.size:,}",
                "limit": f"{max_import_bytes():,}",
            }
            raise InvalidInput(message, fields={"translation_file": [message]})
        content = upload.read() if upload is not None else v["text"].encode("utf-8")
        filename = (upload.name or "upload") if upload is not None else "pasted.txt"
        job = services.import_job_create(
            actor=user,
            meeting=meeting,
            declaration=declaration,
            content=content,
            filename=filename,
            title=v.get("title", ""),
            kind=v.get("kind", ""),
            original_language=v.get("original_language", ""),
            translation_content=translation.read() if translation is not None else None,
            translation_filename=(translation.name or "translation") if translation is not None else "",
            translation_only=v.get("translation_only", False),
            dispatch=tasks.import_dispatch,
        )
        headers = {"Location": request.build_absolute_uri(f"/api/imports/{job.pk}/")}
        return Response(_job_body(job.pk), status=status.HTTP_201_CREATED, headers=headers)


class ImportDetail(APIView):
    @extend_schema(responses=ImportJobSerializer)
    def get(self, request: Request, pk: int) -> Response:
        job = services.import_job_get(user=actor(request), job_id=pk)
        return Response(ImportJobSerializer(job).data)


class ImportCorrections(APIView):
    @extend_schema(
        request=ImportCorrectionsSerializer,
        responses={
            200: OpenApiResponse(ImportJobSerializer, description="The corrected preview."),
            400: OpenApiResponse(description="A correction that does not fit the preview: none was applied."),
            409: OpenApiResponse(description="Not ready (still reading, failed) or already confirmed."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        data = ImportCorrectionsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = services.import_job_correct(actor=actor(request), job_id=pk, operations=data.validated_data["operations"])
        return Response(_job_body(job.pk))


class ImportConfirm(APIView):
    @extend_schema(
        request=ImportConfirmSerializer,
        responses={
            200: OpenApiResponse(ImportJobSerializer, description="Confirmed: see revision and created_declaration."),
            409: OpenApiResponse(description="Not ready (still reading, or failed), or already confirmed."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        data = ImportConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = services.import_job_confirm(actor=actor(request), job_id=pk, note=data.validated_data.get("note", ""))
        return Response(_job_body(job.pk))
