"""The self-service endpoints' refusals: stable codes, HTTP statuses and default messages."""

from __future__ import annotations

from keysmith.core.messages import DEFAULT_MESSAGES, SERVICE_UNAVAILABLE
from keysmith.core.untrusted import MAX_EXTRA_TEXT, bounded, escape

NOT_AUTHENTICATED = "not_authenticated"
TOKEN_NOT_ALLOWED = "token_not_allowed"
NOT_FOUND = "not_found"
INVALID_REQUEST = "invalid_request"
SCOPE_NOT_ALLOWED = "scope_not_allowed"
OWNER_NOT_ALLOWED = "owner_not_allowed"
TOKEN_LIMIT_REACHED = "token_limit_reached"
LIFETIME_TOO_LONG = "lifetime_too_long"
EXPIRY_REQUIRED = "expiry_required"
TOKEN_NOT_ROTATABLE = "token_not_rotatable"
TOKEN_CHANGED = "token_changed"
CREATION_IN_PROGRESS = "creation_in_progress"

STATUS = {
    NOT_AUTHENTICATED: 401,
    TOKEN_NOT_ALLOWED: 403,
    NOT_FOUND: 404,
    INVALID_REQUEST: 400,
    SCOPE_NOT_ALLOWED: 403,
    OWNER_NOT_ALLOWED: 403,
    TOKEN_LIMIT_REACHED: 409,
    LIFETIME_TOO_LONG: 400,
    EXPIRY_REQUIRED: 400,
    TOKEN_NOT_ROTATABLE: 409,
    TOKEN_CHANGED: 409,
    CREATION_IN_PROGRESS: 409,
    SERVICE_UNAVAILABLE: 503,
}

MESSAGES = {
    # DRF's own words for a request nobody authenticated.
    NOT_AUTHENTICATED: "Authentication credentials were not provided.",
    TOKEN_NOT_ALLOWED: "API tokens cannot manage tokens: sign in to manage your tokens.",
    NOT_FOUND: "No such token.",
    OWNER_NOT_ALLOWED: "You can manage only your own tokens.",
    TOKEN_CHANGED: "The token was rotated or revoked meanwhile; nothing was changed. "
    "Read it again and retry if still wanted.",
    CREATION_IN_PROGRESS: "Another token is being created for this owner; retry in a moment.",
    SERVICE_UNAVAILABLE: DEFAULT_MESSAGES[SERVICE_UNAVAILABLE],
}


class SelfServiceError(Exception):
    """A refusal, answered as ``{"detail": ..., "code": ...}`` with ``status``.

    ``detail`` never holds a secret: client text it quotes is bounded and escaped first.
    """

    def __init__(self, code: str, detail: str | None = None) -> None:
        self.code = code
        self.status = STATUS[code]
        # Details may quote what the client sent (scope names): escaped, and bounded.
        self.detail = bounded(escape(detail or MESSAGES[code]), MAX_EXTRA_TEXT) or ""
        super().__init__(self.detail)

    def body(self) -> dict[str, str]:
        return {"detail": self.detail, "code": self.code}


def invalid(detail: str) -> SelfServiceError:
    return SelfServiceError(INVALID_REQUEST, detail)
