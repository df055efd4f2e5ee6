"""Request bodies are refused before they are read, per endpoint, and an
upload from a user who may not import is refused (403) before it is read
(issue 13: any logged-in user could make the server write a 1 GB temp file
to any POST endpoint, and got 400, not 403, after it was stored)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.http import multipartparser
from django.test import Client

from backend.body_limits import FORM_OVERHEAD
from drafting.models import ApiToken
from tests.conftest import World
from tests.factories import UserFactory


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records every multipart body Django parses; and any temporary file made fails the test."""
    calls: list[str] = []
    real = multipartparser.MultiPartParser.parse

    def parse(self: Any) -> Any:
        calls.append("parsed")
        return real(self)

    def no_temp_files(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("an upload was written to a temporary file")

    monkeypatch.setattr(multipartparser.MultiPartParser, "parse", parse)
    monkeypatch.setattr(TemporaryUploadedFile, "__init__", no_temp_files)
    return calls


def _upload(client: Any, world: World, size: int) -> Any:
    return client.post(
        "/api/imports/",
        {"file": SimpleUploadedFile("big.txt", b"a" * size), "meeting": world.meeting.pk},
        format="multipart",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["iom", "mex", "ppt", "rncom"])
def test_a_user_who_may_not_import_is_refused_before_the_upload_is_read(
    world: World, parsed: list[str], role: str
) -> None:
    response = _upload(world.client(role), world, 3 * 1024 * 1024)
    assert response.status_code == 403, response.content
    assert "Technical Secretariat" in response.json()["detail"]
    assert parsed == []


@pytest.mark.django_db
def test_a_user_of_no_delegation_is_refused_before_the_upload_is_read(world: World, parsed: list[str]) -> None:
    user = UserFactory()
    token = ApiToken.objects.create(user=user)
    client = world.client(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert _upload(client, world, 1024).status_code == 403
    assert parsed == []


@pytest.mark.django_db
def test_the_secretariat_uploads_a_large_file_in_memory_never_to_a_temp_file(
    world: World, parsed: list[str], settings: Any
) -> None:
    response = _upload(world.client("ts"), world, 3 * 1024 * 1024)  # over Django's 2.5 MB in-memory default
    assert response.status_code == 201, response.content
    assert parsed == ["parsed"]


@pytest.mark.django_db
def test_an_upload_over_the_import_limit_is_refused_from_its_headers(
    world: World, parsed: list[str], settings: Any
) -> None:
    settings.CONSENSO_MAX_IMPORT_BYTES = 1024 * 1024
    response = _upload(world.client("ts"), world, 1024 * 1024 + FORM_OVERHEAD + 1)
    assert response.status_code == 413, response.content
    assert response.json()["error"] == "too_large"
    assert parsed == []


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/declarations/1/proposals/", "/api/auth/token/", "/admin/login/"])
def test_other_endpoints_take_at_most_the_data_limit_unread(
    world: World, parsed: list[str], settings: Any, path: str
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
    body = b'--x\r\nContent-Disposition: form-data; name="f"; filename="f"\r\n\r\n' + b"a" * 300_000
    response = Client().post(path, data=body, content_type="multipart/form-data; boundary=x")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert parsed == []
