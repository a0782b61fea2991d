"""``KeysmithAuthentication``: DRF's view of the shared request authentication, plus
``DRF_THROTTLE_HOOK``. Token reading, verification and auditing live in
``keysmith.django.authentication``; this class maps their outcome to DRF's answers."""

from __future__ import annotations

import importlib.util
import math
import sys
from typing import Any

from django.views.decorators.debug import sensitive_variables
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.request import Request
from rest_framework.settings import api_settings

from keysmith.core.errors import RateLimited
from keysmith.core.errors import ServiceUnavailable as CoreServiceUnavailable
from keysmith.django.authentication import authenticate_request
from keysmith.django.http import current_challenge
from keysmith.django.recording import RequestAuth, request_state, require_token
from keysmith.django.settings import get_settings
from keysmith.drf.exceptions import ServiceUnavailable
from keysmith.drf.recording import record_after_response

__all__ = ["KeysmithAuthentication"]


def unauthenticated_user() -> Any:
    """What DRF itself sets as ``request.user`` when nobody authenticated."""
    factory: Any = api_settings.UNAUTHENTICATED_USER  # a class, or None
    return factory() if factory else None


def throttled(wait: float | None = None) -> Throttled:
    return Throttled(wait=wait, detail=get_settings().message("rate_limited"))


class KeysmithAuthentication(BaseAuthentication):
    """Authenticates the ``X-KEYSMITH-TOKEN`` header (``HEADER_NAME``), ``Authorization: Bearer``
    holding a keysmith token (``ALLOW_BEARER``), or the query parameter when
    ``ALLOW_QUERY_PARAM`` is on.

    No token, or a Bearer value that is not a keysmith token (a JWT): ``None``, so the next
    authentication class runs. A bad token:
    ``AuthenticationFailed`` with the ``invalid_token`` message. A database (or
    ``RATE_LIMIT_HOOK``) failure: ``ServiceUnavailable``, a 503 with ``Retry-After``. A good one:
    ``(token.user or the unauthenticated user, token)``. With the middleware installed the
    request was already authenticated there and the middleware writes its one audit row;
    without it the row is written once DRF has finalised the response, with its status.
    """

    www_authenticate_realm = "api"

    @sensitive_variables()
    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        outcome = authenticate_request(request)
        record_after_response(request)
        error = outcome.error
        if outcome.rate_limited:
            # RATE_LIMIT_HOOK refused the request (only seen here without the middleware,
            # which answers 429 itself).
            raise throttled(error.retry_after if isinstance(error, RateLimited) else None)
        if isinstance(error, CoreServiceUnavailable):
            # The database or the hook failed (the middleware, when installed, answered 503).
            raise ServiceUnavailable()
        if outcome.token is None and outcome.error is None:
            return None
        self.run_throttle_hook(request, outcome)
        if outcome.error is not None:
            raise AuthenticationFailed(get_settings().message("invalid_token"))
        return (outcome.token.user or unauthenticated_user(), outcome.token)

    def run_throttle_hook(self, request: Request, outcome: RequestAuth) -> None:
        """``DRF_THROTTLE_HOOK(request, token=...)`` for every request that presented a token:
        ``token`` is the token, or None when it did not authenticate. ``Throttled`` becomes a
        429 with the ``rate_limited`` message, audited as a failure; any other API exception
        is DRF's to answer."""
        hook = get_settings().DRF_THROTTLE_HOOK
        if hook is None:
            return
        try:
            hook(request, token=outcome.token)
        except Throttled as error:
            wait = getattr(error, "wait", None)
            outcome.error = RateLimited(retry_after=None if wait is None else math.ceil(wait))
            raise throttled(wait) from None

    def challenge(self) -> str:
        return current_challenge(self.www_authenticate_realm)

    def authenticate_header(self, request: Request) -> str:
        """The ``WWW-Authenticate`` value, which makes DRF answer 401 rather than 403.

        DRF asks for it while refusing a request as unauthenticated: a request that brought no
        token to a view that needed one, audited as such with the final status. DRF asks too
        when a later class refused credentials of its own (a JWT in ``Authorization: Bearer``):
        that refusal is the other class's, and keysmith records nothing for it.
        """
        if not refused_by_another_class(request):
            require_token(request)
            record_after_response(request)
        return self.challenge()


def refused_by_another_class(request: Request) -> bool:
    """Whether DRF is answering an ``AuthenticationFailed`` that keysmith did not raise."""
    # DRF asks for the challenge while handling the exception (APIView.handle_exception, inside
    # dispatch's ``except``), and passes only the request: the exception is the one in flight.
    handled = sys.exc_info()[1]
    if not isinstance(handled, AuthenticationFailed):
        return False
    outcome = request_state(request)
    return outcome.token is None and outcome.error is None


# drf-spectacular finds extensions by subclass registration: define ours whenever it is
# installed. Its extension module does not import rest_framework.views, which is what imports
# this module through DEFAULT_AUTHENTICATION_CLASSES, so this cannot make an import cycle.
if importlib.util.find_spec("drf_spectacular") is not None:
    from keysmith.drf import openapi  # noqa: F401
