"""django-keysmith 0.1.2's token helpers, kept for compatibility: same names, signatures and
results, over ``keysmith.core``. New code uses ``keysmith.core.format.TokenFormat``."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from keysmith.core.checksum import CHECKSUM_LENGTH, checksum
from keysmith.core.format import ALPHABET

__all__ = [
    "PublicToken",
    "build_public_token",
    "compute_crc",
    "extract_prefix_and_secret",
    "generate_raw_secret",
]


@dataclass(frozen=True)
class PublicToken:
    """A built public token and its non-secret parts."""

    token: str
    full_prefix: str
    crc: str


def generate_raw_secret(length: int = 32) -> str:
    """``length`` random letters and digits, drawn from ``secrets``."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def compute_crc(value: str, crc_digits: int = CHECKSUM_LENGTH) -> str:
    """The CRC-32 of ``value`` modulo 10**crc_digits, zero padded: the token checksum."""
    return checksum(value, crc_digits)


def build_public_token(*, namespace: str, identifier: str, secret: str) -> PublicToken:
    """``namespace_identifier:secret`` followed by its checksum."""
    full_prefix = f"{namespace}_{identifier}"
    body = f"{full_prefix}:{secret}"
    crc = checksum(body)
    return PublicToken(token=body + crc, full_prefix=full_prefix, crc=crc)


def extract_prefix_and_secret(public_token: str) -> tuple[str, str]:
    """``(prefix, secret)`` of a public token, or ``ValueError`` naming the first broken rule, in
    django-keysmith's order and words (the checksum compared in constant time).

    As lenient as it was: authentication parses with the stricter ``TokenFormat.parse``.
    """
    if not public_token:
        raise ValueError("Token is empty")
    if len(public_token) <= CHECKSUM_LENGTH + 3:  # the shape <p>_<id>:<s><crc> needs more
        raise ValueError("Token too short")
    body, provided = public_token[:-CHECKSUM_LENGTH], public_token[-CHECKSUM_LENGTH:]
    if not hmac.compare_digest(provided, checksum(body)):  # TypeError for non-ASCII, as it was
        raise ValueError("Invalid token checksum")
    if ":" not in body:
        raise ValueError("Invalid token format")
    prefix, secret = body.split(":", 1)
    if "_" not in prefix:
        raise ValueError("Invalid token prefix format")
    if not secret:
        raise ValueError("Missing token secret")
    return prefix, secret
