"""The pytest plugin in a user's own Django project: a settings module, a protected view, a
DRF view, and tests written with the ``keysmith_*`` fixtures, run by pytest-django."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

SETTINGS = """
SECRET_KEY = "user-project"
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sessions", "keysmith",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "keysmith.django.middleware.KeysmithAuthenticationMiddleware",
]
ROOT_URLCONF = "urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
KEYSMITH = {"HASH_ITERATIONS": 10_000, "HEADER_NAME": "HTTP_X_API_KEY"}
"""

URLS = """
from django.http import JsonResponse
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from keysmith.django.decorator import keysmith_required
from keysmith.django.permissions import keysmith_scopes
from keysmith.drf.auth import KeysmithAuthentication
from keysmith.drf.permissions import ScopedPermission


@keysmith_required
@keysmith_scopes("view_group")
def groups(request):
    return JsonResponse({"prefix": request.keysmith_token.prefix})


class Reports(APIView):
    authentication_classes = [KeysmithAuthentication]
    permission_classes = [ScopedPermission("view_group")]

    def get(self, request):
        return Response({"prefix": request.auth.prefix})


urlpatterns = [path("groups/", groups), path("reports/", Reports.as_view())]
"""

CONFTEST = 'pytest_plugins = ["keysmith.testing"]\n'

TESTS = """
from datetime import timedelta

import pytest


def test_scoped_view_answers_token_holder(keysmith_client, keysmith_token):
    token = keysmith_token(scopes=["view_group"])
    response = keysmith_client(token).get("/groups/")
    assert response.status_code == 200
    assert response.json() == {"prefix": token.prefix}


def test_scoped_view_refuses_token_without_scope(keysmith_client):
    assert keysmith_client(scopes=[]).get("/groups/").status_code == 403


def test_drf_view_answers_token_holder(keysmith_api_client):
    assert keysmith_api_client(scopes=["view_group"]).get("/reports/").status_code == 200


def test_audit_events_of_the_test(keysmith_client, keysmith_audit):
    keysmith_client(scopes=["view_group"]).get("/groups/")
    assert keysmith_audit.actions() == ["created", "auth_success"]
    assert keysmith_audit[-1].status_code == 200


def test_token_expires_on_frozen_clock(keysmith_client, keysmith_clock):
    client = keysmith_client(scopes=["view_group"], expires_at=timedelta(hours=1))
    assert client.get("/groups/").status_code == 200
    keysmith_clock.advance(hours=2)
    assert client.get("/groups/").status_code == 401
"""


def test_plugin_in_django_project_runs_users_tests(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pytest_django", reason="the user's project runs on pytest-django")
    pytest.importorskip("rest_framework", reason="the user's project has a DRF view")
    pytester.makepyfile(settings=SETTINGS, urls=URLS, conftest=CONFTEST, test_views=TESTS)
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "settings")
    monkeypatch.setenv("PYTHONPATH", str(pytester.path))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)
