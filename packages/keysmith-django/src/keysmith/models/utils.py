"""The configured token and audit models (``TOKEN_MODEL`` / ``AUDIT_LOG_MODEL``)."""

from __future__ import annotations

from typing import cast

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from keysmith.conf import raw_setting
from keysmith.models.base import AbstractToken, AbstractTokenAuditLog


def _model(setting: str) -> type[object]:
    label = raw_setting(setting)
    try:
        return apps.get_model(label)
    except (ValueError, TypeError, AttributeError) as error:
        raise ImproperlyConfigured(
            f"{setting} must be of the form 'app_label.ModelName'"
        ) from error
    except LookupError as error:
        raise ImproperlyConfigured(f"{setting} {label!r} is not an installed model") from error


def get_token_model() -> type[AbstractToken]:
    """The token model class named by ``KEYSMITH['TOKEN_MODEL']``."""
    return cast("type[AbstractToken]", _model("TOKEN_MODEL"))


def get_audit_log_model() -> type[AbstractTokenAuditLog]:
    """The audit model class named by ``KEYSMITH['AUDIT_LOG_MODEL']``."""
    return cast("type[AbstractTokenAuditLog]", _model("AUDIT_LOG_MODEL"))
