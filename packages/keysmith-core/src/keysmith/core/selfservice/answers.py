"""What every framework's endpoints add to an answer, and who the signed-in caller is: stated
once for DRF, FastAPI and Flask."""

from __future__ import annotations

from collections.abc import Iterable

from keysmith.core.errors import ConfigurationError
from keysmith.core.events import actor_id
from keysmith.core.messages import UNAVAILABLE_RETRY_AFTER
from keysmith.core.selfservice.errors import NOT_AUTHENTICATED, TOKEN_NOT_ALLOWED, SelfServiceError
from keysmith.core.selfservice.flows import Reply
from keysmith.core.selfservice.service_backend import Grantable

# Never stored by a browser or a proxy: the body holds a raw token.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def reply_headers(reply: Reply) -> dict[str, str]:
    return dict(NO_STORE) if reply.secret else {}


def refusal_headers(error: SelfServiceError) -> dict[str, str]:
    # A 503 comes from a store that is down: clients come back after Retry-After.
    return {"Retry-After": str(UNAVAILABLE_RETRY_AFTER)} if error.status == 503 else {}


def check_token_caller(*, by_token: bool, allowed: bool) -> None:
    """Refuse a request a keysmith token authenticated, unless the endpoints allow it: a stolen
    token must not be able to mint tokens that outlive its revocation."""
    if by_token and not allowed:
        raise SelfServiceError(TOKEN_NOT_ALLOWED)


def signed_in(user: object) -> str:
    """The reference tokens store for the application's signed-in user (None: 401)."""
    if user is None:
        raise SelfServiceError(NOT_AUTHENTICATED)
    return str(actor_id(user))


def grantable_hook(value: Grantable | Iterable[str] | None) -> Grantable | None:
    """The endpoints' ``grantable`` option as a hook: a callable as it is, a collection of
    scope names as the same scopes for everyone, None as None (the policy's allow-list)."""
    if value is None or callable(value):
        return value
    if isinstance(value, str):
        raise ConfigurationError("grantable must be a collection of scope names or a callable.")
    scopes = frozenset(value)
    return lambda _user: scopes
