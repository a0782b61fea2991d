"""``DRF_THROTTLE_HOOK`` implementations the tests point the settings at."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import PermissionDenied, Throttled

calls: list[tuple[str, Any]] = []


def recording_hook(request: Any, token: Any = None) -> None:
    calls.append((request.path, token))


def throttling_hook(request: Any, token: Any = None) -> None:
    if request.META.get("HTTP_X_BLOCK") == "yes":
        raise Throttled(wait=30)


def denying_hook(request: Any, token: Any = None) -> None:
    raise PermissionDenied("not from here")
