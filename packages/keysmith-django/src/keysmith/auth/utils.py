"""Error messages from ``KEYSMITH['DEFAULT_ERROR_MESSAGES']`` merged over the built-ins."""

from __future__ import annotations

from keysmith.django.settings import get_settings

__all__ = ["get_message"]


def get_message(key: str, *, default: str | None = None) -> str:
    messages = get_settings().DEFAULT_ERROR_MESSAGES
    return str(messages.get(key, default or key))
