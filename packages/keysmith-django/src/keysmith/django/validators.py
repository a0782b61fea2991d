"""Checks for single KEYSMITH settings: each returns the normalised value or raises ``Invalid``."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from django.utils.functional import Promise
from django.utils.module_loading import import_string

from keysmith.core.audit_limits import write_timeout
from keysmith.core.budget import FailureBudget
from keysmith.core.errors import ConfigurationError
from keysmith.core.format import validate_namespace, validate_secret_length
from keysmith.django.headers import META_KEY, header_name, meta_key_for

# Check ids; E001-E003 keep the numbers django-keysmith gave the model checks.
E_NAMESPACE = "keysmith.E004"
E_SECRET_LENGTH = "keysmith.E006"
E_ITERATIONS = "keysmith.E007"
E_NOT_A_DICT = "keysmith.E008"
E_VALUE = "keysmith.E009"
E_IMPORT = "keysmith.E010"
E_HASHER = "keysmith.E011"
E_SCOPES = "keysmith.E014"

MIN_ITERATIONS = 10_000
_MODEL_LABEL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*")


class Invalid(Exception):
    """A setting value keysmith cannot use; ``id`` is the system check id that reports it."""

    def __init__(self, id: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.id = id
        self.message = message
        self.hint = hint


def shown(value: object) -> str:
    """A short description of a bad value for error messages."""
    text = repr(value)
    text = text if len(text) <= 60 else text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _wrong(name: str, expected: str, value: object, hint: str | None = None) -> Invalid:
    return Invalid(E_VALUE, f"KEYSMITH['{name}'] must be {expected}, got {shown(value)}.", hint)


def boolean(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _wrong(name, "True or False", value)
    return value


def text(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _wrong(name, "a non-empty string", value)
    return value


def _number(name: str, value: Any, *, integer: bool) -> float:
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise _wrong(name, "an integer" if integer else "a number", value)
    return value


def count(name: str, value: Any) -> int:
    """An integer of zero or more."""
    number = int(_number(name, value, integer=True))
    if number < 0:
        raise _wrong(name, "an integer of zero or more", value)
    return number


def seconds(name: str, value: Any) -> float:
    """A number of seconds, zero or more."""
    number = _number(name, value, integer=False)
    if number < 0:
        raise _wrong(name, "a number of seconds, zero or more", value)
    return number


def optional_positive(name: str, value: Any) -> float | None:
    """None (or, as django-keysmith allowed, a falsy 0/False) or a positive number."""
    if value is None or value is False or (isinstance(value, (int, float, str)) and not value):
        return None
    number = _number(name, value, integer=False)
    if number <= 0:
        raise _wrong(name, "a positive number or None", value)
    return number


def timeout(name: str, value: Any) -> float | None:
    """A bound in seconds (above 0, at most an hour) or None."""
    try:
        return write_timeout(value, f"KEYSMITH['{name}']")
    except ConfigurationError as error:
        raise Invalid(E_VALUE, str(error), "None leaves the database's own timeouts.") from None


def optional_days(name: str, value: Any) -> int | None:
    if value is None:
        return None
    number = int(_number(name, value, integer=True))
    if number < 1:
        raise _wrong(name, "a positive number of days or None", value)
    return number


def iterations(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < MIN_ITERATIONS:
        raise Invalid(
            E_ITERATIONS,
            f"KEYSMITH['{name}'] must be an integer of at least {MIN_ITERATIONS:,}, "
            f"got {shown(value)}.",
        )
    return value


def namespace(name: str, value: Any) -> str:
    try:
        return validate_namespace(value)
    except ConfigurationError as error:
        raise Invalid(E_NAMESPACE, f"KEYSMITH['{name}']: {error}") from None


def secret_length(name: str, value: Any) -> int:
    try:
        return validate_secret_length(value)
    except ConfigurationError as error:
        raise Invalid(E_SECRET_LENGTH, f"KEYSMITH['{name}']: {error}") from None


def scope_names(name: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, (list, tuple, set, frozenset)):
        raise _wrong(name, "a list of permission codenames", value)
    for item in value:
        if not isinstance(item, str) or not item:
            raise _wrong(name, "a list of non-empty codename strings", item)
    return tuple(value)


def meta_key(name: str, value: Any) -> str:
    """A header's ``request.META`` key: ``HTTP_`` and the header name in upper case, ``-`` as
    ``_``. Anything else is a header no request ever carries, so every token would read as
    missing."""
    if isinstance(value, str) and META_KEY.fullmatch(value):
        return value
    meant = meta_key_for(value) if isinstance(value, str) else None
    hint = (
        f"Use {meant!r}: Django puts header {header_name(meant)} in request.META under that key."
        if meant is not None
        else "Use the request.META key of the header: header X-Api-Key is 'HTTP_X_API_KEY'."
    )
    raise _wrong(name, "a request.META header key such as 'HTTP_X_API_KEY'", value, hint)


def model_label(name: str, value: Any) -> str:
    if not isinstance(value, str) or not _MODEL_LABEL.fullmatch(value):
        raise _wrong(name, "of the form 'app_label.ModelName'", value)
    return value


def importable(name: str, value: Any) -> Any:
    """A dotted path (imported here) or the object itself; None stays None."""
    if value is None or not isinstance(value, str):
        return value
    try:
        return import_string(value)
    except ImportError as error:
        raise Invalid(
            E_IMPORT, f"KEYSMITH['{name}'] = {value!r} cannot be imported: {error}"
        ) from None


def hook(name: str, value: Any) -> Callable[..., Any] | None:
    if value is not None and not isinstance(value, str) and not callable(value):
        raise _wrong(name, "a dotted path to a callable, or None", value)
    resolved = importable(name, value)
    if resolved is not None and not callable(resolved):
        raise Invalid(E_IMPORT, f"KEYSMITH['{name}'] = {value!r} is not callable.")
    return resolved  # type: ignore[no-any-return]


def messages(name: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise _wrong(name, "a dict of message key to text", value)
    for key, message in value.items():
        if not isinstance(key, str) or not isinstance(message, (str, Promise)):
            raise _wrong(name, "a dict of message key to text", {key: message})
    return dict(value)


def peppers(name: str, value: Any) -> dict[str, str | bytes]:
    # Never echo the values: they are secrets.
    if not isinstance(value, Mapping):
        raise Invalid(E_VALUE, f"KEYSMITH['{name}'] must be a dict of pepper id to key.")
    for pepper_id, key in value.items():
        if not isinstance(pepper_id, str) or not isinstance(key, (str, bytes)):
            raise Invalid(E_VALUE, f"KEYSMITH['{name}'] must map string ids to str or bytes keys.")
    return dict(value)


def optional_text(name: str, value: Any) -> str | None:
    return None if value is None else text(name, value)


_BUDGET_KEYS = {"PER_CLIENT": "per_client", "PER_PREFIX": "per_prefix"}


def failure_budget(name: str, value: Any) -> FailureBudget | None:
    """None (no budget), or a dict of ``PER_CLIENT``, ``PER_PREFIX``, ``WINDOW_SECONDS``."""
    if value is None:
        return None
    if not isinstance(value, Mapping) or not set(value) <= {*_BUDGET_KEYS, "WINDOW_SECONDS"}:
        raise _wrong(name, "None or a dict of PER_CLIENT, PER_PREFIX and WINDOW_SECONDS", value)
    options: dict[str, Any] = {_BUDGET_KEYS[k]: v for k, v in value.items() if k in _BUDGET_KEYS}
    if "WINDOW_SECONDS" in value:
        options["window"] = timedelta(seconds=seconds(name, value["WINDOW_SECONDS"]))
    try:
        return FailureBudget(**options)
    except ConfigurationError as error:
        raise Invalid(E_VALUE, f"KEYSMITH['{name}']: {error}") from None


# The check each KEYSMITH key goes through (the keys and their defaults: settings.DEFAULTS).
VALIDATORS: Mapping[str, Callable[[str, Any], Any]] = {
    "HASH_BACKEND": importable,
    "HASH_ITERATIONS": iterations,
    "DEFAULT_EXPIRY_DAYS": optional_positive,
    "AVAILABLE_SCOPES": scope_names,
    "DEFAULT_SCOPES": scope_names,
    "TOKEN_MODEL": model_label,
    "AUDIT_LOG_MODEL": model_label,
    "HEADER_NAME": meta_key,
    "ALLOW_BEARER": boolean,
    "ALLOW_QUERY_PARAM": boolean,
    "QUERY_PARAM_NAME": text,
    "ENABLE_AUDIT_LOGGING": boolean,
    "TOKEN_PREFIX": namespace,
    "TOKEN_SECRET_LENGTH": secret_length,
    "RATE_LIMIT_HOOK": hook,
    "DRF_THROTTLE_HOOK": hook,
    "DEFAULT_ERROR_MESSAGES": messages,
    "AUDIT_LOG_HOOK": hook,
    "AUDIT_LOG_RETENTION_DAYS": optional_days,
    "TRUST_PROXIES": boolean,
    "USAGE_WRITE_RESOLUTION_SECONDS": seconds,
    "VERIFIED_CACHE_SIZE": count,
    "HASH_PEPPERS": peppers,
    "HASH_PEPPER_ID": optional_text,
    "ROTATION_GRACE_SECONDS": optional_positive,
    "AUDIT_BUFFER_SECONDS": seconds,
    "FAILURE_BUDGET": failure_budget,
    "AUDIT_WRITE_TIMEOUT": timeout,
}
