"""System checks run at start-up: settings, the token and audit models, middleware, reports."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings as django_settings
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.utils.module_loading import import_string

from keysmith.conf import SETTING, raw_setting
from keysmith.django.redaction import KeysmithExceptionReporterFilter
from keysmith.django.settings import Problem, load_settings

TOKEN_FIELDS = ("key", "prefix", "revoked", "purged", "expires_at", "last_used_at", "user")
TOKEN_METHODS = ("can_authenticate",)
AUDIT_FIELDS = (
    *("token", "action", "path", "method", "status_code"),
    *("ip_address", "user_agent", "extra", "created_at"),
)
MIDDLEWARE = "keysmith.django.middleware.KeysmithAuthenticationMiddleware"
AUTH_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"


def _message(problem: Problem) -> checks.CheckMessage:
    kind = checks.Warning if problem.is_warning else checks.Error
    return kind(problem.message, hint=problem.hint, id=problem.id)


def check_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Unknown keys, wrong types, dotted paths that do not import, a bad namespace, …"""
    _, problems = load_settings(getattr(django_settings, SETTING, {}))
    found = [_message(problem) for problem in problems]
    if not django_settings.USE_TZ:
        found.append(
            checks.Error(
                "keysmith stores timezone-aware times and needs USE_TZ = True.",
                id="keysmith.E015",
            )
        )
    return found


def _model(setting: str, errors: list[checks.CheckMessage]) -> Any:
    label = raw_setting(setting)
    try:
        return apps.get_model(label)
    except (ValueError, LookupError, TypeError, AttributeError):
        errors.append(
            checks.Error(
                f"KEYSMITH['{setting}'] = {label!r} is not an installed model.",
                hint="Use 'app_label.ModelName' of a model in INSTALLED_APPS.",
                id="keysmith.E012",
            )
        )
        return None


def _missing_fields(model: Any, names: tuple[str, ...]) -> list[str]:
    missing = []
    for name in names:
        try:
            model._meta.get_field(name)
        except FieldDoesNotExist:
            missing.append(name)
    return missing


def check_models(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The configured models have every field keysmith reads, and point at each other."""
    errors: list[checks.CheckMessage] = []
    token_model, audit_model = _model("TOKEN_MODEL", errors), _model("AUDIT_LOG_MODEL", errors)
    if token_model is not None:
        for name in _missing_fields(token_model, TOKEN_FIELDS):
            errors.append(
                checks.Error(
                    f"Token model is missing required field: '{name}'.", id="keysmith.E001"
                )
            )
        for name in TOKEN_METHODS:
            if not callable(getattr(token_model, name, None)):
                errors.append(
                    checks.Error(
                        f"Token model is missing required method: '{name}'.", id="keysmith.E002"
                    )
                )
    if audit_model is not None:
        missing = _missing_fields(audit_model, AUDIT_FIELDS)
        for name in missing:
            errors.append(
                checks.Error(
                    f"Audit log model is missing required field: '{name}'.", id="keysmith.E003"
                )
            )
        if token_model is not None and "token" not in missing and _writes_audit_rows():
            target = audit_model._meta.get_field("token").related_model
            if target is not token_model:
                errors.append(
                    checks.Error(
                        f"The audit model's 'token' field points at {target._meta.label}, "
                        f"not at TOKEN_MODEL {token_model._meta.label}.",
                        hint="Give your token model an audit model built on "
                        "keysmith.models.AbstractTokenAuditLog and set AUDIT_LOG_MODEL, "
                        "or send audit events to AUDIT_LOG_HOOK.",
                        id="keysmith.E013",
                    )
                )
    return errors


def _writes_audit_rows() -> bool:
    return raw_setting("ENABLE_AUDIT_LOGGING") is not False and not raw_setting("AUDIT_LOG_HOOK")


def check_middleware(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    middleware = list(getattr(django_settings, "MIDDLEWARE", None) or [])
    both = MIDDLEWARE in middleware and AUTH_MIDDLEWARE in middleware
    if both and middleware.index(MIDDLEWARE) < middleware.index(AUTH_MIDDLEWARE):
        return [
            checks.Warning(
                "KeysmithAuthenticationMiddleware comes before AuthenticationMiddleware.",
                hint="Place it after django.contrib.auth's AuthenticationMiddleware.",
                id="keysmith.W003",
            )
        ]
    return []


def check_error_reports(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if raw_setting("ALLOW_QUERY_PARAM") is not True:
        return []
    path = getattr(django_settings, "DEFAULT_EXCEPTION_REPORTER_FILTER", "")
    try:
        reporter = import_string(path) if isinstance(path, str) else path
    except ImportError:
        reporter = None
    if isinstance(reporter, type) and issubclass(reporter, KeysmithExceptionReporterFilter):
        return []
    return [
        checks.Warning(
            "ALLOW_QUERY_PARAM is on but error reports do not use keysmith's filter.",
            hint="Set DEFAULT_EXCEPTION_REPORTER_FILTER = "
            "'keysmith.django.redaction.KeysmithExceptionReporterFilter' so a token in the "
            "query string of a request that fails before keysmith's middleware runs stays out "
            "of error reports.",
            id="keysmith.W004",
        )
    ]


def register() -> None:
    checks.register(check_settings)
    checks.register(check_models, checks.Tags.models)
    checks.register(check_middleware)
    checks.register(check_error_reports, checks.Tags.security)
