"""django-keysmith's path for the PBKDF2-SHA512 hasher."""

from __future__ import annotations

from keysmith.core.hashers import PBKDF2SHA512TokenHasher

__all__ = ["PBKDF2SHA512TokenHasher"]
