"""The ``KEYSMITH`` setting's name and defaults, and a raw read of one key.

Kept apart from the validated settings (``keysmith.django.settings``) so that the models, which
need ``TOKEN_MODEL`` while they are defined, depend on nothing else of keysmith-django.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings as django_settings

from keysmith.core.audit_limits import DEFAULT_WRITE_TIMEOUT

__all__ = ["DEFAULTS", "SETTING", "raw_setting"]

SETTING = "KEYSMITH"

DEFAULTS: Mapping[str, Any] = {
    "HASH_BACKEND": "keysmith.hashers.SHA256TokenHasher",
    "HASH_ITERATIONS": 100_000,
    "DEFAULT_EXPIRY_DAYS": 90,
    "AVAILABLE_SCOPES": [],
    "DEFAULT_SCOPES": [],
    "TOKEN_MODEL": "keysmith.Token",
    "AUDIT_LOG_MODEL": "keysmith.TokenAuditLog",
    "HEADER_NAME": "HTTP_X_KEYSMITH_TOKEN",
    "ALLOW_BEARER": True,
    "ALLOW_QUERY_PARAM": False,
    "QUERY_PARAM_NAME": "keysmith_token",
    "ENABLE_AUDIT_LOGGING": True,
    "TOKEN_PREFIX": "tok",
    "TOKEN_SECRET_LENGTH": 32,
    "RATE_LIMIT_HOOK": None,
    "DRF_THROTTLE_HOOK": None,
    "DEFAULT_ERROR_MESSAGES": {},
    "AUDIT_LOG_HOOK": None,
    "AUDIT_LOG_RETENTION_DAYS": None,
    "TRUST_PROXIES": False,
    "USAGE_WRITE_RESOLUTION_SECONDS": 60,
    "VERIFIED_CACHE_SIZE": 10_000,
    "HASH_PEPPERS": {},
    "HASH_PEPPER_ID": None,
    "ROTATION_GRACE_SECONDS": None,
    "AUDIT_BUFFER_SECONDS": 1.0,
    "FAILURE_BUDGET": {"PER_CLIENT": 10, "PER_PREFIX": 30, "WINDOW_SECONDS": 60},
    "AUDIT_WRITE_TIMEOUT": DEFAULT_WRITE_TIMEOUT,
}


def raw_setting(name: str) -> Any:
    """One value as written in settings, unvalidated: for model definitions at import time."""
    raw = getattr(django_settings, SETTING, {})
    return raw.get(name, DEFAULTS[name]) if isinstance(raw, Mapping) else DEFAULTS[name]
