"""System checks: what a misconfigured project is told at start-up."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings
from test_django import settings as test_settings

# Django 6 model checks ask the database what it supports (JSONField).
pytestmark = pytest.mark.django_db

KEYSMITH_MIDDLEWARE = "keysmith.django.middleware.KeysmithAuthenticationMiddleware"
REPORTER = "keysmith.django.redaction.KeysmithExceptionReporterFilter"


def keysmith_ids(**kwargs: Any) -> list[str]:
    ids = [str(m.id) for m in checks.run_checks(**kwargs)]
    return sorted(check_id for check_id in ids if check_id.startswith("keysmith"))


def test_checks_default_configuration_reports_nothing() -> None:
    assert keysmith_ids() == []


@override_settings(KEYSMITH={"TOKEN_PREFIX": "a b", "HASH_BACKEND": "nope.Hasher", "TYPO": 1})
def test_checks_bad_settings_reported_at_startup() -> None:
    assert keysmith_ids() == ["keysmith.E004", "keysmith.E010", "keysmith.W002"]
    with pytest.raises(SystemCheckError, match=r"keysmith\.E004"):
        call_command("check")


@pytest.mark.parametrize(
    ("header", "meant"),
    [
        ("X-KEYSMITH-TOKEN", "HTTP_X_KEYSMITH_TOKEN"),
        ("X_API_KEY", "HTTP_X_API_KEY"),
        ("x-api-key", "HTTP_X_API_KEY"),
        ("HTTP_X API KEY", "HTTP_X_API_KEY"),
        ("http_x_api_key", "HTTP_X_API_KEY"),
    ],
)
def test_checks_header_name_without_http_prefix_is_an_error_naming_the_key(
    header: str, meant: str
) -> None:
    with override_settings(KEYSMITH={"HEADER_NAME": header}):
        [message] = [m for m in checks.run_checks() if m.id == "keysmith.E009"]
        assert f"Use '{meant}'" in (message.hint or "")
        with pytest.raises(SystemCheckError, match=r"keysmith\.E009"):
            call_command("check")


@pytest.mark.parametrize("header", ["", "   ", "HTTP_", "HTTP_X-Y\n", "Ω"])
def test_checks_header_name_unusable_is_an_error(header: str) -> None:
    with override_settings(KEYSMITH={"HEADER_NAME": header}):
        assert keysmith_ids() == ["keysmith.E009"]


@override_settings(USE_TZ=False)
def test_checks_use_tz_off_is_an_error() -> None:
    assert keysmith_ids() == ["keysmith.E015"]


@override_settings(KEYSMITH={"TOKEN_MODEL": "testapp.TokenWithoutUsage"})
def test_checks_incomplete_token_model_names_each_missing_part() -> None:
    messages = [m for m in checks.run_checks() if (m.id or "").startswith("keysmith")]
    missing = sorted(m.msg for m in messages if m.id == "keysmith.E001")
    assert missing == sorted(
        f"Token model is missing required field: '{name}'."
        for name in ("revoked", "purged", "expires_at", "last_used_at", "user")
    )
    assert [m.id for m in messages if m.id != "keysmith.E001"] == [
        "keysmith.E002",
        "keysmith.E013",
    ]


@override_settings(KEYSMITH={"AUDIT_LOG_MODEL": "testapp.TokenWithoutUsage"})
def test_checks_incomplete_audit_model_names_each_missing_field() -> None:
    assert keysmith_ids() == ["keysmith.E003"] * 9


@override_settings(KEYSMITH={"TOKEN_MODEL": "testapp.Missing", "AUDIT_LOG_MODEL": "nolabel"})
def test_checks_unknown_models_reported() -> None:
    assert keysmith_ids() == ["keysmith.E009", "keysmith.E012", "keysmith.E012"]


@override_settings(
    KEYSMITH={"TOKEN_MODEL": "testapp.CustomToken", "AUDIT_LOG_MODEL": "testapp.CustomAuditLog"}
)
def test_checks_custom_model_pair_passes() -> None:
    assert keysmith_ids() == []


@override_settings(KEYSMITH={"TOKEN_MODEL": "testapp.CustomToken"})
def test_checks_custom_token_with_default_audit_model_is_an_error() -> None:
    assert keysmith_ids() == ["keysmith.E013"]


@override_settings(
    KEYSMITH={
        "TOKEN_MODEL": "testapp.CustomToken",
        "AUDIT_LOG_HOOK": "test_django.hooks.recording_hook",
    }
)
def test_checks_custom_token_with_audit_hook_passes() -> None:
    assert keysmith_ids() == []


@override_settings(MIDDLEWARE=[KEYSMITH_MIDDLEWARE, *test_settings.MIDDLEWARE[:-1]])
def test_checks_middleware_before_auth_middleware_warns() -> None:
    assert keysmith_ids() == ["keysmith.W003"]


@override_settings(KEYSMITH={"ALLOW_QUERY_PARAM": True})
def test_checks_query_param_without_reporter_filter_warns() -> None:
    assert keysmith_ids() == ["keysmith.W004"]
    with override_settings(DEFAULT_EXCEPTION_REPORTER_FILTER=REPORTER):
        assert keysmith_ids() == []
