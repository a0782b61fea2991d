"""What the DRF classes read from a request: its keysmith token, the token's scopes, and the
name of the header the token comes in."""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError
from rest_framework.request import Request

from keysmith.core.errors import STORE_UNAVAILABLE, unavailable
from keysmith.django.context import http_request
from keysmith.django.http import header_display_name
from keysmith.django.runtime import get_service
from keysmith.drf.exceptions import ServiceUnavailable
from keysmith.models.utils import get_token_model

# Where the header name's display form used to live; one function for Django and DRF.
__all__ = ["header_display_name", "keysmith_token", "token_scopes"]

# Set on the Django request: (token, its scope codenames), so every scope check of the request
# after the first one costs no query.
SCOPES_CACHE = "_keysmith_drf_scopes"


def keysmith_token(request: Request) -> Any:
    """``request.auth`` when it is a keysmith token, else None (another class authenticated)."""
    auth = request.auth
    return auth if isinstance(auth, get_token_model()) else None


def token_scopes(request: Request, token: Any) -> frozenset[str]:
    """The scope codenames of ``token``, read from the database once per request (503 when
    it cannot be read)."""
    req = http_request(request)
    cached: tuple[Any, frozenset[str]] | None = getattr(req, SCOPES_CACHE, None)
    if cached is not None and cached[0] is token:
        return cached[1]
    try:
        scopes = get_service().scopes_of(token)
    except DatabaseError:
        unavailable(STORE_UNAVAILABLE)  # logged; the request cannot be decided
        raise ServiceUnavailable() from None
    setattr(req, SCOPES_CACHE, (token, scopes))
    return scopes
