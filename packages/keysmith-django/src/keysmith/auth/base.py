"""``authenticate_token``: a raw token in, the token model instance out (or an error)."""

from __future__ import annotations

from typing import Any

from django.views.decorators.debug import sensitive_variables

from keysmith.django.context import request_context
from keysmith.django.runtime import get_service

__all__ = ["authenticate_token"]


@sensitive_variables()
def authenticate_token(raw_token: str | None, *, request: Any = None, audit: bool = False) -> Any:
    """Return the token the raw token belongs to, or raise ``InvalidToken`` (missing,
    malformed, bad checksum, unknown prefix, wrong secret), ``ExpiredToken``, ``RevokedToken``
    or ``DisabledToken`` (an ``InvalidToken``: the owner is inactive, or the model's
    ``can_authenticate()`` said no).

    Parsing and the checksum come before any I/O; then one indexed read of the row, the secret
    check, the state checks, and at most two single-statement conditional UPDATEs (a hash
    upgrade, ``last_used_at``) that apply only to the row as it was checked. No lock and no
    explicit transaction: inside your own ``atomic()`` block the writes join it. The middleware
    audits each request; pass ``audit=True`` to audit a direct call.
    """
    return get_service().authenticate(
        raw_token, context=request_context(request) if audit else None, audit=audit
    )
