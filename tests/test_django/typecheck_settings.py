"""Settings django-stubs' mypy plugin loads to learn the models: the test project's apps."""

from __future__ import annotations

from test_django.settings import INSTALLED_APPS as TEST_APPS

SECRET_KEY = "type-checking-only"
USE_TZ = True
INSTALLED_APPS = TEST_APPS
