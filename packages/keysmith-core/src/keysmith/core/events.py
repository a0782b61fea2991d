"""Every audit event keysmith writes, built here and nowhere else.

Lifecycle rows (``created``, ``rotated``, ``revoked``) are built by the lifecycle flows. Per
request there is at most one row, built by ``request_event`` from the request's
``AuthOutcome`` once the adapter knows the response's final status:

| the request                                      | action          | ``extra``              |
| ------------------------------------------------ | --------------- | ---------------------- |
| refused by a rate limit (even with a good token) | ``auth_failed``  | ``rate_limited``       |
| authenticated                                    | ``auth_success`` | ``{}``                 |
| brought a token that did not authenticate        | ``auth_failed``  | the error's code       |
| brought none to a view or route that needed one  | ``auth_failed``  | ``missing_token``      |
| brought none, and nothing needed one             | nothing         |                        |

A failure's ``extra`` holds ``error`` (the code), ``reason`` (the rule that failed) and
``error_code`` (django-keysmith's key, kept so existing queries match). No event ever holds a
secret: a token is referred to by the record (its prefix), never by its raw text.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from keysmith.core.audit import Action, AuditEvent, RequestContext
from keysmith.core.errors import RateLimited, TokenAuthError
from keysmith.core.messages import MISSING_TOKEN, RATE_LIMITED
from keysmith.core.outcome import AuthOutcome
from keysmith.core.untrusted import bounded_extra

__all__ = [
    "actor_id",
    "auth_failure",
    "auth_success",
    "created",
    "event",
    "request_event",
    "revoked",
    "rotated",
]


def event(
    action: str,
    now: datetime,
    token: Any = None,
    *,
    context: RequestContext | None = None,
    status_code: int = 0,
    extra: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """One event about ``token`` (a record, or None)."""
    return AuditEvent(
        action=action,
        occurred_at=now,
        token=token,
        token_prefix=getattr(token, "prefix", None),
        status_code=status_code,
        context=context,
        # Text in ``extra`` may come from the client (an adapter's or an application's own
        # details), so it is bounded like the request context.
        extra=bounded_extra(extra) if extra else {},
    )


def actor_id(actor: Any) -> Any:
    """A JSON-safe reference to whoever performed an operation."""
    if actor is None or isinstance(actor, (str, int)):
        return actor
    for attribute in ("pk", "id"):
        value = getattr(actor, attribute, None)
        if value is not None:
            return value if isinstance(value, (str, int)) else str(value)
    return str(actor)


def created(
    now: datetime, token: Any, *, actor: Any, name: str, context: RequestContext | None
) -> AuditEvent:
    # django-keysmith's fields: the creator, else the owner, and the token's name.
    extra = {"actor_id": actor_id(actor), "token_name": name}
    return event(Action.CREATED, now, token, context=context, extra=extra)


def rotated(
    now: datetime,
    token: Any,
    *,
    actor: Any,
    grace: timedelta | None,
    context: RequestContext | None,
) -> AuditEvent:
    extra: dict[str, Any] = {"actor_id": actor_id(actor)}
    if grace:
        extra["grace_seconds"] = int(grace.total_seconds())
    return event(Action.ROTATED, now, token, context=context, extra=extra)


def revoked(
    now: datetime, token: Any, *, actor: Any, purge: bool, context: RequestContext | None
) -> AuditEvent:
    extra = {"actor_id": actor_id(actor), "purge": purge}
    return event(Action.REVOKED, now, token, context=context, extra=extra)


def _failure_extra(kind: str, reason: str, error_code: str) -> dict[str, str]:
    return {"error": kind, "reason": reason, "error_code": error_code}


def auth_success(
    now: datetime, token: Any, *, context: RequestContext | None, status_code: int = 0
) -> AuditEvent:
    return event(Action.AUTH_SUCCESS, now, token, context=context, status_code=status_code)


def auth_failure(
    error: TokenAuthError,
    now: datetime,
    *,
    context: RequestContext | None,
    status_code: int = 0,
    token: Any = None,
) -> AuditEvent:
    """A refused request: about ``error.token`` (the record the prefix matched), else
    ``token`` (a throttled request's good token)."""
    extra = _failure_extra(error.code, error.reason, type(error).__name__.lower())
    about = error.token if error.token is not None else token
    return event(
        Action.AUTH_FAILED, now, about, context=context, status_code=status_code, extra=extra
    )


def request_event(outcome: AuthOutcome, now: datetime, status_code: int) -> AuditEvent | None:
    """The one event of a request, per the table above, or None when there is nothing to record.

    A rate limit wins: a throttle may refuse a request whose token did authenticate.
    """
    context, error = outcome.context, outcome.error
    if isinstance(error, RateLimited):
        extra = _failure_extra(RATE_LIMITED, RATE_LIMITED, RATE_LIMITED)
        return event(
            Action.AUTH_FAILED, now, outcome.token, context=context, status_code=status_code,
            extra=extra,
        )  # fmt: skip
    if outcome.token is not None:
        return auth_success(now, outcome.token, context=context, status_code=status_code)
    if error is not None:
        return auth_failure(error, now, context=context, status_code=status_code)
    if outcome.token_required:
        extra = _failure_extra(MISSING_TOKEN, MISSING_TOKEN, MISSING_TOKEN)
        return event(
            Action.AUTH_FAILED, now, None, context=context, status_code=status_code, extra=extra
        )
    return None
