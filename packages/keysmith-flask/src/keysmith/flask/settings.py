"""The extension's settings, read from ``app.config`` once per application and checked there."""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.utils import ImportStringError, import_string

from keysmith.core.errors import ConfigurationError
from keysmith.core.extract import DEFAULT_HEADER, TokenSource
from keysmith.core.hashers import TokenHasher
from keysmith.core.hashing import Hashing
from keysmith.core.policy import TokenPolicy
from keysmith.core.replies import Replies
from keysmith.sqlalchemy import policy_from_env
from keysmith.sqlalchemy.settings import (
    AVAILABLE_SCOPES,
    DEFAULT_EXPIRY_DAYS,
    DEFAULT_SCOPES,
    HASH_ITERATIONS,
    TOKEN_PREFIX,
    TOKEN_SECRET_LENGTH,
)

# The token policy's keys: the same names as the variables the `keysmith` command reads, so an
# app configured either way issues the same tokens. app.config wins over the environment.
POLICY_KEYS = (
    TOKEN_PREFIX,
    TOKEN_SECRET_LENGTH,
    HASH_ITERATIONS,
    DEFAULT_EXPIRY_DAYS,
    AVAILABLE_SCOPES,
    DEFAULT_SCOPES,
)


@dataclass(frozen=True)
class Settings:
    """What ``KEYSMITH_*`` keys of ``app.config`` say (see docs/flask.md for the table)."""

    database_url: str | None
    bind_key: str | None
    source: TokenSource
    trust_proxies: bool
    audit: bool
    audit_buffer_seconds: float
    audit_write_timeout: float | None
    replies: Replies
    hasher: TokenHasher | None
    policy_environ: Mapping[str, str]

    def policy(self) -> TokenPolicy:
        """The token policy these keys describe (with the environment under them)."""
        overrides = {"hashing": Hashing(self.hasher)} if self.hasher is not None else {}
        return policy_from_env(self.policy_environ, **overrides)


def _flag(config: Mapping[str, Any], key: str, default: bool) -> bool:
    value = config.get(key, default)
    if not isinstance(value, bool):
        raise ConfigurationError(f"{key} must be True or False, got {value!r}.")
    return value


def _text(config: Mapping[str, Any], key: str, default: str | None) -> str | None:
    value = config.get(key, default)
    if value is not None and (not isinstance(value, str) or not value):
        raise ConfigurationError(f"{key} must be a non-empty string or None, got {value!r}.")
    return value


def _seconds(config: Mapping[str, Any], key: str, default: float, *, none: bool) -> Any:
    value = config.get(key, default)
    if value is None and none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < math.inf:
        allowed = "a number of seconds, 0 or more" + (", or None" if none else "")
        raise ConfigurationError(f"{key} must be {allowed}; got {value!r}.")
    return float(value)


def _as_variable(key: str, value: object) -> str:
    """A policy key's value as the text its environment variable would hold."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, Iterable) and all(isinstance(item, str) for item in value):
        return " ".join(value)
    raise ConfigurationError(f"{key} must be text, a number or a list of names, got {value!r}.")


def _policy_environ(config: Mapping[str, Any]) -> dict[str, str]:
    environ = {key: os.environ[key] for key in POLICY_KEYS if key in os.environ}
    for key in POLICY_KEYS:
        if config.get(key) is not None:
            environ[key] = _as_variable(key, config[key])
    return environ


def _hasher(config: Mapping[str, Any]) -> TokenHasher | None:
    value = config.get("KEYSMITH_HASHER")
    if isinstance(value, str):
        try:
            value = import_string(value)()
        except (ImportStringError, ImportError) as error:
            raise ConfigurationError(f"KEYSMITH_HASHER: cannot import {value!r}.") from error
    if value is None:
        return None
    if not callable(getattr(value, "hash", None)) or not callable(getattr(value, "verify", None)):
        raise ConfigurationError(
            "KEYSMITH_HASHER must be a hasher (with hash() and verify()) or the dotted path of "
            f"a hasher class, got {value!r}."
        )
    hasher: TokenHasher = value
    return hasher


def read_settings(config: Mapping[str, Any]) -> Settings:
    """The settings of one app, or ``ConfigurationError`` naming the key that is wrong."""
    messages = config.get("KEYSMITH_MESSAGES")
    if messages is not None and not isinstance(messages, Mapping):
        raise ConfigurationError(f"KEYSMITH_MESSAGES must be a dict, got {messages!r}.")
    header_name = _text(config, "KEYSMITH_HEADER_NAME", DEFAULT_HEADER) or DEFAULT_HEADER
    allow_bearer = _flag(config, "KEYSMITH_ALLOW_BEARER", True)
    query_param = _text(config, "KEYSMITH_QUERY_PARAM", None)
    try:
        source = TokenSource(header_name, allow_bearer, query_param)
    except ConfigurationError as error:
        raise ConfigurationError(f"KEYSMITH_HEADER_NAME: {error}") from None
    try:
        replies = Replies(source, messages)
    except ConfigurationError as error:
        raise ConfigurationError(f"KEYSMITH_MESSAGES: {error}") from None
    return Settings(
        database_url=_text(config, "KEYSMITH_DATABASE_URL", None),
        bind_key=_text(config, "KEYSMITH_SQLALCHEMY_BIND", None),
        source=source,
        trust_proxies=_flag(config, "KEYSMITH_TRUST_PROXIES", False),
        audit=_flag(config, "KEYSMITH_AUDIT", True),
        audit_buffer_seconds=_seconds(config, "KEYSMITH_AUDIT_BUFFER_SECONDS", 1.0, none=False),
        audit_write_timeout=_seconds(config, "KEYSMITH_AUDIT_WRITE_TIMEOUT", 1.0, none=True),
        replies=replies,
        hasher=_hasher(config),
        policy_environ=_policy_environ(config),
    )
