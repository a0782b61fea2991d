"""``keysmith_required``: a view that needs a valid token (a token, not necessarily a user)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, overload

from django.http import HttpResponseBase

from keysmith.django.authentication import authenticate_request
from keysmith.django.http import refusal, unauthorized
from keysmith.django.recording import require_token
from keysmith.django.views import V, protect


@overload
def keysmith_required(view_func: V) -> V: ...


@overload
def keysmith_required(
    view_func: None = None,
    *,
    allow_anonymous: bool = False,
    missing_message: str | None = None,
    invalid_message: str | None = None,
) -> Callable[[V], V]: ...


def keysmith_required(
    view_func: Any = None,
    *,
    allow_anonymous: bool = False,
    missing_message: str | None = None,
    invalid_message: str | None = None,
) -> Any:
    """401 without a token (unless ``allow_anonymous``) and 401 for an invalid, expired or
    revoked one (always), each with a ``WWW-Authenticate`` challenge; 429 and 503 as the
    middleware answers them. Bare (``@keysmith_required``) or called with options; on function
    views, ``as_view()`` results, View classes and, through ``method_decorator``, methods.
    """

    def check(request: Any) -> HttpResponseBase | None:
        if not allow_anonymous:
            require_token(request)
        outcome = authenticate_request(request)
        if outcome.token is not None:
            return None
        refused = refusal(outcome)
        if refused is not None:
            return refused
        if outcome.error is not None:
            return unauthorized(invalid_message, "invalid_token")
        return None if allow_anonymous else unauthorized(missing_message, "missing_token")

    def decorator(view: Any) -> Any:
        return protect(view, check)

    return decorator(view_func) if view_func is not None else decorator


__all__ = ["keysmith_required"]
