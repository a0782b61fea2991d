"""django-keysmith 0.1.2's ``get_hasher()``, kept for compatibility (Django projects only)."""

from __future__ import annotations

import importlib
from typing import Any

from keysmith.core.hashers import BaseTokenHasher
from keysmith.core.hashing import Hashing

__all__ = ["ConfiguredHasher", "get_hasher"]


class ConfiguredHasher(BaseTokenHasher):
    """The hashing of the ``KEYSMITH`` settings as one hasher.

    ``hash`` writes with the configured hasher (``HASH_BACKEND``, SHA-256 unless the settings
    name PBKDF2 or ``HASH_ITERATIONS``); ``verify`` accepts every stored hash keysmith
    verifies, django-keysmith's ``pbkdf2_sha512$...`` included, so a data migration written for
    django-keysmith keeps verifying old hashes after the default changed.
    """

    def __init__(self, hashing: Hashing) -> None:
        self.hashing = hashing
        self.algorithm = hashing.primary.algorithm
        self.slow = bool(getattr(hashing.primary, "slow", True))

    def hash(self, secret: str) -> str:
        return self.hashing.hash(secret)

    def verify(self, secret: str, hashed: str) -> bool:
        return self.hashing.verify(secret, hashed)

    def needs_rehash(self, hashed: str) -> bool:
        return self.hashing.needs_rehash(hashed)


def get_hasher() -> Any:
    """The configured hasher, as django-keysmith's ``keysmith.hashers.registry.get_hasher``."""
    # Looked up when called: keysmith-core does not depend on Django; this path exists for
    # keysmith-django's users.
    settings: Any = importlib.import_module("keysmith.django.settings")
    return ConfiguredHasher(settings.get_settings().hashing)
