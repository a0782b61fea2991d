"""Where a Django request's authentication outcome is recorded: once, with the final status.

What the row says is decided in one core module (``keysmith.core.events``); this module is the
Django side of it. Each request carries one ``RequestAuth`` (the request's authentication
state); ``record_request_outcome`` writes its row when the final status is known, from one of
the places that know it:

- the middleware, after the response (the whole request, whatever answered it);
- without the middleware: the view decorators after the view returns, DRF's view after it
  finalised its response (``keysmith.drf``), and Django's ``got_request_exception`` for a view
  that raised (500).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.signals import got_request_exception

from keysmith.core.outcome import AuthOutcome
from keysmith.django.context import http_request, request_context
from keysmith.django.runtime import get_service

STATE = "_keysmith"


@dataclass(slots=True)
class RequestAuth(AuthOutcome):
    """One request's authentication: the core's outcome, plus who authenticated and records it.

    ``resolved``: the token was read and checked (once per request). ``middleware``: the
    middleware is in the stack, so it records the row after the response.
    """

    resolved: bool = False
    middleware: bool = False


def request_state(request: Any) -> RequestAuth:
    """The request's authentication state, made on first use (DRF's request or Django's)."""
    req = http_request(request)
    state: RequestAuth | None = getattr(req, STATE, None)
    if state is None:
        state = RequestAuth()
        setattr(req, STATE, state)
    return state


def require_token(request: Any) -> None:
    """Note that the view needs a token, so a request without one is audited as a failure."""
    request_state(request).token_required = True


def record_request_outcome(request: Any, status_code: int) -> None:
    """Write the request's authentication event, once, with the response's status code."""
    req = http_request(request)
    state: RequestAuth | None = getattr(req, STATE, None)
    if state is None or state.audited:
        return
    service = get_service()
    if not service.auditing:
        return  # audit logging is off: skip building the request context and the event
    # Built only now: the path and status are final once the response exists.
    state.context = request_context(req)
    service.record_outcome(state, status_code)


def record_unless_middleware(request: Any, status_code: int) -> None:
    """Record here when no middleware will: a view protected without it, or DRF alone."""
    state: RequestAuth | None = getattr(http_request(request), STATE, None)
    if state is not None and not state.middleware:
        record_request_outcome(request, status_code)


def _view_raised(sender: Any, request: Any = None, **kwargs: Any) -> None:
    # Django answers 500 for a view that raised: no view wrapper or DRF hook sees a response.
    if request is not None:
        record_unless_middleware(request, 500)


got_request_exception.connect(_view_raised, dispatch_uid="keysmith-record-500")
