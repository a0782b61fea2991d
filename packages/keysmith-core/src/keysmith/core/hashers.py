"""Hashers that turn a token secret into the text stored in the database."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from keysmith.core.errors import ConfigurationError
from keysmith.core.format import ALPHABET

DEFAULT_ITERATIONS = 100_000


@runtime_checkable
class TokenHasher(Protocol):
    """What keysmith needs of a hasher; ``algorithm`` is the first ``$`` field it writes.

    A hasher may also say ``slow = False`` (verification costs about a microsecond): keysmith
    then verifies its hashes inline, without the verified-secret cache or the failure budget.
    Without the attribute a hasher counts as slow.
    """

    algorithm: str

    def hash(self, secret: str) -> str: ...

    def verify(self, secret: str, hashed: str) -> bool: ...

    def needs_rehash(self, hashed: str) -> bool: ...


class BaseTokenHasher(ABC):
    """Documented base for custom hashers: implement ``hash`` and ``verify``.

    ``verify`` must compare in constant time with respect to the secret.
    """

    algorithm: str = ""
    # Whether a verification costs enough to be worth remembering (key stretching does).
    slow: bool = True

    @abstractmethod
    def hash(self, secret: str) -> str: ...

    @abstractmethod
    def verify(self, secret: str, hashed: str) -> bool: ...

    def needs_rehash(self, hashed: str) -> bool:
        return algorithm_of(hashed) != self.algorithm


def algorithm_of(hashed: str) -> str:
    """Return the algorithm name an encoded hash starts with."""
    return hashed.partition("$")[0]


class PBKDF2SHA512TokenHasher(BaseTokenHasher):
    """PBKDF2-HMAC-SHA512 in Django's encoding: ``pbkdf2_sha512$<iterations>$<salt>$<b64>``.

    Verification reads the iteration count from the stored text, so hashes written with another
    count keep verifying; ``needs_rehash`` reports them.
    """

    algorithm = "pbkdf2_sha512"
    salt_length = 22  # as Django: 22 characters of a 62-letter alphabet, about 131 bits

    def __init__(self, iterations: int = DEFAULT_ITERATIONS) -> None:
        if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 1:
            raise ConfigurationError(
                f"Hash iterations must be a positive integer, got {iterations!r}."
            )
        self.iterations = iterations

    def hash(self, secret: str) -> str:
        salt = "".join(secrets.choice(ALPHABET) for _ in range(self.salt_length))
        return self._encode(secret, salt, self.iterations)

    def verify(self, secret: str, hashed: str) -> bool:
        parts = hashed.split("$")
        if len(parts) != 4 or parts[0] != self.algorithm or not parts[1].isascii():
            return False
        if not parts[1].isdigit():
            return False
        expected = self._encode(secret, parts[2], int(parts[1]))
        return hmac.compare_digest(expected.encode(), hashed.encode())

    def needs_rehash(self, hashed: str) -> bool:
        parts = hashed.split("$")
        return parts[0] != self.algorithm or len(parts) != 4 or parts[1] != str(self.iterations)

    def _encode(self, secret: str, salt: str, iterations: int) -> str:
        digest = hashlib.pbkdf2_hmac("sha512", secret.encode(), salt.encode(), iterations)
        return f"{self.algorithm}${iterations}${salt}${base64.b64encode(digest).decode()}"


class SHA256TokenHasher(BaseTokenHasher):
    """Unkeyed SHA-256 of the secret: ``sha256$<b64>``, the default for new tokens.

    Token secrets carry about 190 bits of entropy, so guessing one from its hash is out of reach
    without key stretching (NIST SP 800-63B asks for stretching only for low-entropy secrets),
    as GitHub's tokens and djangorestframework-api-key rely on. A verification costs about a
    microsecond, so a forged secret costs an attacker as much as a valid request costs us.
    """

    algorithm = "sha256"
    slow = False

    def hash(self, secret: str) -> str:
        digest = hashlib.sha256(secret.encode()).digest()
        return f"{self.algorithm}${base64.b64encode(digest).decode()}"

    def verify(self, secret: str, hashed: str) -> bool:
        return hmac.compare_digest(self.hash(secret).encode(), hashed.encode())

    def needs_rehash(self, hashed: str) -> bool:
        return algorithm_of(hashed) != self.algorithm


class HMACSHA256TokenHasher(BaseTokenHasher):
    """Keyed HMAC-SHA256 with a server-side pepper: ``hmac_sha256$<pepper id>$<b64>``.

    Token secrets are long and random, so a salt and key stretching add nothing; the pepper
    means a stolen database alone cannot be checked against guesses. ``peppers`` maps ids to
    keys; new hashes use ``current``; older ids keep verifying until removed.
    """

    algorithm = "hmac_sha256"
    slow = False

    def __init__(self, peppers: Mapping[str, str | bytes], current: str | None = None) -> None:
        if not peppers:
            raise ConfigurationError("The HMAC hasher needs at least one pepper.")
        keys: dict[str, bytes] = {}
        for pepper_id, key in peppers.items():
            if not isinstance(pepper_id, str) or not pepper_id.isalnum() or not pepper_id.isascii():
                raise ConfigurationError(
                    f"Pepper ids must be ASCII letters or digits, got {pepper_id!r}."
                )
            raw = key.encode() if isinstance(key, str) else key
            if not isinstance(raw, bytes) or len(raw) < 16:
                raise ConfigurationError(f"Pepper {pepper_id!r} must be at least 16 bytes long.")
            keys[pepper_id] = raw
        self.current = current if current is not None else next(iter(keys))
        if self.current not in keys:
            raise ConfigurationError(f"Current pepper {self.current!r} is not among the peppers.")
        self._keys = keys

    def hash(self, secret: str) -> str:
        return self._encode(secret, self.current)

    def verify(self, secret: str, hashed: str) -> bool:
        algorithm, _, rest = hashed.partition("$")
        pepper_id, _, _digest = rest.partition("$")
        if algorithm != self.algorithm or pepper_id not in self._keys:
            return False
        return hmac.compare_digest(self._encode(secret, pepper_id).encode(), hashed.encode())

    def needs_rehash(self, hashed: str) -> bool:
        return not hashed.startswith(f"{self.algorithm}${self.current}$")

    def _encode(self, secret: str, pepper_id: str) -> str:
        digest = hmac.new(self._keys[pepper_id], secret.encode(), hashlib.sha256).digest()
        return f"{self.algorithm}${pepper_id}${base64.b64encode(digest).decode()}"
