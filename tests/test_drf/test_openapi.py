"""The drf-spectacular extension: ``KeysmithAuthentication`` as an ``apiKey`` security scheme."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.urls import include, path
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.routers import SimpleRouter
from support.docs_samples import docs_sample
from test_drf import views

from keysmith.drf.auth import KeysmithAuthentication
from keysmith.drf.openapi import ERROR_SCHEMA
from keysmith.drf.permissions import RequireKeysmithToken, ScopedPermission

SCHEME = "keysmithToken"


class SubclassedAuthentication(KeysmithAuthentication):
    pass


class SubclassAuthenticatedViewSet(views.UserViewSet):
    authentication_classes = [SubclassedAuthentication]


@pytest.fixture(autouse=True)
def spectacular_schemas(settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    }


def schema_for(viewset: type[Any]) -> dict[str, Any]:
    router = SimpleRouter()
    router.register("users", viewset)
    # drf-spectacular ships without type hints.
    generator = SchemaGenerator(patterns=[path("api/", include(router.urls))])  # type: ignore[no-untyped-call]
    schema: dict[str, Any] = generator.get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
    validate_schema(schema)  # type: ignore[no-untyped-call]
    return schema


def test_openapi_scheme_is_api_key_in_default_header() -> None:
    schema = schema_for(views.UserViewSet)
    assert schema["components"]["securitySchemes"][SCHEME] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Keysmith-Token",
        "description": "A keysmith API token.",
    }


def test_openapi_operations_require_the_scheme() -> None:
    operation = schema_for(TokenOnlyViewSet)["paths"]["/api/users/"]["get"]
    assert {SCHEME: []} in operation["security"]


def test_openapi_scheme_follows_header_name_setting(settings: Any) -> None:
    settings.KEYSMITH = {"HASH_ITERATIONS": 10_000, "HEADER_NAME": "HTTP_X_API_KEY"}
    scheme = schema_for(views.UserViewSet)["components"]["securitySchemes"][SCHEME]
    assert scheme["name"] == "X-Api-Key"


def test_openapi_scheme_matches_subclasses() -> None:
    schema = schema_for(SubclassAuthenticatedViewSet)
    assert list(schema["components"]["securitySchemes"]) == [SCHEME]


def test_openapi_extension_loads_when_drf_settings_import_the_class() -> None:
    # A fresh interpreter, as a server starts: rest_framework.views imports the class named in
    # DEFAULT_AUTHENTICATION_CLASSES, which loads the extension, which imports drf-spectacular.
    code = (
        "import sys, django; django.setup()\n"
        "from rest_framework.views import APIView\n"
        "print(APIView.authentication_classes[0].__name__, 'keysmith.drf.openapi' in sys.modules)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "test_django.settings",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }
    command = [sys.executable, "-W", "error", "-c", code]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert result.stdout.split() == ["KeysmithAuthentication", "True"], result.stderr


class TokenOnlyViewSet(views.UserViewSet):
    permission_classes = [RequireKeysmithToken]


class ScopedViewSet(views.UserViewSet):
    permission_classes = [ScopedPermission("view_user", "change_user")]  # type: ignore[list-item]


class OpenViewSet(views.UserViewSet):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]


def documented(viewset: type[Any], settings: Any) -> dict[str, Any]:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_SCHEMA_CLASS": "keysmith.drf.openapi_schema.KeysmithAutoSchema",
    }
    return schema_for(viewset)


def test_openapi_security_requirement_lists_scoped_permission_scopes() -> None:
    operation = schema_for(ScopedViewSet)["paths"]["/api/users/"]["get"]
    assert {SCHEME: ["change_user", "view_user"]} in operation["security"]


def test_openapi_security_requirement_lists_view_required_scopes() -> None:
    operation = schema_for(views.UserViewSet)["paths"]["/api/users/"]["get"]
    assert {SCHEME: ["view_user"]} in operation["security"]


def test_openapi_keysmith_schema_documents_401_with_body_and_challenge(settings: Any) -> None:
    responses = documented(TokenOnlyViewSet, settings)["paths"]["/api/users/"]["get"]["responses"]
    answer = responses["401"]
    assert answer["content"]["application/json"]["schema"] == ERROR_SCHEMA
    assert 'header="X-Keysmith-Token"' in answer["headers"]["WWW-Authenticate"]["description"]
    assert "403" not in responses  # no scope required


def test_openapi_keysmith_schema_documents_403_when_scopes_are_required(settings: Any) -> None:
    responses = documented(ScopedViewSet, settings)["paths"]["/api/users/"]["get"]["responses"]
    assert responses["403"]["content"]["application/json"]["schema"] == ERROR_SCHEMA
    assert "401" in responses


def test_openapi_view_without_keysmith_has_no_refusals(settings: Any) -> None:
    operation = documented(OpenViewSet, settings)["paths"]["/api/users/"]["get"]
    assert not {"401", "403"} & set(operation["responses"])
    assert SCHEME not in str(operation.get("security", []))


def test_openapi_docs_sample_settings_document_refusals(settings: Any) -> None:
    namespace: dict[str, Any] = {}
    exec(docs_sample("drf.md", "spectacular"), namespace)
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, **namespace["REST_FRAMEWORK"]}
    responses = schema_for(ScopedViewSet)["paths"]["/api/users/"]["get"]["responses"]
    assert {"401", "403"} <= set(responses)


def test_openapi_either_side_of_an_or_is_not_a_required_scope() -> None:
    class EitherViewSet(views.UserViewSet):
        permission_classes = [IsAdminUser | ScopedPermission("view_user")]

    operation = schema_for(EitherViewSet)["paths"]["/api/users/"]["get"]
    assert {SCHEME: []} in operation["security"]
