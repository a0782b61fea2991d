"""``KeysmithTokenThrottle``: a DRF rate limit per keysmith token, keyed by the token prefix."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from keysmith.drf.request import keysmith_token

__all__ = ["KeysmithTokenThrottle"]


class KeysmithTokenThrottle(SimpleRateThrottle):
    """Limits each token to the rate ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["keysmith_token"]``
    (for example ``"1000/hour"``), shared by every process that shares Django's cache.

    Requests without a keysmith token are not limited by this class: pair it with DRF's
    ``AnonRateThrottle`` or ``UserRateThrottle`` for those. Subclass with another ``scope``
    (or a ``rate``) for a second limit.
    """

    scope = "keysmith_token"

    def get_rate(self) -> str | None:
        # Read now rather than at import (DRF's class attribute), so settings changes apply.
        rates: Any = api_settings.DEFAULT_THROTTLE_RATES
        if self.scope not in rates:
            raise ImproperlyConfigured(
                f"{type(self).__name__} needs a rate: set "
                f"REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'][{self.scope!r}], e.g. '1000/hour'."
            )
        rate: str | None = rates[self.scope]
        return rate

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token = keysmith_token(request)
        if token is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.prefix}
