"""A forged secret on a known prefix, through the real middleware: cheap with the default
hasher, bounded per client with django-keysmith's explicit PBKDF2 settings."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from test_django.hooks import CountingHasher
from test_django.wiring import TokenFactory

from keysmith.core.checksum import checksum
from keysmith.models import Token, TokenAuditLog
from keysmith.services.tokens import create_token

pytestmark = pytest.mark.django_db
HEADER = "HTTP_X_KEYSMITH_TOKEN"


def forged(prefix: str) -> str:
    body = f"{prefix}:{'F' * 32}"
    return body + checksum(body)


@override_settings(KEYSMITH={})
def test_default_settings_store_sha256_and_authenticate(client: Client) -> None:
    token, raw = create_token(name="new")
    assert Token.objects.get(pk=token.pk).key.startswith("sha256$")
    assert client.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200
    assert client.get("/required/", HTTP_X_KEYSMITH_TOKEN=forged(token.prefix)).status_code == 401


def test_default_settings_upgrade_django_keysmith_hash_on_use(
    client: Client, make_token: TokenFactory
) -> None:
    token, raw = make_token()  # the test settings name HASH_ITERATIONS: PBKDF2, as 0.1.2 wrote
    assert token.key.startswith("pbkdf2_sha512$10000$")
    with override_settings(KEYSMITH={}):
        assert client.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200
        assert Token.objects.get(pk=token.pk).key.startswith("sha256$")
        assert client.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200


EXPLICIT_PBKDF2 = {
    "HASH_BACKEND": "test_django.hooks.CountingHasher",
    "HASH_ITERATIONS": 10_000,
    "FAILURE_BUDGET": {"PER_CLIENT": 3, "PER_PREFIX": 50, "WINDOW_SECONDS": 60},
}


@override_settings(KEYSMITH=EXPLICIT_PBKDF2)
def test_explicit_pbkdf2_forgeries_from_one_address_stop_costing_hashes(client: Client) -> None:
    token, raw = create_token(name="pbkdf2")
    CountingHasher.verifications = 0
    statuses = [
        client.get(
            "/required/", HTTP_X_KEYSMITH_TOKEN=forged(token.prefix), REMOTE_ADDR="198.51.100.7"
        ).status_code
        for _ in range(12)
    ]
    assert statuses == [401] * 12
    assert CountingHasher.verifications == 3  # the budget, then no key stretching at all
    failed = TokenAuditLog.objects.filter(token=token, action="auth_failed").order_by("id")
    reasons = [row.extra["reason"] for row in failed]
    assert reasons == ["wrong_secret"] * 3 + ["failure_budget"] * 9
    # The holder, elsewhere, is never locked out by the attacker's failures.
    ok = client.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw, REMOTE_ADDR="203.0.113.9")
    assert ok.status_code == 200
