"""Command-line values every keysmith tool accepts the same way: counts, durations and moments."""

from __future__ import annotations

import argparse
import re
from datetime import datetime, timedelta, timezone

__all__ = ["duration", "duration_or_moment", "moment", "positive", "since"]

_DURATION = re.compile(r"(\d+)\s*([smhdw])", re.ASCII)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def positive(text: str) -> int:
    """A whole number above 0 (``--limit``, ``--batch-size``)."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text!r}")
    return int(text)


def duration(text: str) -> timedelta:
    """``90d``, ``12h``, ``30m``, ``45s`` or ``2w``."""
    match = _DURATION.fullmatch(text.strip().lower())
    if not match or int(match[1]) == 0:
        raise argparse.ArgumentTypeError(
            f"not a duration: {text!r} (use a positive number and a unit: 30m, 12h, 90d, 2w)"
        )
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


def moment(text: str) -> datetime:
    """An ISO 8601 date or datetime; without an offset it is taken as UTC."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a date or time: {text!r} (use ISO 8601: 2030-01-31 or 2030-01-31T12:00+02:00)"
        ) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def duration_or_moment(text: str, error: str) -> timedelta | datetime:
    for parse in (duration, moment):
        try:
            return parse(text)
        except argparse.ArgumentTypeError:
            continue
    raise argparse.ArgumentTypeError(error)


def since(text: str) -> timedelta | datetime:
    """A duration ago (``1h``) or a date/time."""
    return duration_or_moment(
        text,
        f"not a time: {text!r} (use a duration ago such as 1h or 7d, or a date such as 2030-01-31)",
    )
