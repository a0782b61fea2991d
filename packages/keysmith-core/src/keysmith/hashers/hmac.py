"""The keyed HMAC-SHA256 hasher with a server-side pepper."""

from __future__ import annotations

from keysmith.core.hashers import HMACSHA256TokenHasher

__all__ = ["HMACSHA256TokenHasher"]
