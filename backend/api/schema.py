"""The error answers in the OpenAPI schema.

Every error has one shape (see ``errors.py``), and any operation can give
the errors of its kind: a malformed request (400), no or a bad token (401),
a refusal (403), an unknown id (404), a state that forbids it now (409), a
body past the upload limit (413), the database restarting (503); and the
login endpoint is throttled (429). drf-spectacular documents only the
successes a view declares, so this hook adds the errors, with their body
schema, to every operation that does not already describe them. Clients (and
tests/test_schemathesis.py) can then rely on the schema for the errors too.
"""

from __future__ import annotations

from typing import Any

ERROR_COMPONENT = "Error"
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every error answer. Some add keys, e.g. current_version or current_revision on a 409.",
    "properties": {
        "error": {"type": "string", "description": "invalid, forbidden, not_found, conflict, unavailable, …"},
        "detail": {"type": "string", "description": "What went wrong and what to do, for a person."},
        "fields": {
            "type": "object",
            "description": "Messages per field (nested fields as sections[1].paragraphs[0].text); empty if none.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["error", "detail", "fields"],
}

ERRORS = {
    "400": "The request is invalid (fields says where), or not JSON.",
    "401": "No token, or a token that is not valid (revoked).",
    "403": "Your role may not do this; detail says why.",
    "404": "No such object (or none you may see).",
    "409": "The object's state does not allow this now.",
    "503": "The database is unavailable; retry after Retry-After seconds.",
}
BODY_ERRORS = {
    "413": "The request body is larger than the upload limit.",
    "415": "The body's content type is not one this operation reads.",
}
THROTTLED = {"429": "Too many attempts; retry after Retry-After seconds."}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            errors = dict(ERRORS)
            anonymous = operation.get("security") in (None, []) or {} in operation.get("security", [])
            if anonymous:
                errors.pop("401")
            if "requestBody" in operation:
                errors.update(BODY_ERRORS)
            if path.endswith("/auth/token/") and method == "post":
                errors.update(THROTTLED)
            responses = operation.setdefault("responses", {})
            for status, description in errors.items():
                response = responses.setdefault(status, {"description": description})
                response.setdefault("content", content)
    return result
