"""What authentication decided for one request, and the one audit event that records it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from keysmith.core.audit import Action, AuditEvent, RequestContext
from keysmith.core.errors import TokenAuthError
from keysmith.core.messages import MISSING_TOKEN, RATE_LIMITED
from keysmith.core.policy import event

__all__ = ["MISSING_TOKEN", "RATE_LIMITED", "AuthOutcome", "failure_event", "outcome_event"]


@dataclass(slots=True)
class AuthOutcome:
    """Per-request authentication state an adapter keeps until the response status is known.

    ``token_required`` is set by a view or route that needed a token; a request without one
    is audited as a failure only then. ``audited`` makes recording idempotent, so stacked
    integrations (middleware plus a framework class) write one row per request.
    """

    context: RequestContext | None = None
    token: Any = None
    error: TokenAuthError | None = None
    token_required: bool = False
    rate_limited: bool = False
    audited: bool = False


def _extra(kind: str, reason: str, error_code: str) -> dict[str, str]:
    # "error_code" is the key (and spelling) django-keysmith wrote; kept so existing audit
    # queries still match.
    return {"error": kind, "reason": reason, "error_code": error_code}


def failure_event(
    error: TokenAuthError, now: datetime, *, context: RequestContext | None, status_code: int
) -> AuditEvent:
    extra = _extra(error.code, error.reason, type(error).__name__.lower())
    return event(
        Action.AUTH_FAILED, now, error.token, context=context, status_code=status_code, extra=extra
    )


def outcome_event(outcome: AuthOutcome, now: datetime, status_code: int) -> AuditEvent | None:
    """The audit event for a request's outcome, or None when there is nothing to record.

    A rate limit wins: a throttle may refuse a request whose token did authenticate.
    """
    context = outcome.context
    if outcome.rate_limited:
        extra = _extra(RATE_LIMITED, RATE_LIMITED, RATE_LIMITED)
        return event(
            Action.AUTH_FAILED, now, outcome.token, context=context, status_code=status_code,
            extra=extra,
        )  # fmt: skip
    if outcome.token is not None:
        return event(
            Action.AUTH_SUCCESS, now, outcome.token, context=context, status_code=status_code
        )
    if outcome.error is not None:
        return failure_event(outcome.error, now, context=context, status_code=status_code)
    if outcome.token_required:
        extra = _extra(MISSING_TOKEN, MISSING_TOKEN, MISSING_TOKEN)
        return event(
            Action.AUTH_FAILED, now, None, context=context, status_code=status_code, extra=extra
        )
    return None
