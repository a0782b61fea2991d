"""Which scopes a new token may get, and whether a token holds the scopes a call needs."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from keysmith.core.errors import ConfigurationError, InsufficientScope, ScopeError


@dataclass(frozen=True, slots=True)
class ScopePolicy:
    """``available`` empty means any scope is allowed; ``default`` is used when none are given."""

    available: frozenset[str] = field(default_factory=frozenset)
    default: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for value in (*self.available, *self.default):
            if not isinstance(value, str) or not value:
                raise ConfigurationError(f"Scope names must be non-empty strings, got {value!r}.")
        outside = set(self.default) - self.available
        if self.available and outside:
            raise ConfigurationError(
                "Default scopes not in the available scopes: " + ", ".join(sorted(outside))
            )

    def resolve(
        self, scopes: Iterable[Any] | None, name_of: Callable[[Any], str] = str
    ) -> tuple[Any, ...]:
        """The scopes a new token gets: the given ones if allowed, else the defaults."""
        if scopes is None:
            return self.default
        if isinstance(scopes, str):
            raise ScopeError("Scopes must be a collection of scopes, not a single string.")
        values = tuple(scopes)
        if self.available:
            outside = {name_of(value) for value in values} - self.available
            if outside:
                raise ScopeError("Scopes not allowed: " + ", ".join(sorted(outside)))
        return values


def require_scopes(granted: Collection[str], required: Iterable[str]) -> None:
    """Raise ``InsufficientScope`` unless every required scope is granted."""
    missing = frozenset(required).difference(granted)
    if missing:
        raise InsufficientScope(missing)
