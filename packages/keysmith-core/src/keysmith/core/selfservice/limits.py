"""What an application limits about the tokens its users create: how many, how long they live,
how long a rotation's grace lasts, how many are listed per page; and the expiry rule they make."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from keysmith.core.errors import ConfigurationError
from keysmith.core.policy import NO_EXPIRY, Expiry
from keysmith.core.selfservice.errors import (
    EXPIRY_REQUIRED,
    LIFETIME_TOO_LONG,
    SelfServiceError,
    invalid,
)


class _Omitted:
    def __repr__(self) -> str:
        return "OMITTED"


OMITTED = _Omitted()
"""A request field that was not sent (unlike ``None``, a JSON ``null``)."""


@dataclass(frozen=True)
class SelfServiceLimits:
    """``max_tokens_per_owner`` counts live tokens (not revoked, purged or expired);
    ``max_lifetime`` bounds ``expires_at`` and implies ``require_expiry``; ``None`` means no
    limit. ``max_rotation_grace`` bounds the grace a caller may ask for when rotating (zero:
    none may be asked for)."""

    max_tokens_per_owner: int | None = None
    max_lifetime: timedelta | None = None
    require_expiry: bool = False
    max_rotation_grace: timedelta = timedelta(days=1)
    page_size: int = 20
    max_page_size: int = 100

    def __post_init__(self) -> None:
        count = self.max_tokens_per_owner
        if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
            raise ConfigurationError(f"max_tokens_per_owner must be an int or None, got {count!r}.")
        if count is not None and count < 1:
            raise ConfigurationError("max_tokens_per_owner must be at least 1 (None: no limit).")
        lifetime = self.max_lifetime
        if lifetime is not None and (not isinstance(lifetime, timedelta) or lifetime <= _ZERO):
            raise ConfigurationError("max_lifetime must be a positive timedelta or None.")
        grace = self.max_rotation_grace
        if not isinstance(grace, timedelta) or grace < _ZERO:
            raise ConfigurationError("max_rotation_grace must be a timedelta of zero or more.")
        for name in ("page_size", "max_page_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigurationError(f"{name} must be a positive int, got {value!r}.")
        if self.page_size > self.max_page_size:
            raise ConfigurationError("page_size must not exceed max_page_size.")

    @property
    def expiry_required(self) -> bool:
        return self.require_expiry or self.max_lifetime is not None

    def expiry(
        self, now: datetime, requested: datetime | _Omitted | None, default: timedelta | None
    ) -> Expiry:
        """The ``expires_at`` to create a token with, or the refusal.

        ``requested`` is the client's value (``None``: never expires; ``OMITTED``: the default
        lifetime, cut to ``max_lifetime``). Returns a datetime or ``NO_EXPIRY``.
        """
        maximum = self.max_lifetime
        if isinstance(requested, datetime):
            if requested <= now:
                raise invalid("expires_at must be in the future.")
            if maximum is not None and requested - now > maximum:
                raise SelfServiceError(
                    LIFETIME_TOO_LONG,
                    f"Tokens may live at most {_days(maximum)}: expires_at must be on or before "
                    f"{(now + maximum).isoformat()}.",
                )
            return requested
        if isinstance(requested, _Omitted) and default is not None:
            lifetime = default if maximum is None else min(default, maximum)
            return now + lifetime
        if self.expiry_required:
            raise SelfServiceError(
                EXPIRY_REQUIRED, "Tokens must expire: give expires_at (a date and time)."
            )
        return NO_EXPIRY

    def grace(self, seconds: int | None) -> timedelta | None:
        """The grace a rotation asked for, within ``max_rotation_grace`` (None: the default)."""
        if seconds is None:
            return None
        grace = timedelta(seconds=seconds)
        if grace > self.max_rotation_grace:
            bound = int(self.max_rotation_grace.total_seconds())
            raise invalid(f"grace_seconds must be between 0 and {bound}.")
        return grace


_ZERO = timedelta(0)


def _days(lifetime: timedelta) -> str:
    if lifetime % timedelta(days=1) == _ZERO:
        days = lifetime.days
        return f"{days} day{'s' if days != 1 else ''}"
    return f"{int(lifetime.total_seconds())} seconds"
