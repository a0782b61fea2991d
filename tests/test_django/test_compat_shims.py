"""django-keysmith 0.1.2's ``keysmith.utils.tokens`` and ``keysmith.hashers.registry`` return
what 0.1.2 returned for the same inputs (recorded from the real release by
``compat/record_django_keysmith.py``), and ``keysmith_settings`` takes assignments."""

from __future__ import annotations

import hashlib
import json
import string
from dataclasses import FrozenInstanceError, fields
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from test_django.wiring import TokenFactory

from keysmith.hashers.base import BaseTokenHasher
from keysmith.hashers.registry import get_hasher
from keysmith.settings import keysmith_settings
from keysmith.utils import tokens

RECORDED = json.loads(
    (Path(__file__).parent / "compat" / "django_keysmith_0_1_2.json").read_text("utf-8")
)


def outcome(call: Any) -> dict[str, Any]:
    try:
        return {"result": call()}
    except Exception as error:
        return {"error": type(error).__name__, "message": str(error)}


@pytest.mark.parametrize(
    "case", RECORDED["extract_prefix_and_secret"], ids=lambda case: repr(case["input"])[:40]
)
def test_extract_prefix_and_secret_recorded_input_same_outcome_as_0_1_2(
    case: dict[str, Any],
) -> None:
    expected = {key: value for key, value in case.items() if key != "input"}
    got = outcome(lambda: list(tokens.extract_prefix_and_secret(case["input"])))
    assert got == expected


@pytest.mark.parametrize("case", RECORDED["build_public_token"])
def test_build_public_token_recorded_input_same_token_as_0_1_2(case: dict[str, Any]) -> None:
    built = tokens.build_public_token(**case["input"])
    assert vars(built) == case["result"]


@pytest.mark.parametrize("case", RECORDED["compute_crc"])
def test_compute_crc_recorded_input_same_digits_as_0_1_2(case: dict[str, Any]) -> None:
    assert tokens.compute_crc(*case["input"]) == case["result"]


def test_public_token_is_the_same_frozen_dataclass() -> None:
    token = tokens.PublicToken(token="t", full_prefix="p", crc="c")
    assert [field.name for field in fields(tokens.PublicToken)] == ["token", "full_prefix", "crc"]
    with pytest.raises(FrozenInstanceError):
        token.crc = "d"  # type: ignore[misc]


def test_generate_raw_secret_letters_and_digits_of_the_length() -> None:
    assert len(tokens.generate_raw_secret()) == 32
    secret = tokens.generate_raw_secret(64)
    assert len(secret) == 64
    assert set(secret) <= set(string.ascii_letters + string.digits)
    assert tokens.generate_raw_secret(64) != secret


def test_extract_prefix_and_secret_compares_checksum_in_constant_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compared: list[tuple[str, str]] = []

    class Spy:
        @staticmethod
        def compare_digest(a: str, b: str) -> bool:
            compared.append((a, b))
            return a == b

    monkeypatch.setattr(tokens, "hmac", Spy)
    built = tokens.build_public_token(namespace="tok", identifier="ab12CD34", secret="s" * 32)
    assert tokens.extract_prefix_and_secret(built.token) == ("tok_ab12CD34", "s" * 32)
    assert compared == [(built.crc, built.crc)]


def test_extract_prefix_and_secret_accepts_tokens_keysmith_issues(
    make_token: TokenFactory,
) -> None:
    token, raw = make_token()
    assert tokens.extract_prefix_and_secret(raw)[0] == token.prefix


@override_settings(KEYSMITH={})
def test_get_hasher_default_settings_verifies_0_1_2_pbkdf2_hashes() -> None:
    hasher = get_hasher()
    assert isinstance(hasher, BaseTokenHasher)
    for case in RECORDED["pbkdf2_hashes"]:
        assert hasher.verify(case["secret"], case["hash"])
        assert not hasher.verify(case["secret"] + "x", case["hash"])


@override_settings(KEYSMITH={})
def test_get_hasher_default_settings_hashes_with_sha256() -> None:
    hasher = get_hasher()
    hashed = hasher.hash("s" * 32)
    assert hashed.startswith("sha256$")
    assert hasher.algorithm == "sha256"
    assert hasher.verify("s" * 32, hashed)


@override_settings(KEYSMITH={"HASH_ITERATIONS": 10_000})
def test_get_hasher_iterations_set_writes_hashes_0_1_2_verifies() -> None:
    hashed = get_hasher().hash("s" * 32)
    assert hashed.startswith("pbkdf2_sha512$10000$")
    # django-keysmith 0.1.2's verification: Django's PBKDF2 hasher set to SHA-512.
    theirs = PBKDF2PasswordHasher()
    theirs.algorithm, theirs.digest, theirs.iterations = "pbkdf2_sha512", hashlib.sha512, 10_000
    assert theirs.verify("s" * 32, hashed)
    assert not theirs.verify("t" * 32, hashed)


@override_settings(KEYSMITH={"HASH_ITERATIONS": 10_000})
def test_keysmith_settings_assignment_takes_effect_on_next_request(
    make_token: TokenFactory,
) -> None:
    token, raw = make_token()
    keysmith_settings.HEADER_NAME = "HTTP_X_API_KEY"
    assert keysmith_settings.HEADER_NAME == "HTTP_X_API_KEY"
    response = Client().get("/required/", HTTP_X_API_KEY=raw)
    assert (response.status_code, response.json()["prefix"]) == (200, token.prefix)
    assert Client().get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 401


@override_settings(KEYSMITH={"HASH_ITERATIONS": 10_000})
def test_keysmith_settings_monkeypatch_undo_restores_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(keysmith_settings, "ENABLE_AUDIT_LOGGING", False)
    monkeypatch.setattr(
        keysmith_settings, "DEFAULT_ERROR_MESSAGES", {"missing_token": "Token, please."}
    )
    assert Client().get("/required/").content == b"Token, please."
    monkeypatch.undo()
    assert Client().get("/required/").content == b"Authentication credentials were not provided."
    assert keysmith_settings.ENABLE_AUDIT_LOGGING is True


def test_keysmith_settings_assignment_ends_when_the_setting_changes() -> None:
    with override_settings(KEYSMITH={"HASH_ITERATIONS": 10_000}):
        keysmith_settings.TOKEN_PREFIX = "acme"
        assert keysmith_settings.TOKEN_PREFIX == "acme"
    assert keysmith_settings.TOKEN_PREFIX == "tok"


@override_settings(KEYSMITH={"HASH_ITERATIONS": 10_000})
def test_keysmith_settings_bad_assignment_raises_and_changes_nothing() -> None:
    with pytest.raises(ImproperlyConfigured, match="TOKEN_SECRET_LENGTH"):
        keysmith_settings.TOKEN_SECRET_LENGTH = "long"
    assert keysmith_settings.TOKEN_SECRET_LENGTH == 32
    with pytest.raises(AttributeError, match="TOKEN_PREFX"):
        keysmith_settings.TOKEN_PREFX = "acme"
