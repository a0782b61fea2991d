"""The KEYSMITH settings: defaults, the typed validated loader, and the current value."""

from __future__ import annotations

import difflib
import functools
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.utils.translation import gettext_lazy as _

from keysmith.conf import DEFAULTS, SETTING
from keysmith.core.errors import ConfigurationError
from keysmith.core.extract import AUTHORIZATION, TokenSource
from keysmith.core.format import TokenFormat
from keysmith.core.hashers import HMACSHA256TokenHasher, PBKDF2SHA512TokenHasher, TokenHasher
from keysmith.core.hashing import Hashing
from keysmith.core.messages import DEFAULT_MESSAGES
from keysmith.core.scopes import ScopePolicy
from keysmith.django import validators as check
from keysmith.django.headers import header_name
from keysmith.django.validators import E_HASHER, E_NOT_A_DICT, E_SCOPES, Invalid

W_UNKNOWN_KEY = "keysmith.W002"

# The core's messages, every adapter's; lazily translated so a project's catalogs apply.
BUILTIN_MESSAGES: Mapping[str, Any] = {key: _(text) for key, text in DEFAULT_MESSAGES.items()}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the settings, as the system checks report it."""

    id: str
    message: str
    hint: str | None = None

    @property
    def is_warning(self) -> bool:
        return ".W" in self.id


@dataclass(frozen=True, repr=False)
class KeysmithSettings:
    """Validated settings. Upper-case names are the keys; hooks and hasher come resolved."""

    values: Mapping[str, Any]
    hashing: Hashing

    def __repr__(self) -> str:
        # Error reports show the locals of failing frames: never the peppers.
        shown = {**self.values, "HASH_PEPPERS": dict.fromkeys(self.values["HASH_PEPPERS"], "***")}
        return f"KeysmithSettings({shown!r})"

    def __post_init__(self) -> None:
        # Each setting becomes a plain attribute: read on every request, found without a
        # ``__getattr__`` call. The object is rebuilt whenever the settings change.
        self.__dict__.update(self.values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(f"Invalid keysmith setting: {name!r}") from None

    def message(self, key: str) -> str:
        return str(self.values["DEFAULT_ERROR_MESSAGES"].get(key, key))

    @functools.cached_property
    def token_source(self) -> TokenSource:
        """Where requests carry the token: ``HEADER_NAME``, and ``Authorization: Bearer`` when
        ``ALLOW_BEARER`` is on (the query parameter is read by ``keysmith.django.context``)."""
        values = self.values
        return TokenSource(header_name(values["HEADER_NAME"]), values["ALLOW_BEARER"])

    @functools.cached_property
    def header_meta_keys(self) -> Mapping[bytes, str]:
        """The ``request.META`` key of each header the token source reads, by lower-case name."""
        return {
            self.token_source.header_key: self.values["HEADER_NAME"],
            AUTHORIZATION: "HTTP_AUTHORIZATION",
        }

    @property
    def token_format(self) -> TokenFormat:
        return TokenFormat(self.values["TOKEN_PREFIX"], self.values["TOKEN_SECRET_LENGTH"])

    @property
    def scope_policy(self) -> ScopePolicy:
        values = self.values
        return ScopePolicy(frozenset(values["AVAILABLE_SCOPES"]), values["DEFAULT_SCOPES"])

    @property
    def default_lifetime(self) -> timedelta | None:
        days = self.values["DEFAULT_EXPIRY_DAYS"]
        return timedelta(days=days) if days else None

    @property
    def usage_resolution(self) -> timedelta:
        return timedelta(seconds=self.values["USAGE_WRITE_RESOLUTION_SECONDS"])

    @property
    def rotation_grace(self) -> timedelta | None:
        grace = self.values["ROTATION_GRACE_SECONDS"]
        return timedelta(seconds=grace) if grace else None


def load_settings(raw: object) -> tuple[KeysmithSettings | None, list[Problem]]:
    """Validate a KEYSMITH dict: the settings (None if any error) and every problem found."""
    if not isinstance(raw, Mapping):
        return None, [Problem(E_NOT_A_DICT, f"{SETTING} must be a dict, got {check.shown(raw)}.")]
    problems = [_unknown_key(key) for key in raw if key not in DEFAULTS]
    values: dict[str, Any] = {}
    for name, validate in check.VALIDATORS.items():
        try:
            values[name] = validate(name, raw.get(name, DEFAULTS[name]))
        except Invalid as invalid:
            problems.append(Problem(invalid.id, invalid.message, invalid.hint))
    if any(not problem.is_warning for problem in problems):
        return None, problems
    if "HASH_ITERATIONS" in raw and "HASH_BACKEND" not in raw:
        # The iterations configure PBKDF2 only: naming them asks for PBKDF2, as it did in
        # django-keysmith, whose default hasher it was.
        values["HASH_BACKEND"] = PBKDF2SHA512TokenHasher
    try:
        hashing = build_hashing(values)
        ScopePolicy(frozenset(values["AVAILABLE_SCOPES"]), values["DEFAULT_SCOPES"])
    except Invalid as invalid:
        return None, [*problems, Problem(invalid.id, invalid.message, invalid.hint)]
    except ConfigurationError as error:
        return None, [*problems, Problem(E_SCOPES, f"KEYSMITH: {error}")]
    values["DEFAULT_ERROR_MESSAGES"] = {**BUILTIN_MESSAGES, **values["DEFAULT_ERROR_MESSAGES"]}
    return KeysmithSettings(values=values, hashing=hashing), problems


def _unknown_key(key: object) -> Problem:
    close = difflib.get_close_matches(str(key), list(DEFAULTS), n=1)
    hint = f"Did you mean {close[0]!r}?" if close else "See the configuration documentation."
    return Problem(W_UNKNOWN_KEY, f"Unknown setting in {SETTING}: {key!r}.", hint)


def build_hashing(values: Mapping[str, Any]) -> Hashing:
    """The configured hasher (PBKDF2 gets the iterations, HMAC the peppers) plus the HMAC
    hasher whenever peppers are set, so hashes written under it keep verifying."""
    backend, peppers = values["HASH_BACKEND"], values["HASH_PEPPERS"]
    try:
        hmac = HMACSHA256TokenHasher(peppers, values["HASH_PEPPER_ID"]) if peppers else None
        if values["HASH_PEPPER_ID"] is not None and hmac is None:
            raise ConfigurationError("HASH_PEPPER_ID is set but HASH_PEPPERS is empty.")
        if not isinstance(backend, type):
            raise ConfigurationError(f"HASH_BACKEND must be a class, got {check.shown(backend)}.")
        if issubclass(backend, PBKDF2SHA512TokenHasher):
            primary: object = backend(iterations=values["HASH_ITERATIONS"])
        elif issubclass(backend, HMACSHA256TokenHasher):
            if hmac is None:
                raise ConfigurationError("The HMAC hasher needs KEYSMITH['HASH_PEPPERS'].")
            primary = backend(peppers, values["HASH_PEPPER_ID"])
        else:
            primary = backend()
        if not isinstance(primary, TokenHasher):
            raise ConfigurationError(
                f"HASH_BACKEND {backend.__qualname__} must subclass "
                "keysmith.hashers.BaseTokenHasher (algorithm, hash, verify, needs_rehash)."
            )
        others = [hmac] if hmac is not None and hmac.algorithm != primary.algorithm else []
        return Hashing(primary, others)
    except (ConfigurationError, TypeError) as error:
        raise Invalid(E_HASHER, f"KEYSMITH hasher: {error}") from None


class _Current:
    """The loaded settings; None until first use and again after a change."""

    lock = threading.Lock()
    value: KeysmithSettings | None = None
    # Values assigned to ``keysmith_settings.<NAME>``, over the KEYSMITH dict until it changes.
    overrides: Mapping[str, Any] = {}


def _raw(overrides: Mapping[str, Any]) -> object:
    raw = getattr(django_settings, SETTING, {})
    return {**raw, **overrides} if overrides and isinstance(raw, Mapping) else raw


def _loaded(overrides: Mapping[str, Any]) -> KeysmithSettings:
    loaded, problems = load_settings(_raw(overrides))
    if loaded is None:
        lines = [f"{p.id}: {p.message}" for p in problems if not p.is_warning]
        raise ImproperlyConfigured("Invalid KEYSMITH settings:\n" + "\n".join(lines))
    return loaded


def get_settings() -> KeysmithSettings:
    """The validated settings, loaded on first use and again after ``setting_changed``."""
    current = _Current.value
    if current is None:
        with _Current.lock:
            current = _Current.value
            if current is None:
                current = _Current.value = _loaded(_Current.overrides)
    return current


def reload_settings(**_: Any) -> None:
    _Current.value = None


def _on_setting_changed(*, setting: str, **_: Any) -> None:
    if setting == SETTING:
        # As django-keysmith's reload: values assigned on keysmith_settings go too.
        _Current.overrides = {}
        reload_settings()


setting_changed.connect(_on_setting_changed, dispatch_uid="keysmith.django.settings")


def assign(name: str, value: Any) -> None:
    """``keysmith_settings.<name> = value``: in force from the next call, until the KEYSMITH
    setting changes. An invalid value raises ``ImproperlyConfigured`` and changes nothing."""
    if name not in DEFAULTS:
        raise AttributeError(f"Invalid keysmith setting: {name!r}")
    with _Current.lock:
        others = {key: v for key, v in _Current.overrides.items() if key != name}
        # Assigning back what the settings say anyway (monkeypatch's undo) removes the override.
        same = getattr(_loaded(others), name) == value
        overrides = others if same else {**others, name: value}
        loaded = _loaded(overrides)
        _Current.overrides, _Current.value = overrides, loaded


def unassign(name: str) -> None:
    """``del keysmith_settings.<name>``: the KEYSMITH dict's value again."""
    with _Current.lock:
        _Current.overrides = {k: v for k, v in _Current.overrides.items() if k != name}
        _Current.value = None


class _SettingsProxy:
    """``keysmith_settings.HEADER_NAME`` and friends, always reading the current settings;
    assigning to one (as tests monkeypatch django-keysmith's object) takes effect at once."""

    def __getattr__(self, name: str) -> Any:
        return getattr(get_settings(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        assign(name, value)

    def __delattr__(self, name: str) -> None:
        unassign(name)


keysmith_settings: Any = _SettingsProxy()
