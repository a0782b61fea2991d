"""The token checksum: CRC-32 of the body, modulo 10^6, as six ASCII digits."""

from __future__ import annotations

import zlib

CHECKSUM_LENGTH = 6


def checksum(body: str, digits: int = CHECKSUM_LENGTH) -> str:
    """Return the six-digit checksum of ``namespace_identifier:secret``.

    This is the rule django-keysmith 0.1.x used; changing it would orphan issued tokens.
    ``digits`` exists for its ``compute_crc(value, crc_digits)``; tokens always use six.
    """
    return f"{(zlib.crc32(body.encode('utf-8')) & 0xFFFFFFFF) % 10**digits:0{digits}d}"
