"""The limits an application sets on self-service tokens, and the expiry rule they make."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from keysmith.core import NO_EXPIRY, ConfigurationError
from keysmith.core.selfservice import SelfServiceError, SelfServiceLimits
from keysmith.core.selfservice.limits import OMITTED

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)
DAY = timedelta(days=1)


@pytest.mark.parametrize(
    "options",
    [
        {"max_tokens_per_owner": 0},
        {"max_tokens_per_owner": True},
        {"max_lifetime": timedelta(0)},
        {"max_lifetime": 30},
        {"max_rotation_grace": timedelta(seconds=-1)},
        {"page_size": 0},
        {"page_size": 11, "max_page_size": 10},
    ],
)
def test_limits_bad_configuration_is_refused(options: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError):
        SelfServiceLimits(**options)  # type: ignore[arg-type]


def expiry(
    limits: SelfServiceLimits, requested: object, default: timedelta | None = 90 * DAY
) -> object:
    return limits.expiry(NOW, requested, default)  # type: ignore[arg-type]


def code(call: object) -> str:
    with pytest.raises(SelfServiceError) as caught:
        call()  # type: ignore[operator]
    return caught.value.code


def test_expiry_without_limits_follows_the_request() -> None:
    limits = SelfServiceLimits()
    assert expiry(limits, OMITTED) == NOW + 90 * DAY
    assert expiry(limits, OMITTED, None) is NO_EXPIRY
    assert expiry(limits, None) is NO_EXPIRY
    assert expiry(limits, NOW + DAY) == NOW + DAY
    assert code(lambda: expiry(limits, NOW)) == "invalid_request"


def test_expiry_within_the_maximum_lifetime() -> None:
    limits = SelfServiceLimits(max_lifetime=30 * DAY)
    assert expiry(limits, OMITTED) == NOW + 30 * DAY  # the default, cut
    assert expiry(limits, NOW + 30 * DAY) == NOW + 30 * DAY
    assert code(lambda: expiry(limits, NOW + 30 * DAY + timedelta(seconds=1))) == (
        "lifetime_too_long"
    )
    assert code(lambda: expiry(limits, None)) == "expiry_required"


def test_required_expiry_refuses_tokens_that_never_expire() -> None:
    limits = SelfServiceLimits(require_expiry=True)
    assert expiry(limits, OMITTED) == NOW + 90 * DAY
    assert code(lambda: expiry(limits, None)) == "expiry_required"
    assert code(lambda: expiry(limits, OMITTED, None)) == "expiry_required"


def test_grace_within_its_bound() -> None:
    limits = SelfServiceLimits(max_rotation_grace=timedelta(hours=1))
    assert limits.grace(None) is None
    assert limits.grace(0) == timedelta(0)
    assert limits.grace(3600) == timedelta(hours=1)
    assert code(lambda: limits.grace(3601)) == "invalid_request"
    assert SelfServiceLimits(max_rotation_grace=timedelta(0)).grace(0) == timedelta(0)
