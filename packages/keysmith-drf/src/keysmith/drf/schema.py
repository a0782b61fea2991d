"""The OpenAPI description of ``TokenViewSet`` for drf-spectacular, from the core's JSON Schemas
(the FastAPI router documents the same shapes). Loaded by ``keysmith.drf.views`` when
drf-spectacular is installed; used when the project's ``DEFAULT_SCHEMA_CLASS`` is
drf-spectacular's ``AutoSchema`` (or a subclass of it)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.schemas.inspectors import DefaultSchema
from rest_framework.settings import api_settings

from keysmith.core.selfservice import schema
from keysmith.core.selfservice.shapes import STATES

OPENAPI = "3.0"  # drf-spectacular writes OpenAPI 3.0
TAGS = ["tokens"]

_TOKEN = schema.token_schema(OPENAPI)
_ISSUED = schema.issued_schema(OPENAPI)
_ERROR = OpenApiResponse(schema.error_schema(), description="A refusal.")
_REFUSALS = {status: _ERROR for status in (400, 401, 403, 404, 409, 503)}
_ID = OpenApiParameter("id", str, OpenApiParameter.PATH, description="The token's id.")
_LIST_PARAMETERS = [
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
    OpenApiParameter("owner", str, description="Another user's id (needs the permission)."),
]

# action: (summary, parameters, request body schema, status, response schema, description)
_ACTIONS: dict[str, tuple[str, list[Any], Any, int, dict[str, Any], str]] = {
    "list": (
        "List your tokens", _LIST_PARAMETERS, None, 200, schema.page_schema(OPENAPI),
        "One page of tokens.",
    ),
    "create": (
        "Create a token", [], schema.create_schema(OPENAPI), 201, _ISSUED,
        "The new token; the raw token is shown this once.",
    ),
    "retrieve": ("Show a token", [_ID], None, 200, _TOKEN, "The token's metadata."),
    "rotate": (
        "Rotate a token", [_ID], schema.rotate_schema(), 200, _ISSUED,
        "The new raw token, shown this once.",
    ),
    "revoke": ("Revoke a token", [_ID], None, 200, _TOKEN, "The revoked token."),
}  # fmt: skip


class TokenSchema(AutoSchema):
    """Each action's summary, parameters and bodies, by the action's name."""

    def _action(self) -> tuple[str, list[Any], Any, int, dict[str, Any], str] | None:
        return _ACTIONS.get(getattr(self.view, "action", None) or "")

    def get_summary(self) -> str | None:
        action = self._action()
        return action[0] if action else super().get_summary()

    def get_tags(self) -> list[str]:
        return TAGS

    def get_override_parameters(self) -> list[Any]:
        action = self._action()
        return [*super().get_override_parameters(), *(action[1] if action else [])]

    def get_request_serializer(self) -> Any:
        action = self._action()
        if action is None:
            return super().get_request_serializer()
        return None if action[2] is None else {"application/json": action[2]}

    def get_response_serializers(self) -> Any:
        action = self._action()
        if action is None:
            return super().get_response_serializers()
        _, _, _, status, body, description = action
        return {status: OpenApiResponse(body, description=description), **_REFUSALS}

    def _is_list_view(self, serializer: Any = None) -> bool:
        # The listing answers one page object: it must not be wrapped in an array.
        return False

    def get_operation_id(self) -> str:
        operation_id: str = super().get_operation_id()
        if getattr(self.view, "action", None) == "list":  # else named like retrieve
            return operation_id.rpartition("_")[0] + "_list"
        return operation_id


class TokenSchemaWhenSpectacular(DefaultSchema):
    """``TokenViewSet.schema``: ``TokenSchema`` (over the project's own drf-spectacular class)
    when the project generates its schema with drf-spectacular, else DRF's default."""

    def __get__(self, instance: Any, owner: Any) -> Any:
        result = super().__get__(instance, owner)
        default: Any = api_settings.DEFAULT_SCHEMA_CLASS
        if not isinstance(default, type) or not issubclass(default, AutoSchema):
            return result
        base = default if issubclass(default, TokenSchema) else (
            type("TokenSchema", (TokenSchema, default), {})
        )  # fmt: skip
        inspector = base()
        inspector.view = instance
        return inspector


def document(viewset: type[Any]) -> None:
    """Give ``viewset`` (``TokenViewSet`` or a subclass) its OpenAPI description."""
    viewset.schema = TokenSchemaWhenSpectacular()
