"""Authenticating a request once: shared by the middleware, the view decorators and the DRF
authentication class (its one audit row is recorded by ``keysmith.django.recording``)."""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.views.decorators.debug import sensitive_variables

from keysmith.core.errors import (
    STORE_UNAVAILABLE,
    InvalidToken,
    RateLimited,
    TokenAuthError,
    hook_refusal,
    unavailable,
)
from keysmith.core.format import RawToken
from keysmith.django.context import client_ip, http_request, read_raw_token
from keysmith.django.recording import RequestAuth, request_state
from keysmith.django.reporting import hide_token_in_reports
from keysmith.django.runtime import get_service
from keysmith.django.settings import get_settings


@sensitive_variables()
def authenticate_request(request: Any) -> RequestAuth:
    """Read the token, run ``RATE_LIMIT_HOOK``, authenticate; only the first call does work,
    and none when the request already carries ``keysmith_token`` or ``keysmith_auth_error``
    (see ``adopt_attributes``).

    Sets ``request.keysmith_token``, ``request.keysmith_user`` and
    ``request.keysmith_auth_error``. A hook that raises blocks the request: ``RateLimited`` as
    ``rate_limited`` (429), any other failure of the hook or of the database as
    ``ServiceUnavailable`` (503).
    """
    req = http_request(request)
    outcome = request_state(req)
    if outcome.resolved:
        return outcome
    outcome.resolved = True
    if adopt_attributes(req, outcome):
        return outcome
    settings = get_settings()
    # Boxed at once: this frame shows up in the traceback of a store failure, which is logged
    # (and error trackers record frame locals, where sensitive_variables does not reach).
    try:
        raw = RawToken.wrap(read_raw_token(req, settings))
    except InvalidToken as error:
        # Unusable or ambiguous input (the header and Bearer with different tokens): refused
        # as an invalid token, by the rules and with the reason every adapter gives.
        raw, outcome.error = None, error
    if raw is not None:
        hide_token_in_reports(req, settings.HEADER_NAME)
        try:
            if settings.RATE_LIMIT_HOOK is not None:
                settings.RATE_LIMIT_HOOK(request=req, raw_token=raw.reveal())
        except Exception as error:
            # The core's rule, the same for every adapter: RateLimited is a limit (429), another
            # TokenAuthError refuses the token (401), anything else is a broken limiter (503).
            outcome.error = django_hook_refusal(error)
        else:
            # The client address counts failed slow-hash verifications (the failure budget).
            client = client_ip(req, trust_proxies=settings.TRUST_PROXIES)
            try:
                outcome.token = get_service().authenticate(raw, audit=False, client=client)
            except TokenAuthError as error:
                # Kept without its traceback: the frames would tie the request into a
                # reference cycle that only the garbage collector could free.
                outcome.error = error.with_traceback(None)
            except DatabaseError:
                # The database is down or refused the read: no verdict, so 503, never a 500
                # (and never a 401 that would tell a valid token's holder it is bad).
                outcome.error = unavailable(STORE_UNAVAILABLE)
    req.keysmith_token = outcome.token
    req.keysmith_user = getattr(outcome.token, "user", None)
    req.keysmith_auth_error = outcome.error
    return outcome


ATTRIBUTES = ("keysmith_token", "keysmith_auth_error")


def adopt_attributes(req: Any, outcome: RequestAuth) -> bool:
    """Take the verdict a caller already set on the request, as django-keysmith's decorators
    read it; False when neither ``keysmith_token`` nor ``keysmith_auth_error`` is set.

    ``request.keysmith_token`` / ``request.keysmith_auth_error`` set by hand (a test building
    its request with ``RequestFactory``) or by another middleware are the verdict: the header
    is not read again. Such an outcome is not audited here: keysmith did not authenticate it.
    """
    if not any(hasattr(req, name) for name in ATTRIBUTES):
        return False
    outcome.audited = True
    outcome.token = getattr(req, "keysmith_token", None) or None
    error = getattr(req, "keysmith_auth_error", None)
    if outcome.token is None and error:
        outcome.error = error if isinstance(error, TokenAuthError) else InvalidToken()
    req.keysmith_token = outcome.token
    req.keysmith_auth_error = error or None
    if getattr(req, "keysmith_user", None) is None:
        req.keysmith_user = getattr(outcome.token, "user", None)
    return True


def django_hook_refusal(error: Exception) -> TokenAuthError:
    """``hook_refusal``, knowing Django's ways to say "limited": ``PermissionDenied`` (what
    django-ratelimit's ``Ratelimited`` is) and an exception with a 429 ``status_code`` (DRF's
    ``Throttled``, its ``wait`` the ``Retry-After``) answer 429 like ``RateLimited``."""
    if isinstance(error, PermissionDenied) or getattr(error, "status_code", None) == 429:
        wait = getattr(error, "wait", None)
        return RateLimited(retry_after=math.ceil(wait) if isinstance(wait, (int, float)) else None)
    return hook_refusal(error)
