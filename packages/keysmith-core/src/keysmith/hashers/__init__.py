"""The documented hasher import path: ``keysmith.hashers.PBKDF2SHA512TokenHasher`` and friends."""

from __future__ import annotations

from keysmith.core.hashers import (
    DEFAULT_ITERATIONS,
    BaseTokenHasher,
    HMACSHA256TokenHasher,
    PBKDF2SHA512TokenHasher,
    SHA256TokenHasher,
    TokenHasher,
    algorithm_of,
)

__all__ = [
    "DEFAULT_ITERATIONS",
    "BaseTokenHasher",
    "HMACSHA256TokenHasher",
    "PBKDF2SHA512TokenHasher",
    "SHA256TokenHasher",
    "TokenHasher",
    "algorithm_of",
]
