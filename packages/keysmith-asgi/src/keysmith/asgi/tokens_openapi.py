"""The OpenAPI description of ``token_router``'s operations, from the core's JSON Schemas (the
DRF viewset documents the same shapes)."""

from __future__ import annotations

from typing import Any

from keysmith.core.selfservice import schema
from keysmith.core.selfservice.shapes import STATES

OPENAPI = "3.1"  # FastAPI writes OpenAPI 3.1

_ERROR = {
    "description": "A refusal.",
    "content": {"application/json": {"schema": schema.error_schema()}},
}
_REFUSALS: dict[int | str, dict[str, Any]] = {
    status: _ERROR for status in (400, 401, 403, 404, 409, 503)
}


def _json(schema_: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema_}}}


def _body(schema_: dict[str, Any], *, required: bool) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": required,
            "content": {"application/json": {"schema": schema_}},
        }
    }


def _query(name: str, schema_: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema_,
            "description": description}  # fmt: skip


_LIST_PARAMETERS = [
    _query("page", {"type": "integer", "minimum": 1}, "Page number, from 1."),
    _query("page_size", {"type": "integer", "minimum": 1}, "Tokens per page."),
    _query(
        "state",
        {"type": "array", "items": {"type": "string", "enum": list(STATES)}},
        "Only tokens in these states.",
    ),
    _query("owner", {"type": "string"}, "Another user's id (needs the permission)."),
]

_OPERATIONS: dict[str, dict[str, Any]] = {
    "list": {
        "summary": "List your tokens",
        "status": 200,
        "response": _json(schema.page_schema(OPENAPI), "One page of tokens."),
        "extra": {"parameters": _LIST_PARAMETERS},
    },
    "create": {
        "summary": "Create a token",
        "status": 201,
        "response": _json(
            schema.issued_schema(OPENAPI), "The new token; the raw token is shown this once."
        ),
        "extra": _body(schema.create_schema(OPENAPI), required=True),
    },
    "retrieve": {
        "summary": "Show a token",
        "status": 200,
        "response": _json(schema.token_schema(OPENAPI), "The token's metadata."),
        "extra": {},
    },
    "rotate": {
        "summary": "Rotate a token",
        "status": 200,
        "response": _json(schema.issued_schema(OPENAPI), "The new raw token, shown this once."),
        "extra": _body(schema.rotate_schema(), required=False),
    },
    "revoke": {
        "summary": "Revoke a token",
        "status": 200,
        "response": _json(schema.token_schema(OPENAPI), "The revoked token."),
        "extra": {},
    },
}


def operation(name: str) -> dict[str, Any]:
    """The route decorator's keyword arguments for one operation."""
    spec = _OPERATIONS[name]
    return {
        "summary": spec["summary"],
        "status_code": spec["status"],
        "responses": {spec["status"]: spec["response"], **_REFUSALS},
        "openapi_extra": spec["extra"],
        "response_model": None,
    }
