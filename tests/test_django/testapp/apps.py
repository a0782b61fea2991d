"""The test app holding custom keysmith models."""

from __future__ import annotations

from django.apps import AppConfig


class TestAppConfig(AppConfig):
    name = "test_django.testapp"
    label = "testapp"
