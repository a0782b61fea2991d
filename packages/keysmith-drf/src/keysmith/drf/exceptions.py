"""The DRF exception for a request keysmith cannot decide: 503 with ``Retry-After``."""

from __future__ import annotations

from rest_framework import status
from rest_framework.exceptions import APIException

from keysmith.core.messages import SERVICE_UNAVAILABLE, UNAVAILABLE_RETRY_AFTER
from keysmith.django.settings import get_settings

__all__ = ["ServiceUnavailable"]


class ServiceUnavailable(APIException):
    """The database (or ``RATE_LIMIT_HOOK``) failed while authenticating: 503, never 401.

    ``wait`` is what DRF's exception handler turns into the ``Retry-After`` header.
    """

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = SERVICE_UNAVAILABLE

    def __init__(self) -> None:
        super().__init__(get_settings().message(SERVICE_UNAVAILABLE), SERVICE_UNAVAILABLE)
        self.wait = UNAVAILABLE_RETRY_AFTER
