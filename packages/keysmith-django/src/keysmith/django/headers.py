"""Header names as Django files them in ``request.META`` and as clients send them."""

from __future__ import annotations

import re

# Django files every request header under HTTP_ and its name in upper case, "-" as "_".
META_KEY = re.compile(r"HTTP_[A-Z0-9]+(?:_[A-Z0-9]+)*")


def meta_key_for(value: str) -> str | None:
    """The ``request.META`` key a near miss meant: ``X-Api-Key`` and ``X_API_KEY`` both mean
    ``HTTP_X_API_KEY``. None when nothing header-like is left."""
    words = [word for word in re.split(r"[-_\s]+", value.strip().upper()) if word]
    if words[:1] == ["HTTP"]:
        words = words[1:]
    key = "HTTP_" + "_".join(words)
    return key if words and META_KEY.fullmatch(key) else None


def header_name(key: str) -> str:
    """The header a client sends for a ``request.META`` key: ``HTTP_X_API_KEY`` -> ``X-Api-Key``."""
    name = key.removeprefix("HTTP_")
    return "-".join(part.capitalize() for part in name.split("_") if part)
