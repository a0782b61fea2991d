"""Configuration validation and the small pure helpers of the policy module."""

from __future__ import annotations

import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest

from keysmith.core import (
    ConfigurationError,
    LoggingAuditSink,
    RequestContext,
    ScopePolicy,
    TokenPolicy,
)
from keysmith.core.clock import FrozenClock, SystemClock
from keysmith.core.events import actor_id, event


@pytest.mark.parametrize(
    "kwargs",
    [
        {"default_lifetime": timedelta(0)},
        {"default_lifetime": 90},
        {"rotation_grace": timedelta(seconds=-1)},
        {"usage_resolution": timedelta(seconds=-1)},
        {"usage_resolution": 60},
    ],
)
def test_policy_bad_durations_raise_configuration_error(kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError):
        TokenPolicy(**kwargs)  # type: ignore[arg-type]


def test_scope_policy_default_outside_available_raises() -> None:
    with pytest.raises(ConfigurationError, match="admin"):
        ScopePolicy(frozenset({"read"}), ("admin",))


def test_scope_policy_empty_name_raises() -> None:
    with pytest.raises(ConfigurationError, match="non-empty"):
        ScopePolicy(frozenset({""}))


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        (None, None),
        ("alice", "alice"),
        (7, 7),
        (SimpleNamespace(pk=3), 3),
        (SimpleNamespace(id="u-1"), "u-1"),
        (SimpleNamespace(pk=SimpleNamespace()), "namespace()"),
    ],
)
def test_actor_id_various_actors_give_json_safe_reference(actor: object, expected: object) -> None:
    assert actor_id(actor) == expected


def test_logging_sink_writes_one_line_without_secret(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="keysmith.audit")
    token = SimpleNamespace(prefix="tok_abcdefgh")
    context = RequestContext(path="/x", method="GET", ip_address="10.0.0.1")
    LoggingAuditSink().emit(event("auth_success", FrozenClock().now(), token, context=context))
    assert caplog.messages == [
        "keysmith auth_success token=tok_abcdefgh status=0 method=GET path=/x ip=10.0.0.1 extra={}"
    ]


def test_system_clock_is_timezone_aware() -> None:
    assert SystemClock().now().tzinfo is not None
