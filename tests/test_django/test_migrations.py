"""Upgrading in place: a database written by django-keysmith keeps its tokens working."""

from __future__ import annotations

import hashlib
import secrets
import string
import zlib
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from keysmith.auth.base import authenticate_token
from keysmith.auth.exceptions import InvalidToken
from keysmith.models import Token, TokenAuditLog

LEGACY_STATES = [
    "0002_remove_token_hint_and_add_created_action",
    "0005_alter_token_created_by_alter_token_user_and_more",
]
ALPHABET = string.ascii_letters + string.digits


def random_text(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def legacy_raw_token(prefix: str | None = None) -> tuple[str, str, str]:
    """``(prefix, secret, raw)`` built as django-keysmith 0.1 builds them (its CRC rule)."""
    prefix = prefix or f"tok_{random_text(8)}"
    secret = random_text(32)
    body = f"{prefix}:{secret}"
    crc = f"{(zlib.crc32(body.encode('utf-8')) & 0xFFFFFFFF) % 10**6:06d}"
    return prefix, secret, body + crc


def legacy_hash(secret: str) -> str:
    """django-keysmith's hasher: Django's PBKDF2 hasher switched to SHA-512, 100 000 rounds."""
    hasher = PBKDF2PasswordHasher()
    hasher.algorithm = "pbkdf2_sha512"
    hasher.digest = hashlib.sha512
    hasher.iterations = 100_000
    return hasher.encode(secret, hasher.salt())


def migrate_keysmith_to(target: str | None) -> Any:
    """Migrate the keysmith app to ``target`` (None: the latest); the historical apps there."""
    executor = MigrationExecutor(connection)
    nodes = [node for node in executor.loader.graph.leaf_nodes() if node[0] == "keysmith"]
    plan = [("keysmith", target)] if target else nodes
    executor.migrate(plan)
    executor.loader.build_graph()
    return executor.loader.project_state(plan).apps


@pytest.fixture
def at_latest_afterwards() -> Iterator[None]:
    yield
    migrate_keysmith_to(None)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("at_latest_afterwards")
@pytest.mark.parametrize("state", LEGACY_STATES)
def test_legacy_database_upgrades_and_old_token_authenticates(state: str) -> None:
    old_apps = migrate_keysmith_to(state)
    old_token_model = old_apps.get_model("keysmith", "Token")
    old_audit_model = old_apps.get_model("keysmith", "TokenAuditLog")
    old_permission_model = old_apps.get_model("auth", "Permission")
    old_user_model = old_apps.get_model("auth", "User")

    owner = old_user_model.objects.create(username="legacy-owner")
    prefix, secret, raw = legacy_raw_token()
    old = old_token_model.objects.create(
        name="from django-keysmith",
        user=owner,
        key=legacy_hash(secret),
        prefix=prefix,
        token_type="user",
    )
    old.scopes.set(old_permission_model.objects.filter(codename="view_group"))
    old_audit_model.objects.create(token=old, action="created", path="", method="", status_code=201)

    migrate_keysmith_to(None)

    token = authenticate_token(raw)
    assert (token.pk, token.prefix, token.user.username) == (old.pk, prefix, "legacy-owner")
    assert list(token.scopes.values_list("codename", flat=True)) == ["view_group"]
    assert TokenAuditLog.objects.get(token=token).action == "created"
    assert token.previous_key is None
    # The configured hasher differs (fewer rounds here): the hash was upgraded in place ...
    assert Token.objects.get(pk=old.pk).key.startswith("pbkdf2_sha512$10000$")
    # ... and the same raw token still authenticates, a wrong secret still does not.
    assert authenticate_token(raw).pk == old.pk
    with pytest.raises(InvalidToken):
        authenticate_token(legacy_raw_token(prefix)[2])


@pytest.mark.django_db
def test_models_match_migrations_no_changes_detected() -> None:
    out = StringIO()
    call_command("makemigrations", "keysmith", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
