"""The configured hasher plus the ones older stored hashes were written with."""

from __future__ import annotations

from collections.abc import Iterable

from keysmith.core.errors import ConfigurationError
from keysmith.core.hashers import PBKDF2SHA512TokenHasher, TokenHasher, algorithm_of


class Hashing:
    """Hash with ``primary``; verify any stored hash whose algorithm one of the hashers knows.

    PBKDF2 is always known, so databases written by django-keysmith keep verifying after a
    deployment switches to a faster hasher.
    """

    def __init__(self, primary: TokenHasher, others: Iterable[TokenHasher] = ()) -> None:
        self.primary = primary
        by_algorithm: dict[str, TokenHasher] = {}
        for hasher in (*others, primary):
            if not getattr(hasher, "algorithm", ""):
                raise ConfigurationError(f"Hasher {hasher!r} has no 'algorithm' name.")
            by_algorithm[hasher.algorithm] = hasher
        by_algorithm.setdefault(PBKDF2SHA512TokenHasher.algorithm, PBKDF2SHA512TokenHasher())
        self._by_algorithm = by_algorithm

    def hash(self, secret: str) -> str:
        return self.primary.hash(secret)

    def verify(self, secret: str, hashed: str) -> bool:
        hasher = self._by_algorithm.get(algorithm_of(hashed))
        return hasher is not None and hasher.verify(secret, hashed)

    def needs_rehash(self, hashed: str) -> bool:
        return algorithm_of(hashed) != self.primary.algorithm or self.primary.needs_rehash(hashed)
