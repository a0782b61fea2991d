"""What authentication decided for one request, kept by an adapter until the response exists
(``keysmith.core.events.request_event`` turns it into the request's one audit event)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from keysmith.core.audit import RequestContext
from keysmith.core.errors import RateLimited, TokenAuthError

__all__ = ["AuthOutcome"]


@dataclass(slots=True)
class AuthOutcome:
    """Per-request authentication state.

    ``token_required`` is set by a view or route that needed a token; a request without one
    is audited as a failure only then. ``audited`` makes recording idempotent, so stacked
    integrations (middleware plus a framework class) write one row per request. A rate limit
    is an ``error`` like any refusal (``RateLimited``), even when ``token`` authenticated.
    """

    context: RequestContext | None = None
    token: Any = None
    error: TokenAuthError | None = None
    token_required: bool = False
    audited: bool = False

    @property
    def rate_limited(self) -> bool:
        return isinstance(self.error, RateLimited)
