"""Hashers: the Django-compatible PBKDF2 encoding, the peppered HMAC hasher, dispatch."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from keysmith.core import BaseTokenHasher, ConfigurationError, Hashing
from keysmith.core.hashers import HMACSHA256TokenHasher, PBKDF2SHA512TokenHasher
from keysmith.hashers import PBKDF2SHA512TokenHasher as DocumentedPBKDF2


def independent_pbkdf2(secret: str, salt: str, iterations: int) -> str:
    digest = hashlib.pbkdf2_hmac("sha512", secret.encode(), salt.encode(), iterations, dklen=64)
    return f"pbkdf2_sha512${iterations}${salt}${base64.b64encode(digest).decode()}"


def test_documented_import_path_is_the_core_hasher() -> None:
    assert DocumentedPBKDF2 is PBKDF2SHA512TokenHasher


def test_pbkdf2_hash_matches_independent_computation() -> None:
    hasher = PBKDF2SHA512TokenHasher(iterations=1000)
    stored = hasher.hash("secret-value")
    algorithm, iterations, salt, _digest = stored.split("$")
    assert (algorithm, iterations, len(salt)) == ("pbkdf2_sha512", "1000", 22)
    assert stored == independent_pbkdf2("secret-value", salt, 1000)


def test_pbkdf2_verify_vector_written_by_django_keysmith_encoding() -> None:
    stored = independent_pbkdf2(
        "0123456789abcdefABCDEF0123456789", "q5Yb0nGqzF3Lr8mXk1Tz2a", 100_000
    )
    hasher = PBKDF2SHA512TokenHasher()
    assert hasher.verify("0123456789abcdefABCDEF0123456789", stored)
    assert not hasher.verify("0123456789abcdefABCDEF012345678X", stored)
    assert not hasher.needs_rehash(stored)


def test_pbkdf2_verify_other_iteration_count_verifies_and_needs_rehash() -> None:
    stored = independent_pbkdf2("s" * 32, "salt", 1200)
    hasher = PBKDF2SHA512TokenHasher(iterations=100_000)
    assert hasher.verify("s" * 32, stored)
    assert hasher.needs_rehash(stored)


def test_pbkdf2_matches_django_password_hasher_when_django_installed() -> None:
    hashers = pytest.importorskip("django.contrib.auth.hashers", reason="Django not installed")

    class DjangoSHA512(hashers.PBKDF2PasswordHasher):  # type: ignore[misc,name-defined]
        algorithm = "pbkdf2_sha512"
        digest = hashlib.sha512

    ours = PBKDF2SHA512TokenHasher(iterations=2000).hash("x" * 32)
    _, _, salt, _ = ours.split("$")
    assert DjangoSHA512().encode("x" * 32, salt, 2000) == ours


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "pbkdf2_sha512",
        "pbkdf2_sha512$abc$salt$digest",
        "pbkdf2_sha512$\u0661\u0662$s$d",
        "pbkdf2_sha256$1000$salt$digest",
        "pbkdf2_sha512$1$2$3$4",
    ],
)
def test_pbkdf2_verify_malformed_stored_hash_is_false(stored: str) -> None:
    assert PBKDF2SHA512TokenHasher().verify("secret", stored) is False


@pytest.mark.parametrize("iterations", [0, -1, "100", True, 1.5])
def test_pbkdf2_bad_iterations_raise_configuration_error(iterations: object) -> None:
    with pytest.raises(ConfigurationError, match="iterations"):
        PBKDF2SHA512TokenHasher(iterations=iterations)  # type: ignore[arg-type]


def test_hmac_hash_matches_independent_computation() -> None:
    hasher = HMACSHA256TokenHasher({"k1": "pepper-one-0123456789"})
    stored = hasher.hash("abc")
    digest = hmac.new(b"pepper-one-0123456789", b"abc", hashlib.sha256).digest()
    assert stored == "hmac_sha256$k1$" + base64.b64encode(digest).decode()
    assert hasher.verify("abc", stored)
    assert not hasher.verify("abd", stored)


def test_hmac_pepper_rotation_old_id_verifies_and_needs_rehash() -> None:
    old = HMACSHA256TokenHasher({"k1": "pepper-one-0123456789"})
    stored = old.hash("abc")
    new = HMACSHA256TokenHasher(
        {"k1": "pepper-one-0123456789", "k2": "pepper-two-0123456789"}, current="k2"
    )
    assert new.verify("abc", stored)
    assert new.needs_rehash(stored)
    assert not new.needs_rehash(new.hash("abc"))
    assert new.hash("abc").startswith("hmac_sha256$k2$")


def test_hmac_removed_pepper_no_longer_verifies() -> None:
    stored = HMACSHA256TokenHasher({"k1": "pepper-one-0123456789"}).hash("abc")
    assert not HMACSHA256TokenHasher({"k2": "pepper-two-0123456789"}).verify("abc", stored)


@pytest.mark.parametrize(
    ("peppers", "current", "message"),
    [
        ({}, None, "at least one pepper"),
        ({"k1": "short"}, None, "at least 16 bytes"),
        ({"k-1": "pepper-one-0123456789"}, None, "ASCII letters or digits"),
        ({"k1": "pepper-one-0123456789"}, "k9", "not among the peppers"),
    ],
)
def test_hmac_bad_configuration_raises(
    peppers: dict[str, str], current: str | None, message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        HMACSHA256TokenHasher(peppers, current=current)


def test_hashing_verifies_every_known_algorithm_and_flags_rehash() -> None:
    fast = HMACSHA256TokenHasher({"k1": "pepper-one-0123456789"})
    hashing = Hashing(fast)
    legacy = PBKDF2SHA512TokenHasher(iterations=1000).hash("abc")
    assert hashing.verify("abc", legacy)
    assert hashing.needs_rehash(legacy)
    assert hashing.verify("abc", hashing.hash("abc"))
    assert not hashing.needs_rehash(hashing.hash("abc"))
    assert not hashing.verify("abc", "md5$whatever")


def test_custom_base_hasher_subclass_works_in_hashing() -> None:
    class Reversed(BaseTokenHasher):
        algorithm = "reversed"

        def hash(self, secret: str) -> str:
            return "reversed$" + secret[::-1]

        def verify(self, secret: str, hashed: str) -> bool:
            return hmac.compare_digest(self.hash(secret), hashed)

    hashing = Hashing(Reversed())
    assert hashing.verify("abc", hashing.hash("abc"))
    assert hashing.needs_rehash(independent_pbkdf2("abc", "s", 10))


def test_hashing_hasher_without_algorithm_raises() -> None:
    class Nameless(BaseTokenHasher):
        def hash(self, secret: str) -> str:
            return secret

        def verify(self, secret: str, hashed: str) -> bool:
            return False

    with pytest.raises(ConfigurationError, match="algorithm"):
        Hashing(Nameless())
