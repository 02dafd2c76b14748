"""drf-spectacular post-processing: document the error responses every operation can give,
so that clients (and schemathesis) know a 400/401/403/404 is part of the contract."""

from __future__ import annotations

ERROR = {
    "type": "object",
    "description": "An error: a message per field, or `detail` for the whole request.",
    "additionalProperties": True,
}
STATUSES = {
    "400": "Invalid input: a message per field.",
    "401": "Not authenticated.",
    "403": "Authenticated, but the role does not allow this.",
    "404": "Not found, or outside the user's reach.",
}

USAGE_STATUSES = {
    "409": "A request with this Idempotency-Key is still in progress.",
    "422": "This Idempotency-Key was used with a different request body.",
    "429": "Throttled: too many batches for this token.",
}


def add_error_responses(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR
    ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            statuses = dict(STATUSES)
            if path.endswith("/usage/") and method == "post":
                statuses.update(USAGE_STATUSES)
            for code, text in statuses.items():
                responses.setdefault(
                    code, {"description": text, "content": {"application/json": {"schema": ref}}}
                )
    return result
