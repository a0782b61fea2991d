"""The authentication errors: the core's classes, so one ``except`` catches every adapter's."""

from __future__ import annotations

from keysmith.core.errors import (
    DisabledToken,
    ExpiredToken,
    InsufficientScope,
    InvalidToken,
    RateLimited,
    RevokedToken,
    ServiceUnavailable,
    TokenAuthError,
)

__all__ = [
    "DisabledToken",
    "ExpiredToken",
    "InsufficientScope",
    "InvalidToken",
    "RateLimited",
    "RevokedToken",
    "ServiceUnavailable",
    "TokenAuthError",
]
