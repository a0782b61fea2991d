"""The Testing page's Django and DRF samples, run by pytest-django in a project of the reader's
own: a ``reports`` app whose model gives the ``view_report`` permission."""

from __future__ import annotations

import pytest
from support.docs_samples import docs_sample
from support.user_project import write_files

pytest_plugins = ["pytester"]

PROJECT = {
    "pytest.ini": (
        "[pytest]\n"
        "DJANGO_SETTINGS_MODULE = settings\n"
        "python_files = tests.py test_*.py\n"
        "addopts = --import-mode=importlib -p no:cacheprovider\n"
        "pythonpath = .\n"
    ),
    "settings.py": """
SECRET_KEY = "reader-project"
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sessions",
    "keysmith", "reports",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "keysmith.django.middleware.KeysmithAuthenticationMiddleware",
]
ROOT_URLCONF = "urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
KEYSMITH = {"HASH_ITERATIONS": 10_000}
""",
    "reports/__init__.py": "",
    "reports/models.py": (
        "from django.db import models\n\n\n"
        "class Report(models.Model):\n"
        "    title = models.CharField(max_length=100)\n"
    ),
    "reports/api.py": """
from rest_framework.response import Response
from rest_framework.views import APIView

from keysmith.drf.auth import KeysmithAuthentication
from keysmith.drf.permissions import ScopedPermission


class ReportList(APIView):
    authentication_classes = [KeysmithAuthentication]
    permission_classes = [ScopedPermission("view_report")]

    def get(self, request):
        return Response({"reports": []})
""",
    "urls.py": """
from django.urls import path

from reports.api import ReportList
from reports.views import report_list

urlpatterns = [path("reports/", report_list), path("api/reports/", ReportList.as_view())]
""",
}


def test_docs_django_and_drf_samples_pass_as_printed(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pytest_django", reason="the reader's project runs on pytest-django")
    pytest.importorskip("rest_framework", reason="the reader's project has a DRF view")
    write_files(pytester, PROJECT)
    write_files(
        pytester,
        {
            "conftest.py": docs_sample("testing.md", "conftest"),
            "reports/views.py": docs_sample("testing.md", "django-views"),
            "reports/tests.py": docs_sample("testing.md", "django-testcase"),
            "tests/test_reports.py": docs_sample("testing.md", "django-tests"),
            "tests/test_api.py": docs_sample("testing.md", "drf-tests"),
        },
    )
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "settings")
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=6)
