"""The configured hasher plus the ones older stored hashes were written with."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from keysmith.core.errors import ConfigurationError
from keysmith.core.format import ALPHABET
from keysmith.core.hashers import (
    PBKDF2SHA512TokenHasher,
    SHA256TokenHasher,
    TokenHasher,
    algorithm_of,
)

# Every verification of a fast hash checks this many stored hashes (the current one and a
# rotation's previous one, padded with decoys), so timing cannot tell an unknown prefix, a
# token without a grace window and one inside it apart.
FAST_CHECKS = 2


class Hashing:
    """Hash with ``primary``; verify any stored hash whose algorithm one of the hashers knows.

    PBKDF2 and SHA-256 are always known, so databases written by django-keysmith keep verifying
    after a deployment switches hashers, in either direction.
    """

    def __init__(self, primary: TokenHasher, others: Iterable[TokenHasher] = ()) -> None:
        self.primary = primary
        by_algorithm: dict[str, TokenHasher] = {}
        for hasher in (*others, primary):
            if not getattr(hasher, "algorithm", ""):
                raise ConfigurationError(f"Hasher {hasher!r} has no 'algorithm' name.")
            by_algorithm[hasher.algorithm] = hasher
        by_algorithm.setdefault(PBKDF2SHA512TokenHasher.algorithm, PBKDF2SHA512TokenHasher())
        by_algorithm.setdefault(SHA256TokenHasher.algorithm, SHA256TokenHasher())
        self._by_algorithm = by_algorithm
        self._slow = frozenset(
            name for name, hasher in by_algorithm.items() if getattr(hasher, "slow", True)
        )
        # Decoys exist only for a fast primary: a slow decoy would hand anyone who sends
        # well-formed garbage a key-stretching run.
        self._decoy: str | None = None
        if not self.is_slow_algorithm(primary.algorithm):
            self._decoy = primary.hash("".join(secrets.choice(ALPHABET) for _ in range(32)))

    def hash(self, secret: str) -> str:
        return self.primary.hash(secret)

    def verify(self, secret: str, hashed: str) -> bool:
        hasher = self._by_algorithm.get(algorithm_of(hashed))
        return hasher is not None and hasher.verify(secret, hashed)

    def needs_rehash(self, hashed: str) -> bool:
        return algorithm_of(hashed) != self.primary.algorithm or self.primary.needs_rehash(hashed)

    def is_slow_algorithm(self, algorithm: str) -> bool:
        return algorithm in self._slow

    def is_slow(self, hashed: str) -> bool:
        """Whether verifying this stored hash is slow (worth caching, worth budgeting)."""
        return algorithm_of(hashed) in self._slow

    def pad(self, secret: str, fast_checks: int) -> None:
        """Verify decoys until ``FAST_CHECKS`` fast verifications ran for this request."""
        decoy = self._decoy
        if decoy is not None:
            for _ in range(FAST_CHECKS - fast_checks):
                self.primary.verify(secret, decoy)
