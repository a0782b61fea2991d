"""The OpenAPI description of the FastAPI token endpoints, fetched from the app."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient
from test_asgi.conftest import Keys
from test_asgi.tokens_app import tokens_app

from keysmith.core import AsyncMemoryTokenStore
from keysmith.core.selfservice.schema import (
    create_schema,
    error_schema,
    issued_schema,
    page_schema,
    token_schema,
)


@pytest.fixture
def store() -> Any:  # the schema needs no database
    return AsyncMemoryTokenStore()


def fetched(keys: Keys) -> dict[str, Any]:
    response = TestClient(tokens_app(keys)).get("/openapi.json")
    assert response.status_code == 200
    schema: dict[str, Any] = response.json()
    return schema


def content(part: dict[str, Any]) -> Any:
    return part["content"]["application/json"]["schema"]


def test_openapi_lists_every_token_endpoint(keys: Keys) -> None:
    paths = fetched(keys)["paths"]
    mine = {name: sorted(paths[name]) for name in paths if name.startswith("/me/")}
    assert mine == {
        "/me/tokens": ["get", "post"],
        "/me/tokens/{token_id}": ["get"],
        "/me/tokens/{token_id}/revoke": ["post"],
        "/me/tokens/{token_id}/rotate": ["post"],
    }


def test_openapi_describes_the_shapes_of_the_core(keys: Keys) -> None:
    schema = fetched(keys)
    assert schema["openapi"].startswith("3.1")
    paths = schema["paths"]
    create = paths["/me/tokens"]["post"]
    assert content(create["requestBody"]) == create_schema("3.1")
    assert content(create["responses"]["201"]) == issued_schema("3.1")
    assert content(create["responses"]["409"]) == error_schema()
    assert content(paths["/me/tokens"]["get"]["responses"]["200"]) == page_schema("3.1")
    shown = paths["/me/tokens/{token_id}"]["get"]["responses"]["200"]
    assert content(shown) == token_schema("3.1")
    names = [p["name"] for p in paths["/me/tokens"]["get"]["parameters"]]
    assert {"page", "page_size", "state", "owner"} <= set(names)
