"""The stable codes and default messages of keysmith's refusals, shared by every adapter."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

MISSING_TOKEN = "missing_token"
INVALID_TOKEN = "invalid_token"
INSUFFICIENT_SCOPE = "insufficient_scope"
RATE_LIMITED = "rate_limited"
SERVICE_UNAVAILABLE = "service_unavailable"

DEFAULT_MESSAGES: Mapping[str, str] = MappingProxyType(
    {
        MISSING_TOKEN: "Authentication credentials were not provided.",
        INVALID_TOKEN: "Your session has expired or the token is invalid.",
        INSUFFICIENT_SCOPE: "You do not have permission to perform this action.",
        RATE_LIMITED: "Too many authentication attempts. Try again later.",
        SERVICE_UNAVAILABLE: "The service is temporarily unavailable. Try again later.",
    }
)

# The Retry-After of a 503: long enough not to hammer a database that is restarting, short
# enough that clients come back soon after it is up.
UNAVAILABLE_RETRY_AFTER = 5
