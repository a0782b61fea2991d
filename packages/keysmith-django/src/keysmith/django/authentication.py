"""Authenticating a request once, and auditing its outcome once: shared by the middleware, the
view decorators and the DRF authentication class."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import Any

from django.views.decorators.debug import sensitive_variables

from keysmith.core.audit import Action, AuditEvent
from keysmith.core.errors import TokenAuthError
from keysmith.core.policy import event
from keysmith.django.context import http_request, read_raw_token, request_context
from keysmith.django.runtime import get_service
from keysmith.django.settings import get_settings

logger = logging.getLogger("keysmith")

OUTCOME = "_keysmith_outcome"
TOKEN_REQUIRED = "_keysmith_auth_required"
MIDDLEWARE_ACTIVE = "_keysmith_middleware"


@dataclass
class Outcome:
    """What authenticating one request gave. ``audited`` turns true once its event is written."""

    token: Any = None
    error: TokenAuthError | None = None
    rate_limited: bool = False
    audited: bool = False


def outcome_of(request: Any) -> Outcome | None:
    return getattr(http_request(request), OUTCOME, None)


@sensitive_variables()
def authenticate_request(request: Any) -> Outcome:
    """Read the token, run ``RATE_LIMIT_HOOK``, authenticate; only the first call does work.

    Sets ``request.keysmith_token``, ``request.keysmith_user`` and
    ``request.keysmith_auth_error``. A hook that raises blocks the request (``rate_limited``).
    """
    req = http_request(request)
    known: Outcome | None = getattr(req, OUTCOME, None)
    if known is not None:
        return known
    settings = get_settings()
    outcome = Outcome()
    raw = read_raw_token(req, settings)
    if raw is not None:
        try:
            if settings.RATE_LIMIT_HOOK is not None:
                settings.RATE_LIMIT_HOOK(request=req, raw_token=raw)
        except Exception as error:
            logger.info("keysmith: RATE_LIMIT_HOOK blocked a request (%s)", type(error).__name__)
            outcome.rate_limited = True
        else:
            try:
                outcome.token = get_service().authenticate(raw, audit=False)
            except TokenAuthError as error:
                outcome.error = error
    req.keysmith_token = outcome.token
    req.keysmith_user = getattr(outcome.token, "user", None)
    req.keysmith_auth_error = outcome.error
    setattr(req, OUTCOME, outcome)
    return outcome


def require_token(request: Any) -> None:
    """Note that the view needs a token, so a request without one is audited as a failure."""
    setattr(http_request(request), TOKEN_REQUIRED, True)


def _failure(extra: dict[str, Any], base: AuditEvent) -> AuditEvent:
    return dataclasses.replace(base, extra={**base.extra, **extra})


def outcome_event(request: Any, status_code: int) -> AuditEvent | None:
    """The audit event for the request's outcome, or None when there is nothing to record."""
    req = http_request(request)
    outcome = outcome_of(req)
    if outcome is None:
        return None
    service = get_service()
    context = request_context(req)
    now = service.clock.now()
    # A rate limit can refuse a request that did authenticate (DRF_THROTTLE_HOOK runs after).
    if outcome.token is not None and not outcome.rate_limited:
        return event(
            Action.AUTH_SUCCESS, now, outcome.token, context=context, status_code=status_code
        )
    if outcome.error is not None and not outcome.rate_limited:
        failure = service.auth_failure_event(
            outcome.error, context=context, status_code=status_code
        )
        # django-keysmith's spelling, kept for existing queries on extra.
        return _failure({"error_code": type(outcome.error).__name__.lower()}, failure)
    kind = "rate_limited" if outcome.rate_limited else "missing_token"
    if not outcome.rate_limited and not getattr(req, TOKEN_REQUIRED, False):
        return None
    extra = {"error": kind, "reason": kind, "error_code": kind}
    return event(
        Action.AUTH_FAILED,
        now,
        outcome.token,
        context=context,
        status_code=status_code,
        extra=extra,
    )


def record_request_outcome(request: Any, status_code: int) -> None:
    """Write the request's authentication event, once, with the response's status code."""
    outcome = outcome_of(request)
    if outcome is None or outcome.audited:
        return
    outcome.audited = True
    audit_event = outcome_event(request, status_code)
    if audit_event is not None:
        get_service().emit(audit_event)


def record_unless_middleware(request: Any, status_code: int) -> None:
    """For views protected without the middleware installed: record here instead."""
    if not getattr(http_request(request), MIDDLEWARE_ACTIVE, False):
        record_request_outcome(request, status_code)
