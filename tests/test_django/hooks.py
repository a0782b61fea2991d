"""Hooks the settings point at in tests (imported by dotted path, so they live in a module)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from keysmith.auth.exceptions import InvalidToken, RateLimited
from keysmith.hashers import PBKDF2SHA512TokenHasher

calls: list[dict[str, Any]] = []


def recording_hook(**kwargs: Any) -> None:
    calls.append(kwargs)


def failing_hook(**kwargs: Any) -> None:
    raise RuntimeError("the audit backend is down")


def rate_limit_hook(request: Any, raw_token: str | None = None) -> None:
    if request.META.get("HTTP_X_BLOCK") == "yes":
        raise RateLimited(retry_after=30)


def broken_rate_limit_hook(request: Any, raw_token: str | None = None) -> None:
    """A limiter whose backend is down: its exception is not a limit."""
    raise ConnectionError("the rate-limit cache is unreachable")


def refusing_rate_limit_hook(request: Any, raw_token: str | None = None) -> None:
    """A 0.1.2-style hook refusing the token with keysmith's own authentication error."""
    raise InvalidToken("blocked by the hook")


class CountingHasher(PBKDF2SHA512TokenHasher):
    """PBKDF2 that counts its verifications (class-wide: settings build their own instance)."""

    verifications = 0

    def verify(self, secret: str, hashed: str) -> bool:
        type(self).verifications += 1
        return super().verify(secret, hashed)


def permission_denied_hook(request: Any, raw_token: str | None = None) -> None:
    """What django-ratelimit's ``Ratelimited`` is: a ``PermissionDenied``."""
    raise PermissionDenied("rate limited")


class Throttled(Exception):
    """Shaped as DRF's ``Throttled``: a 429 ``status_code`` and a ``wait`` in seconds."""

    status_code = 429
    wait = 7.2


def throttled_hook(request: Any, raw_token: str | None = None) -> None:
    raise Throttled()
