"""``keysmith_scopes``: a view that needs a token holding every listed scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import DatabaseError
from django.http import HttpResponseBase

from keysmith.core.errors import STORE_UNAVAILABLE, InsufficientScope, unavailable
from keysmith.core.scopes import require_scopes
from keysmith.django.authentication import authenticate_request
from keysmith.django.http import insufficient_scope, refusal, service_unavailable, unauthorized
from keysmith.django.recording import require_token
from keysmith.django.runtime import get_service
from keysmith.django.views import V, protect

__all__ = ["keysmith_scopes"]


def token_scopes(token: Any) -> frozenset[str]:
    """The token's scope codenames: its ``scopes`` relation read from the database, or, for a
    stand-in a test set as ``request.keysmith_token``, its plain list of codenames."""
    scopes = getattr(token, "scopes", None)
    if hasattr(scopes, "values_list"):
        return get_service().store.scopes_of(token)
    return frozenset(scopes or ())


def keysmith_scopes(*scopes: str) -> Callable[[V], V]:
    """401 without a valid token; 403 (plain text, the ``insufficient_scope`` message, and a
    ``WWW-Authenticate`` challenge with ``error="insufficient_scope"``) when any listed scope
    (a permission codename) is missing from the token. Every listed scope is required. 503 when
    the database cannot be read."""
    required = frozenset(scopes)

    def check(request: Any) -> HttpResponseBase | None:
        require_token(request)
        outcome = authenticate_request(request)
        refused = refusal(outcome)
        if refused is not None:
            return refused
        if outcome.token is None:
            key = "invalid_token" if outcome.error is not None else "missing_token"
            return unauthorized(None, key)
        try:
            require_scopes(token_scopes(outcome.token), required)
        except InsufficientScope as error:
            return insufficient_scope(error.missing)
        except DatabaseError:
            unavailable(STORE_UNAVAILABLE)  # logged; the request cannot be decided
            return service_unavailable()
        return None

    def decorator(view: V) -> V:
        return protect(view, check)

    return decorator
