"""OpenAPI generation: what every operation may answer besides success, and post-processing."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema

INTERNATIONAL_FORMATS = {"email": "idn-email", "uri": "iri"}

ERROR = {"$ref": "#/components/schemas/Error"}
VALIDATION_ERROR = {"$ref": "#/components/schemas/ValidationError"}
COMPONENTS = {
    "Error": {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
        "description": "Why the request was refused.",
    },
    "ValidationError": {
        "type": "object",
        "additionalProperties": True,
        "description": "Field name → list of messages (`detail` for the request as a whole; "
        "`errors` by item position for bulk requests).",
    },
}
ETAG_HEADER = {
    "ETag": {
        "schema": {"type": "string"},
        "description": "The record's version; send it back in `If-Match` to update it.",
    }
}
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "schema": {"type": "string"},
    "required": False,
    "description": "The ETag you last read. Without it the update is refused (428); if the "
    "record changed since, it is refused too (412).",
}


def _error(description: str, schema=ERROR) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


class ApiAutoSchema(AutoSchema):
    """Declares the answers the shared machinery gives on every operation, so the schema
    is honest about them (clients and schemathesis check responses against it): 401 bad
    token, 403 role, 404 unknown id or cursor, 429 rate limit, 400/413 bad input (or, for a
    write, a record in the wrong state), and the
    ETag / If-Match protocol (412, 428) of views that update with ``uses_etags``."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return operation
        responses = operation.setdefault("responses", {})
        parameters = operation.setdefault("parameters", [])
        has_body = "requestBody" in operation
        has_query = any(parameter["in"] == "query" for parameter in parameters)
        has_path = any(parameter["in"] == "path" for parameter in parameters)
        errors = {
            "401": _error("Missing, malformed, expired or revoked token."),
            "403": _error("Your role does not allow this."),
            "429": _error("Too many requests for this token; retry later."),
        }
        if has_path or has_query:
            errors["404"] = _error("No such record visible to you (or an invalid cursor).")
        writes = self.method not in ("GET", "HEAD", "OPTIONS")
        if has_body or has_query or writes:  # a write's service may refuse the record's state
            errors["400"] = _error("Invalid input.", VALIDATION_ERROR)
        if has_body:
            errors["413"] = _error("The request body is too large.")
        uses_etags = getattr(self.view, "uses_etags", False)
        action = getattr(self.view, "action", None)
        if uses_etags and action in ("update", "partial_update"):
            parameters.append(dict(IF_MATCH))
            errors["412"] = _error("The record changed since you read it.")
            errors["428"] = _error("Send the ETag you last read in If-Match.")
        if uses_etags and action in ("retrieve", "update", "partial_update"):
            for code, response in responses.items():
                if code.startswith("2"):
                    response.setdefault("headers", {}).update(ETAG_HEADER)
        for code, response in errors.items():
            responses.setdefault(code, response)
        return operation


def error_components(result, generator, request, public):
    """The error bodies referenced by ``ApiAutoSchema``; request bodies are closed objects
    (the API's serializers refuse unknown fields with a 400)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(COMPONENTS)
    for name, schema in schemas.items():
        if name.endswith("Request") and schema.get("type") == "object":
            schema.setdefault("additionalProperties", False)
    return result


def international_formats(result, generator, request, public):
    """Django accepts internationalised emails and domains; say so in the schema, so strict
    clients do not reject values the API legitimately returns."""

    def walk(node):
        if isinstance(node, dict):
            if node.get("format") in INTERNATIONAL_FORMATS and node.get("type") == "string":
                node["format"] = INTERNATIONAL_FORMATS[node["format"]]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result
