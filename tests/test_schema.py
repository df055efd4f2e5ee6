"""The OpenAPI schema is valid and generates without warnings, so clients
(and schemathesis later) can rely on it."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.core.management import call_command


def test_openapi_schema_is_valid_and_warning_free(tmp_path: Path) -> None:
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    paths = schema["paths"]
    for path in ("/api/proposals/{id}/accept/", "/api/revisions/{id}/", "/api/declarations/{id}/text/"):
        assert path in paths
    assert "TokenAuth" in str(schema["components"]["securitySchemes"]) or "tokenAuth" in str(
        schema["components"]["securitySchemes"]
    )
