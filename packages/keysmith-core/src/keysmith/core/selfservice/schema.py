"""The JSON Schemas of the self-service bodies, for OpenAPI documents (drf-spectacular writes
OpenAPI 3.0, FastAPI 3.1: they spell a nullable value differently)."""

from __future__ import annotations

from typing import Any

from keysmith.core.selfservice.requests import MAX_DESCRIPTION, MAX_SCOPES
from keysmith.core.selfservice.shapes import STATES


def _nullable(schema: dict[str, Any], openapi: str) -> dict[str, Any]:
    if openapi.startswith("3.0"):
        return {**schema, "nullable": True}
    return {**schema, "type": [schema["type"], "null"]}


def _time(openapi: str, *, nullable: bool, description: str) -> dict[str, Any]:
    schema = {"type": "string", "format": "date-time", "description": description}
    return _nullable(schema, openapi) if nullable else schema


_TOKEN_FIELDS = (
    "id", "prefix", "name", "description", "owner", "scopes", "state", "created_at",
    "expires_at", "last_used_at",
)  # fmt: skip


def token_schema(openapi: str = "3.1") -> dict[str, Any]:
    """A token's metadata (``shapes.token_body``)."""
    return {
        "type": "object",
        "properties": {
            "id": {"type": "string", "description": "Names the token in URLs."},
            "prefix": {"type": "string", "description": "Public; safe to show and log."},
            "name": {"type": "string"},
            "description": {"type": "string"},
            "owner": _nullable({"type": "string", "description": "The owner's user id."}, openapi),
            "scopes": {"type": "array", "items": {"type": "string"}},
            "state": {"type": "string", "enum": list(STATES)},
            "created_at": _time(openapi, nullable=False, description="When it was created."),
            "expires_at": _time(openapi, nullable=True, description="Null: never expires."),
            "last_used_at": _time(openapi, nullable=True, description="Null: never used."),
        },
        "required": list(_TOKEN_FIELDS),
    }


def issued_schema(openapi: str = "3.1") -> dict[str, Any]:
    token = token_schema(openapi)
    raw = {
        "type": "string",
        "description": "The raw token: shown in this response only, never again.",
    }
    return {
        **token,
        "properties": {**token["properties"], "raw_token": raw},
        "required": [*token["required"], "raw_token"],
    }


def page_schema(openapi: str = "3.1") -> dict[str, Any]:
    link = _nullable({"type": "string", "format": "uri"}, openapi)
    return {
        "type": "object",
        "properties": {
            "count": {"type": "integer"},
            "next": link,
            "previous": link,
            "results": {"type": "array", "items": token_schema(openapi)},
        },
        "required": ["count", "next", "previous", "results"],
    }


def error_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
        "required": ["detail", "code"],
    }


def create_schema(openapi: str = "3.1") -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "description": {"type": "string", "maxLength": MAX_DESCRIPTION},
            "scopes": {
                "type": "array",
                "items": {"type": "string"},
                "maxItems": MAX_SCOPES,
                "description": "Omitted: the default scopes. Only scopes you may grant.",
            },
            "expires_at": _time(
                openapi, nullable=True, description="Omitted: the default lifetime; null: never."
            ),
            "owner": {
                "type": "string",
                "description": "Whose token (default: yours); others need the permission.",
            },
        },
        "required": ["name"],
        "additionalProperties": False,
    }


def rotate_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "grace_seconds": {
                "type": "integer",
                "minimum": 0,
                "description": "How long the old secret keeps working (within the bound).",
            }
        },
        "additionalProperties": False,
    }
