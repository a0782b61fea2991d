"""The responses keysmith answers with: 401 for missing or bad tokens (with a
``WWW-Authenticate`` challenge), 429 when rate limited, 503 when no verdict could be reached."""

from __future__ import annotations

import functools

from django.http import HttpResponse

from keysmith.core.errors import RateLimited, ServiceUnavailable
from keysmith.core.extract import TokenSource
from keysmith.core.messages import (
    INSUFFICIENT_SCOPE,
    RATE_LIMITED,
    SERVICE_UNAVAILABLE,
    UNAVAILABLE_RETRY_AFTER,
)
from keysmith.core.outcome import AuthOutcome
from keysmith.core.replies import challenge as core_challenge
from keysmith.django.headers import header_name as header_display_name
from keysmith.django.settings import get_settings

__all__ = [
    "HttpResponseInsufficientScope",
    "HttpResponseServiceUnavailable",
    "HttpResponseTooManyRequests",
    "HttpResponseUnauthorized",
    "challenge",
    "current_challenge",
    "header_display_name",
    "insufficient_scope",
    "rate_limited",
    "refusal",
    "service_unavailable",
    "unauthorized",
]

CONTENT_TYPE = "text/plain; charset=utf-8"
# The realm of keysmith's challenge, for plain Django views as for DRF's.
REALM = "api"
SCHEME = "Keysmith"


class HttpResponseUnauthorized(HttpResponse):
    status_code = 401


class HttpResponseInsufficientScope(HttpResponse):
    status_code = 403


class HttpResponseTooManyRequests(HttpResponse):
    status_code = 429


class HttpResponseServiceUnavailable(HttpResponse):
    status_code = 503


@functools.lru_cache(maxsize=64)
def challenge(
    realm: str,
    meta_key: str,
    bearer: bool = False,
    error: str | None = None,
    scope: str | None = None,
) -> str:
    """The ``WWW-Authenticate`` value naming the header to send the token in, and ``Bearer``
    too when it is accepted (the core's challenge, in django-keysmith's ``Keysmith`` scheme)."""
    # Built once per realm, header and error: every refused request sends it.
    source = TokenSource(header_display_name(meta_key), bearer)
    return core_challenge(source, error, scope, scheme=SCHEME, realm=realm)


def current_challenge(
    realm: str = REALM, error: str | None = None, scope: str | None = None
) -> str:
    """``challenge`` for the current settings (``HEADER_NAME``, ``ALLOW_BEARER``)."""
    settings = get_settings()
    return challenge(realm, settings.HEADER_NAME, settings.ALLOW_BEARER, error, scope)


def unauthorized(message: str | None, key: str) -> HttpResponseUnauthorized:
    """401 with ``message``, or the configured message ``key`` when none is given."""
    settings = get_settings()
    response = HttpResponseUnauthorized(message or settings.message(key), content_type=CONTENT_TYPE)
    response["WWW-Authenticate"] = current_challenge()
    return response


def insufficient_scope(missing: frozenset[str]) -> HttpResponseInsufficientScope:
    """403 with the ``insufficient_scope`` message, shaped like the 401s: plain text and a
    challenge that names the error and the missing scopes (RFC 6750's ``insufficient_scope``)."""
    settings = get_settings()
    response = HttpResponseInsufficientScope(
        settings.message(INSUFFICIENT_SCOPE), content_type=CONTENT_TYPE
    )
    response["WWW-Authenticate"] = current_challenge(
        error=INSUFFICIENT_SCOPE, scope=" ".join(sorted(missing))
    )
    return response


def rate_limited(retry_after: int | None = None) -> HttpResponseTooManyRequests:
    response = HttpResponseTooManyRequests(
        get_settings().message(RATE_LIMITED), content_type=CONTENT_TYPE
    )
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def service_unavailable() -> HttpResponseServiceUnavailable:
    response = HttpResponseServiceUnavailable(
        get_settings().message(SERVICE_UNAVAILABLE), content_type=CONTENT_TYPE
    )
    response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER)
    return response


def refusal(outcome: AuthOutcome) -> HttpResponse | None:
    """429 or 503 when the outcome refuses the request whatever the view, else None."""
    error = outcome.error
    if outcome.rate_limited:
        return rate_limited(error.retry_after if isinstance(error, RateLimited) else None)
    if isinstance(error, ServiceUnavailable):
        return service_unavailable()
    return None
