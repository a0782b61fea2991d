"""django-keysmith's path for the hasher base class, kept so custom hashers keep importing."""

from __future__ import annotations

from keysmith.core.hashers import BaseTokenHasher, TokenHasher

__all__ = ["BaseTokenHasher", "TokenHasher"]
