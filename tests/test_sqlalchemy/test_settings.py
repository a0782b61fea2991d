"""Policy settings read from KEYSMITH_* environment variables."""

from __future__ import annotations

from datetime import timedelta

import pytest

from keysmith.core import ConfigurationError, PBKDF2SHA512TokenHasher
from keysmith.sqlalchemy import policy_from_env


def test_policy_from_env_nothing_set_gives_core_defaults() -> None:
    policy = policy_from_env({})
    assert policy.format.namespace == "tok"
    assert policy.default_lifetime == timedelta(days=90)
    assert policy.scopes.available == frozenset()


def test_policy_from_env_every_variable_applied() -> None:
    policy = policy_from_env(
        {
            "KEYSMITH_TOKEN_PREFIX": "svc",
            "KEYSMITH_TOKEN_SECRET_LENGTH": "40",
            "KEYSMITH_HASH_ITERATIONS": "1000",
            "KEYSMITH_DEFAULT_EXPIRY_DAYS": "7",
            "KEYSMITH_AVAILABLE_SCOPES": "read, write admin",
            "KEYSMITH_DEFAULT_SCOPES": "read",
        }
    )
    assert (policy.format.namespace, policy.format.secret_length) == ("svc", 40)
    primary = policy.hashing.primary
    assert isinstance(primary, PBKDF2SHA512TokenHasher)
    assert primary.iterations == 1000
    assert policy.default_lifetime == timedelta(days=7)
    assert policy.scopes.available == frozenset({"read", "write", "admin"})
    assert policy.scopes.default == ("read",)


def test_policy_from_env_zero_expiry_days_means_no_expiry() -> None:
    assert policy_from_env({"KEYSMITH_DEFAULT_EXPIRY_DAYS": "0"}).default_lifetime is None


def test_policy_from_env_overrides_win_over_variables() -> None:
    environ = {"KEYSMITH_DEFAULT_EXPIRY_DAYS": "7"}
    assert policy_from_env(environ, default_lifetime=None).default_lifetime is None


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("KEYSMITH_HASH_ITERATIONS", "many", "KEYSMITH_HASH_ITERATIONS must be an integer"),
        ("KEYSMITH_DEFAULT_EXPIRY_DAYS", "-1", "KEYSMITH_DEFAULT_EXPIRY_DAYS must be 0"),
        ("KEYSMITH_TOKEN_PREFIX", "bad-prefix", "namespace"),
        ("KEYSMITH_TOKEN_SECRET_LENGTH", "4", "secret length"),
    ],
)
def test_policy_from_env_bad_value_raises_configuration_error(
    name: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        policy_from_env({name: value})


def test_policy_from_env_default_scope_outside_available_raises() -> None:
    environ = {"KEYSMITH_AVAILABLE_SCOPES": "read", "KEYSMITH_DEFAULT_SCOPES": "admin"}
    with pytest.raises(ConfigurationError, match="admin"):
        policy_from_env(environ)
