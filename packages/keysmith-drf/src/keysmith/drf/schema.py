"""The OpenAPI description of ``TokenViewSet`` for drf-spectacular, from the core's JSON Schemas
(the FastAPI router documents the same shapes). Loaded by ``keysmith.drf.views`` when
drf-spectacular is installed."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)

from keysmith.core.selfservice import schema
from keysmith.core.selfservice.shapes import STATES

OPENAPI = "3.0"  # drf-spectacular writes OpenAPI 3.0
TAGS = ["tokens"]

_TOKEN = schema.token_schema(OPENAPI)
_ISSUED = schema.issued_schema(OPENAPI)
_ERROR = OpenApiResponse(schema.error_schema(), description="A refusal.")
_ID = OpenApiParameter("id", str, OpenApiParameter.PATH, description="The token's id.")
_REFUSALS = {400: _ERROR, 401: _ERROR, 403: _ERROR, 404: _ERROR, 503: _ERROR}


def _responses(status: int, body: dict[str, Any], description: str) -> dict[int, Any]:
    return {status: OpenApiResponse(body, description=description), **_REFUSALS}


class TokenSchema(AutoSchema):
    """The listing answers one page object, not a list of tokens: drf-spectacular must not
    wrap the described body in an array because the action is called ``list``."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False

    def get_operation_id(self) -> str:
        operation_id: str = super().get_operation_id()
        if getattr(self.view, "action", None) == "list":  # else named like retrieve
            return operation_id.rpartition("_")[0] + "_list"
        return operation_id


def document(viewset: type[Any]) -> None:
    """Describe each action of ``viewset`` (``TokenViewSet`` or a subclass)."""
    viewset.schema = TokenSchema()
    extend_schema_view(
        list=extend_schema(
            summary="List your tokens",
            tags=TAGS,
            parameters=[
                OpenApiParameter("page", int, description="Page number, from 1."),
                OpenApiParameter("page_size", int, description="Tokens per page."),
                OpenApiParameter(
                    "state",
                    str,
                    enum=list(STATES),
                    many=True,
                    explode=True,
                    description="Only tokens in these states.",
                ),
                OpenApiParameter("owner", str, description="Another user's id (permission)."),
            ],
            responses=_responses(200, schema.page_schema(OPENAPI), "One page of tokens."),
        ),
        create=extend_schema(
            summary="Create a token",
            tags=TAGS,
            request={"application/json": schema.create_schema(OPENAPI)},
            responses=_responses(201, _ISSUED, "The new token; the raw token is shown this once."),
        ),
        retrieve=extend_schema(
            summary="Show a token",
            tags=TAGS,
            parameters=[_ID],
            responses=_responses(200, _TOKEN, "The token's metadata."),
        ),
        rotate=extend_schema(
            summary="Rotate a token",
            tags=TAGS,
            parameters=[_ID],
            request={"application/json": schema.rotate_schema()},
            responses=_responses(200, _ISSUED, "The new raw token, shown this once."),
        ),
        revoke=extend_schema(
            summary="Revoke a token",
            tags=TAGS,
            parameters=[_ID],
            request=None,
            responses=_responses(200, _TOKEN, "The revoked token."),
        ),
    )(viewset)
