"""Token policy from ``KEYSMITH_*`` environment variables, shared by an app and the CLI."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from keysmith.core.errors import ConfigurationError
from keysmith.core.format import TokenFormat
from keysmith.core.hashers import PBKDF2SHA512TokenHasher
from keysmith.core.hashing import Hashing
from keysmith.core.policy import TokenPolicy
from keysmith.core.scopes import ScopePolicy

# Each variable, and the setting of the same name (without KEYSMITH_) it mirrors.
TOKEN_PREFIX = "KEYSMITH_TOKEN_PREFIX"
TOKEN_SECRET_LENGTH = "KEYSMITH_TOKEN_SECRET_LENGTH"
HASH_ITERATIONS = "KEYSMITH_HASH_ITERATIONS"
DEFAULT_EXPIRY_DAYS = "KEYSMITH_DEFAULT_EXPIRY_DAYS"
AVAILABLE_SCOPES = "KEYSMITH_AVAILABLE_SCOPES"
DEFAULT_SCOPES = "KEYSMITH_DEFAULT_SCOPES"


def _integer(environ: Mapping[str, str], name: str) -> int | None:
    text = environ.get(name, "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise ConfigurationError(f"{name} must be an integer, got {text!r}.") from None


def _names(environ: Mapping[str, str], name: str) -> tuple[str, ...]:
    # Comma- or space-separated, as people write lists in shell variables.
    return tuple(part for part in environ.get(name, "").replace(",", " ").split() if part)


def _options(environ: Mapping[str, str]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    namespace = environ.get(TOKEN_PREFIX, "").strip()
    secret_length = _integer(environ, TOKEN_SECRET_LENGTH)
    if namespace or secret_length is not None:
        defaults = TokenFormat()
        options["format"] = TokenFormat(
            namespace=namespace or defaults.namespace,
            secret_length=defaults.secret_length if secret_length is None else secret_length,
        )
    iterations = _integer(environ, HASH_ITERATIONS)
    if iterations is not None:
        options["hashing"] = Hashing(PBKDF2SHA512TokenHasher(iterations))
    days = _integer(environ, DEFAULT_EXPIRY_DAYS)
    if days is not None:
        if days < 0:
            raise ConfigurationError(f"{DEFAULT_EXPIRY_DAYS} must be 0 (no expiry) or more.")
        options["default_lifetime"] = timedelta(days=days) if days else None
    available, default = _names(environ, AVAILABLE_SCOPES), _names(environ, DEFAULT_SCOPES)
    if available or default:
        options["scopes"] = ScopePolicy(available=frozenset(available), default=default)
    return options


def policy_from_env(environ: Mapping[str, str] | None = None, **overrides: Any) -> TokenPolicy:
    """A ``TokenPolicy`` from the variables that are set; ``overrides`` win over them.

    ``overrides`` are ``TokenPolicy`` fields (``default_lifetime=None``, ``hashing=...``).
    """
    options = _options(os.environ if environ is None else environ)
    options.update(overrides)
    return TokenPolicy(**options)
