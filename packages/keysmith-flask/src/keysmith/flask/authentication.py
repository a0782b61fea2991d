"""One request's authentication: the token is read and checked once, before the view; the
outcome is recorded once, after the response, with its final status.

Every decision is the core's: the extraction rules, the service's verdict, the answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import Response, g, request

from keysmith.core import InsufficientScope, InvalidToken, TokenAuthError, require_scopes
from keysmith.core.errors import (
    STORE_UNAVAILABLE,
    ServiceUnavailable,
    hook_refusal,
    unavailable,
)
from keysmith.core.format import RawToken
from keysmith.core.outcome import AuthOutcome
from keysmith.flask.context import client_ip, header_values, request_context
from keysmith.flask.responses import flask_response
from keysmith.flask.state import KeysmithState

# The outcome belongs to the request object, not to ``g``: Flask reuses an application context
# that is already pushed (a test fixture's ``with app.app_context():``), and with it ``g``, for
# every request made inside it, so an outcome kept there would carry one request's token into
# the next. ``g.keysmith_token`` is set again for each request.
OUTCOME_ATTRIBUTE = "_keysmith_outcome"
TOKEN_ATTRIBUTE = "keysmith_token"


def _request() -> Any:
    return request._get_current_object()  # type: ignore[attr-defined]


def _outcome() -> Outcome | None:
    found: Outcome | None = getattr(_request(), OUTCOME_ATTRIBUTE, None)
    return found


@dataclass(slots=True)
class Outcome(AuthOutcome):
    """The core's outcome, plus the token's scope names and the response's status."""

    scopes: frozenset[str] = frozenset()
    status: int | None = None


def resolve(state: KeysmithState) -> Outcome:
    """Authenticate the request once; later calls return the same outcome."""
    current = _request()
    outcome: Outcome | None = getattr(current, OUTCOME_ATTRIBUTE, None)
    if outcome is not None:
        return outcome
    outcome = Outcome()
    setattr(current, OUTCOME_ATTRIBUTE, outcome)
    setattr(g, TOKEN_ATTRIBUTE, None)
    try:
        # Boxed at once: frames holding it appear in the logged traceback of a store failure,
        # and error trackers record their locals.
        raw = RawToken.wrap(state.source.read(header_values(request), request.query_string))
    except InvalidToken as error:
        raw, outcome.error = None, error
    if state.rate_limit is not None:
        try:
            # The request itself, not the proxy: a hook may keep it or hand it to a thread.
            state.rate_limit(current, None if raw is None else raw.reveal())
        except Exception as error:
            outcome.error = hook_refusal(error)
    if outcome.error is None and raw is not None:
        _authenticate(state, raw, outcome)
    setattr(g, TOKEN_ATTRIBUTE, outcome.token)
    return outcome


def _authenticate(state: KeysmithState, raw: RawToken, outcome: Outcome) -> None:
    # The client address counts failed slow-hash verifications (the failure budget).
    client = client_ip(request, trust_proxies=state.trust_proxies)
    try:
        token = state.service.authenticate(raw, audit=False, client=client)
        outcome.scopes = state.service.scopes_of(token)
        outcome.token = token
    except TokenAuthError as error:
        outcome.error = error
    except Exception:
        # Whatever the store raised, no verdict was reached: 503, never a 500 or a silent 401.
        outcome.error = unavailable(STORE_UNAVAILABLE)


def refusal(state: KeysmithState, scopes: Iterable[str] = ()) -> Response | None:
    """The answer for a request that needs a token (holding ``scopes``), or None to go on."""
    outcome = resolve(state)
    if outcome.error is not None:
        return flask_response(state.replies.for_error(outcome.error))
    if outcome.token is None:
        outcome.token_required = True
        return flask_response(state.replies.missing())
    try:
        require_scopes(outcome.scopes, scopes)
    except InsufficientScope as error:
        return flask_response(state.replies.forbidden(error.missing))
    return None


def check_request(state: KeysmithState) -> Response | None:
    """``before_request``: a token that was sent is checked, and refused on every route when it
    does not authenticate; a request without one goes on to the view. Until the store's
    tables are found (checked by the first request), every request answers 503."""
    if not state.store_check.passes():
        return flask_response(state.replies.for_error(ServiceUnavailable(reason=STORE_UNAVAILABLE)))
    outcome = resolve(state)
    if outcome.error is not None:
        return flask_response(state.replies.for_error(outcome.error))
    return None


def note_status(response: Response) -> Response:
    """``after_request``: the status the response leaves with."""
    outcome = _outcome()
    if outcome is not None:
        outcome.status = response.status_code
    return response


def record(state: KeysmithState, _error: BaseException | None = None) -> None:
    """``teardown_request``: the request's one audit row, if it has one. A request whose
    exception escaped every handler reached no ``after_request``: it is recorded as 500."""
    outcome = _outcome()
    service = state.service
    if outcome is None or outcome.audited or not service.auditing:
        return
    outcome.context = request_context(request, trust_proxies=state.trust_proxies)
    service.record_outcome(outcome, outcome.status or 500)
