"""django-keysmith's settings import path: ``from keysmith.settings import keysmith_settings``."""

from __future__ import annotations

from keysmith.conf import DEFAULTS as KEYSMITH_DEFAULTS
from keysmith.django.settings import keysmith_settings

__all__ = ["KEYSMITH_DEFAULTS", "keysmith_settings"]
