"""The KEYSMITH settings loader: defaults, validation, hashers, reloading."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from keysmith.conf import DEFAULTS
from keysmith.core import FailureBudget
from keysmith.core.hashers import (
    HMACSHA256TokenHasher,
    PBKDF2SHA512TokenHasher,
    SHA256TokenHasher,
)
from keysmith.django.settings import get_settings, keysmith_settings, load_settings
from keysmith.hashers import BaseTokenHasher
from keysmith.services.tokens import create_token

PEPPERS = {"k1": "a-pepper-of-sixteen-plus-bytes"}


class NoArgumentHasher(BaseTokenHasher):
    algorithm = "plain_test"

    def hash(self, secret: str) -> str:
        return f"plain_test${secret[::-1]}"

    def verify(self, secret: str, hashed: str) -> bool:
        return hashed == self.hash(secret)


class NotAHasher:
    pass


def problems_of(raw: Any) -> list[tuple[str, str]]:
    return [(p.id, p.message) for p in load_settings(raw)[1]]


def test_load_settings_empty_dict_gives_documented_defaults() -> None:
    loaded, problems = load_settings({})
    assert problems == []
    assert loaded is not None
    resolved = (
        "HASH_BACKEND",
        "DEFAULT_ERROR_MESSAGES",
        "AVAILABLE_SCOPES",
        "DEFAULT_SCOPES",
        "FAILURE_BUDGET",
    )
    for key in DEFAULTS:
        if key not in resolved:
            assert getattr(loaded, key) == DEFAULTS[key], key
    assert loaded.HASH_BACKEND is SHA256TokenHasher
    assert (loaded.AVAILABLE_SCOPES, loaded.DEFAULT_SCOPES) == ((), ())
    assert loaded.DEFAULT_EXPIRY_DAYS == 90
    assert loaded.message("missing_token") == "Authentication credentials were not provided."
    assert isinstance(loaded.hashing.primary, SHA256TokenHasher)
    budget = loaded.FAILURE_BUDGET
    assert budget == FailureBudget(per_client=10, per_prefix=30, window=timedelta(seconds=60))


@pytest.mark.parametrize(
    "raw",
    [
        {"HASH_ITERATIONS": 200_000},
        {"HASH_BACKEND": "keysmith.hashers.PBKDF2SHA512TokenHasher", "HASH_ITERATIONS": 200_000},
    ],
)
def test_load_settings_explicit_pbkdf2_configuration_keeps_pbkdf2(raw: dict[str, Any]) -> None:
    loaded, problems = load_settings(raw)
    assert problems == []
    assert loaded is not None
    assert isinstance(loaded.hashing.primary, PBKDF2SHA512TokenHasher)
    assert loaded.hashing.primary.iterations == 200_000


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"PER_CLIENT": 0}, "per_client must be a positive integer"),
        ({"PER_CLIENTS": 3}, "must be None or a dict of PER_CLIENT, PER_PREFIX and WINDOW_SECONDS"),
        ({"WINDOW_SECONDS": -1}, "a number of seconds, zero or more"),
        ({"WINDOW_SECONDS": 0}, "window must be a positive timedelta"),
        (5, "must be None or a dict"),
    ],
)
def test_load_settings_bad_failure_budget_names_problem(raw: Any, message: str) -> None:
    loaded, problems = load_settings({"FAILURE_BUDGET": raw})
    assert loaded is None
    assert [p.id for p in problems] == ["keysmith.E009"]
    assert message in problems[0].message


def test_load_settings_failure_budget_none_turns_it_off() -> None:
    loaded, _ = load_settings({"FAILURE_BUDGET": None})
    assert loaded is not None
    assert loaded.FAILURE_BUDGET is None


def test_load_settings_unknown_key_warns_with_suggestion() -> None:
    loaded, problems = load_settings({"ENABLE_AUDIT_LOGING": False})
    assert loaded is not None
    assert [(p.id, p.hint) for p in problems] == [
        ("keysmith.W002", "Did you mean 'ENABLE_AUDIT_LOGGING'?")
    ]


@pytest.mark.parametrize(
    ("raw", "check_id", "fragment"),
    [
        ({"HASH_ITERATIONS": "100000"}, "keysmith.E007", "at least 10,000"),
        ({"HASH_ITERATIONS": 500}, "keysmith.E007", "at least 10,000"),
        ({"TOKEN_PREFIX": "bad-prefix"}, "keysmith.E004", "namespace"),
        ({"TOKEN_PREFIX": ""}, "keysmith.E004", "namespace"),
        ({"TOKEN_SECRET_LENGTH": 8}, "keysmith.E006", "between 16 and 256"),
        ({"TOKEN_SECRET_LENGTH": "32"}, "keysmith.E006", "integer"),
        ({"ALLOW_QUERY_PARAM": "yes"}, "keysmith.E009", "True or False"),
        ({"HEADER_NAME": "X-Api-Key"}, "keysmith.E009", "request.META header key"),
        ({"AVAILABLE_SCOPES": "read"}, "keysmith.E009", "list of permission codenames"),
        ({"DEFAULT_EXPIRY_DAYS": -3}, "keysmith.E009", "positive number"),
        ({"VERIFIED_CACHE_SIZE": -1}, "keysmith.E009", "zero or more"),
        ({"USAGE_WRITE_RESOLUTION_SECONDS": "60"}, "keysmith.E009", "a number"),
        ({"TOKEN_MODEL": "Token"}, "keysmith.E009", "app_label.ModelName"),
        ({"AUDIT_LOG_RETENTION_DAYS": 0}, "keysmith.E009", "positive number of days"),
        ({"DEFAULT_ERROR_MESSAGES": {"missing_token": 3}}, "keysmith.E009", "message key"),
        ({"RATE_LIMIT_HOOK": "no.such.module.hook"}, "keysmith.E010", "cannot be imported"),
        ({"AUDIT_LOG_HOOK": "keysmith.django.settings.SETTING"}, "keysmith.E010", "not callable"),
        ({"HASH_BACKEND": "keysmith.hashers.Missing"}, "keysmith.E010", "cannot be imported"),
        ({"HASH_BACKEND": f"{__name__}.NotAHasher"}, "keysmith.E011", "BaseTokenHasher"),
        ({"HASH_BACKEND": "keysmith.hashers.HMACSHA256TokenHasher"}, "keysmith.E011", "PEPPERS"),
        ({"HASH_PEPPERS": {"k1": "short"}}, "keysmith.E011", "at least 16 bytes"),
        ({"HASH_PEPPERS": PEPPERS, "HASH_PEPPER_ID": "k9"}, "keysmith.E011", "'k9'"),
        ({"HASH_PEPPER_ID": "k1"}, "keysmith.E011", "HASH_PEPPERS is empty"),
        ({"AVAILABLE_SCOPES": ["a"], "DEFAULT_SCOPES": ["b"]}, "keysmith.E014", "b"),
        ([("TOKEN_PREFIX", "x")], "keysmith.E008", "must be a dict"),
    ],
)
def test_load_settings_bad_value_reported_with_id(raw: Any, check_id: str, fragment: str) -> None:
    loaded, problems = load_settings(raw)
    assert loaded is None
    assert [p.id for p in problems] == [check_id]
    assert fragment in problems[0].message


def test_settings_repr_hides_peppers() -> None:
    loaded, _ = load_settings({"HASH_PEPPERS": PEPPERS})
    assert PEPPERS["k1"] not in repr(loaded)
    assert "'k1': '***'" in repr(loaded)


def test_load_settings_bad_pepper_never_echoes_the_secret() -> None:
    secret = "short-secret"
    for raw in ({"HASH_PEPPERS": {"k1": secret}}, {"HASH_PEPPERS": {1: secret}}):
        assert all(secret not in message for _, message in problems_of(raw))


def test_load_settings_several_problems_all_reported() -> None:
    ids = sorted(
        check_id for check_id, _ in problems_of({"TOKEN_PREFIX": "-", "HASH_ITERATIONS": 1, "X": 1})
    )
    assert ids == ["keysmith.E004", "keysmith.E007", "keysmith.W002"]


def test_load_settings_hmac_backend_gets_peppers_and_current_id() -> None:
    loaded, _ = load_settings(
        {
            "HASH_BACKEND": "keysmith.hashers.HMACSHA256TokenHasher",
            "HASH_PEPPERS": {**PEPPERS, "k2": "another-pepper-sixteen-bytes"},
            "HASH_PEPPER_ID": "k2",
        }
    )
    assert loaded is not None
    primary = loaded.hashing.primary
    assert isinstance(primary, HMACSHA256TokenHasher)
    assert primary.hash("s").startswith("hmac_sha256$k2$")


def test_load_settings_pbkdf2_backend_with_peppers_still_verifies_hmac_hashes() -> None:
    loaded, _ = load_settings({"HASH_PEPPERS": PEPPERS})
    assert loaded is not None
    hmac_hash = HMACSHA256TokenHasher(PEPPERS).hash("secret")
    assert loaded.hashing.verify("secret", hmac_hash)
    assert loaded.hashing.needs_rehash(hmac_hash)


def test_load_settings_custom_hasher_class_built_without_arguments() -> None:
    loaded, _ = load_settings({"HASH_BACKEND": f"{__name__}.NoArgumentHasher"})
    assert loaded is not None
    assert loaded.hashing.hash("abc") == "plain_test$cba"


def test_load_settings_falsy_expiry_means_no_expiry() -> None:
    for value in (None, 0, False):
        loaded, _ = load_settings({"DEFAULT_EXPIRY_DAYS": value})
        assert loaded is not None
        assert loaded.default_lifetime is None


def test_keysmith_settings_reloaded_on_override_settings() -> None:
    assert keysmith_settings.TOKEN_PREFIX == "tok"
    with override_settings(KEYSMITH={"TOKEN_PREFIX": "svc"}):
        assert keysmith_settings.TOKEN_PREFIX == "svc"
    assert keysmith_settings.TOKEN_PREFIX == "tok"


def test_get_settings_invalid_raises_improperly_configured_listing_ids() -> None:
    with (
        override_settings(KEYSMITH={"TOKEN_SECRET_LENGTH": 1}),
        pytest.raises(ImproperlyConfigured, match=r"keysmith\.E006"),
    ):
        get_settings()


def test_keysmith_settings_unknown_attribute_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NOPE"):
        _ = keysmith_settings.NOPE


@pytest.mark.django_db
@override_settings(KEYSMITH={"TOKEN_PREFIX": "svc", "TOKEN_SECRET_LENGTH": 20})
def test_create_token_uses_current_namespace_and_secret_length() -> None:
    token, raw = create_token(name="n")
    assert token.prefix.startswith("svc_")
    assert len(raw) == len(token.prefix) + 1 + 20 + 6
