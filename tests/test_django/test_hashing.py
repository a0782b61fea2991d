"""Hashers chosen by settings, in-place hash upgrades, the rotation grace period, the cache."""

from __future__ import annotations

import pytest
from django.test import override_settings
from test_django.hooks import CountingHasher
from test_django.wiring import TokenFactory

from keysmith.auth.base import authenticate_token
from keysmith.auth.exceptions import InvalidToken
from keysmith.models import Token
from keysmith.services.tokens import rotate_token

pytestmark = pytest.mark.django_db
PEPPERS = {"p1": "pepper-one-sixteen-bytes-at-least"}
HMAC = {
    "HASH_BACKEND": "keysmith.hashers.HMACSHA256TokenHasher",
    "HASH_PEPPERS": PEPPERS,
}


@override_settings(KEYSMITH=HMAC)
def test_hmac_backend_stores_peppered_hash_and_authenticates(make_token: TokenFactory) -> None:
    token, raw = make_token()
    assert Token.objects.get(pk=token.pk).key.startswith("hmac_sha256$p1$")
    assert authenticate_token(raw).pk == token.pk


def test_switch_to_hmac_upgrades_pbkdf2_hash_on_next_authentication(
    make_token: TokenFactory,
) -> None:
    token, raw = make_token()
    assert token.key.startswith("pbkdf2_sha512$")
    with override_settings(KEYSMITH=HMAC):
        assert authenticate_token(raw).pk == token.pk
        assert Token.objects.get(pk=token.pk).key.startswith("hmac_sha256$p1$")
        assert authenticate_token(raw).pk == token.pk


@override_settings(KEYSMITH={"HASH_ITERATIONS": 10_000, "ROTATION_GRACE_SECONDS": 300})
def test_rotation_grace_old_token_accepted_until_grace_ends(make_token: TokenFactory) -> None:
    token, old = make_token()
    new = rotate_token(token)
    stored = Token.objects.get(pk=token.pk)
    assert stored.previous_key is not None
    assert stored.previous_key_expires_at is not None
    assert authenticate_token(old).pk == token.pk
    assert authenticate_token(new).pk == token.pk
    Token.objects.filter(pk=token.pk).update(previous_key_expires_at=stored.created_at)
    with pytest.raises(InvalidToken):
        authenticate_token(old)


def test_rotation_without_grace_drops_previous_key(make_token: TokenFactory) -> None:
    token, _ = make_token()
    rotate_token(token)
    assert Token.objects.get(pk=token.pk).previous_key is None


@override_settings(
    KEYSMITH={"HASH_BACKEND": "test_django.hooks.CountingHasher", "HASH_ITERATIONS": 10_000}
)
def test_repeat_authentication_skips_slow_hash(make_token: TokenFactory) -> None:
    _, raw = make_token()
    CountingHasher.verifications = 0
    for _ in range(5):
        authenticate_token(raw)
    assert CountingHasher.verifications == 1


@override_settings(
    KEYSMITH={
        "HASH_BACKEND": "test_django.hooks.CountingHasher",
        "HASH_ITERATIONS": 10_000,
        "VERIFIED_CACHE_SIZE": 0,
    }
)
def test_verified_cache_size_zero_hashes_every_time(make_token: TokenFactory) -> None:
    _, raw = make_token()
    CountingHasher.verifications = 0
    for _ in range(3):
        authenticate_token(raw)
    assert CountingHasher.verifications == 3
