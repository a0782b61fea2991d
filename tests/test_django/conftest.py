"""Django wiring and shared fixtures for the Django tests (see wiring.py)."""

from __future__ import annotations

from test_django.wiring import (
    TokenFactory,
    close_thread_connections,
    django_db_modify_db_settings,
    make_token,
    real_audit_buffer,
)

__all__ = [
    "TokenFactory",
    "close_thread_connections",
    "django_db_modify_db_settings",
    "make_token",
    "real_audit_buffer",
]
