"""The OpenAPI description of the DRF token endpoints, as drf-spectacular generates it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import include, path
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from keysmith.core.selfservice.schema import error_schema, issued_schema, token_schema


@pytest.fixture(autouse=True)
def spectacular_schemas(settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    }


def generated() -> dict[str, Any]:
    patterns = [path("api/", include("keysmith.drf.urls"))]
    # drf-spectacular ships without type hints.
    generator = SchemaGenerator(patterns=patterns)  # type: ignore[no-untyped-call]
    schema: dict[str, Any] = generator.get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
    validate_schema(schema)  # type: ignore[no-untyped-call]
    return schema


def content(response: dict[str, Any]) -> Any:
    return response["content"]["application/json"]["schema"]


def test_openapi_lists_every_token_endpoint() -> None:
    paths = generated()["paths"]
    assert {name: sorted(paths[name]) for name in paths} == {
        "/api/tokens/": ["get", "post"],
        "/api/tokens/{id}/": ["get"],
        "/api/tokens/{id}/revoke/": ["post"],
        "/api/tokens/{id}/rotate/": ["post"],
    }


def test_openapi_describes_the_shapes_of_the_core() -> None:
    paths = generated()["paths"]
    create = paths["/api/tokens/"]["post"]
    assert content(create["responses"]["201"]) == issued_schema("3.0")
    assert content(create["responses"]["403"]) == error_schema()
    assert create["requestBody"]["content"]["application/json"]["schema"]["required"] == ["name"]
    shown = paths["/api/tokens/{id}/"]["get"]["responses"]["200"]
    assert content(shown) == token_schema("3.0")
    listing = paths["/api/tokens/"]["get"]
    assert content(listing["responses"]["200"])["properties"]["results"]["items"] == (
        token_schema("3.0")
    )
    state = next(p for p in listing["parameters"] if p["name"] == "state")
    assert set(state["schema"]["items"]["enum"]) == {"active", "expired", "revoked", "purged"}
    ids = [op["operationId"] for ops in paths.values() for op in ops.values()]
    assert sorted(ids) == [
        "api_tokens_create", "api_tokens_list", "api_tokens_retrieve", "api_tokens_revoke_create",
        "api_tokens_rotate_create",
    ]  # fmt: skip


def test_openapi_marks_the_raw_token_as_shown_once() -> None:
    rotate = generated()["paths"]["/api/tokens/{id}/rotate/"]["post"]
    raw = content(rotate["responses"]["200"])["properties"]["raw_token"]
    assert "shown in this response only" in raw["description"]


@pytest.mark.django_db
def test_openapi_served_by_the_project_holds_the_token_endpoints(settings: Any) -> None:
    settings.ROOT_URLCONF = "test_drf.schema_urls"
    response = APIClient().get("/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    create = schema["paths"]["/me/tokens/"]["post"]
    assert create["responses"]["201"]["content"]["application/json"]["schema"] == (
        issued_schema("3.0")
    )
