"""Token strings for the cases, built with the public format's own rule (no keysmith import, so
the same code serves the workspace and django-keysmith 0.1.2)."""

from __future__ import annotations

import secrets
import string
import zlib

ALPHABET = string.ascii_letters + string.digits


def random_text(length: int, alphabet: str = ALPHABET) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def checksum(body: str) -> str:
    return f"{(zlib.crc32(body.encode()) & 0xFFFFFFFF) % 10**6:06d}"


def keysmith_token(prefix: str, secret: str) -> str:
    body = f"{prefix}:{secret}"
    return body + checksum(body)


def split(raw: str) -> tuple[str, str]:
    """``(prefix, secret)`` of a well-formed keysmith token."""
    prefix, _, rest = raw.partition(":")
    return prefix, rest[:-6]


def wrong_secret(raw: str) -> str:
    """The same prefix with another secret of the same length, and a valid checksum."""
    prefix, secret = split(raw)
    return keysmith_token(prefix, random_text(len(secret)))


def unknown_prefix(raw: str) -> str:
    """A well-formed token whose prefix no row has."""
    prefix, secret = split(raw)
    namespace = prefix.rpartition("_")[0]
    return keysmith_token(f"{namespace}_{random_text(8)}", random_text(len(secret)))


def broken_checksum(raw: str) -> str:
    """The token with its last checksum digit changed: the typo every scheme is sent."""
    return raw[:-1] + str((int(raw[-1]) + 1) % 10)
