"""The responses keysmith answers with: 401 for missing or bad tokens, 429 when rate limited."""

from __future__ import annotations

from django.http import HttpResponse

from keysmith.django.settings import get_settings

CONTENT_TYPE = "text/plain; charset=utf-8"


class HttpResponseUnauthorized(HttpResponse):
    status_code = 401


class HttpResponseTooManyRequests(HttpResponse):
    status_code = 429


def unauthorized(message: str | None, key: str) -> HttpResponseUnauthorized:
    """401 with ``message``, or the configured message ``key`` when none is given."""
    return HttpResponseUnauthorized(
        message or get_settings().message(key), content_type=CONTENT_TYPE
    )


def rate_limited() -> HttpResponseTooManyRequests:
    return HttpResponseTooManyRequests(
        get_settings().message("rate_limited"), content_type=CONTENT_TYPE
    )
