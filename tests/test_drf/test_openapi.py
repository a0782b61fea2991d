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
from rest_framework.routers import SimpleRouter
from test_drf import views

from keysmith.drf.auth import KeysmithAuthentication

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
    operation = schema_for(views.UserViewSet)["paths"]["/api/users/"]["get"]
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
