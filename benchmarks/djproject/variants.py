"""The keysmith configurations measured side by side in one process.

keysmith rebuilds its service (and empties its verified-secret cache) whenever the KEYSMITH
setting changes. Switching with ``override_settings`` between rounds would make every round pay
a cold PBKDF2 verification, so each variant's settings and service are built once and the
active pair is swapped in directly, as a deployment that never changes its settings would hold
them. This touches two private slots of keysmith-django; if they move, this fails loudly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PEPPER = "benchmark-pepper-0123456789abcdef"

VARIANTS: Mapping[str, Mapping[str, Any]] = {
    "defaults": {},
    "audit_off": {"ENABLE_AUDIT_LOGGING": False},
    "hmac": {
        "HASH_BACKEND": "keysmith.hashers.HMACSHA256TokenHasher",
        "HASH_PEPPERS": {"k1": PEPPER},
    },
    # django-keysmith's documented settings: new hashes stay PBKDF2.
    "pbkdf2": {
        "HASH_BACKEND": "keysmith.hashers.PBKDF2SHA512TokenHasher",
        "HASH_ITERATIONS": 100_000,
    },
    "pbkdf2_unbounded": {
        "HASH_BACKEND": "keysmith.hashers.PBKDF2SHA512TokenHasher",
        "HASH_ITERATIONS": 100_000,
        "FAILURE_BUDGET": None,
    },
}


class Variants:
    """Prebuilt (settings, service) pairs of the workspace's keysmith, one per variant."""

    def __init__(self) -> None:
        from keysmith.django import runtime
        from keysmith.django import settings as keysmith_settings

        holder = getattr(keysmith_settings, "_Current", None)
        if not hasattr(holder, "value") or not hasattr(runtime._Built, "current"):
            raise RuntimeError(
                "keysmith-django's settings/service slots moved: update "
                "benchmarks/djproject/variants.py"
            )
        self._runtime = runtime
        self._settings_holder = holder
        self._built: dict[str, tuple[dict[str, Any], Any, Any]] = {}
        for name, raw in VARIANTS.items():
            loaded, problems = keysmith_settings.load_settings(dict(raw))
            if loaded is None:
                raise RuntimeError(f"variant {name!r}: {[p.message for p in problems]}")
            self._built[name] = (dict(raw), loaded, runtime.build_service(loaded))
        self.active: str | None = None

    def activate(self, name: str) -> None:
        if name == self.active:
            return
        from django.conf import settings

        raw, loaded, service = self._built[name]
        settings.KEYSMITH = raw  # read by nothing on the hot path; kept consistent anyway
        self._settings_holder.value = loaded
        self._runtime._Built.current = (loaded, service)
        self.active = name


class SingleVariant:
    """django-keysmith 0.1.2 has one configuration: the defaults."""

    active = "defaults"

    def activate(self, name: str) -> None:
        if name != "defaults":
            raise ValueError(f"django-keysmith 0.1.2 runs only its defaults, not {name!r}")
