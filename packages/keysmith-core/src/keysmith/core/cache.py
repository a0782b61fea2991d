"""A per-process memory of secrets already verified against their current stored hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict


class VerifiedSecretCache:
    """Bounded LRU of ``(prefix, stored hash) -> keyed digest of the verified secret``.

    A slow hash (PBKDF2) runs once per token and process; later requests compare a keyed
    BLAKE2b digest (BLAKE2's MAC mode, a third of HMAC-SHA256's cost) in microseconds. The
    digest key lives only in this process's memory, so the cache holds nothing that could be
    checked against guesses elsewhere. Keying by the stored hash makes rotation and hash
    upgrades invalidate entries by construction.
    """

    def __init__(self, max_entries: int = 10_000) -> None:
        if isinstance(max_entries, bool) or not isinstance(max_entries, int) or max_entries < 1:
            raise ValueError(f"max_entries must be a positive integer, got {max_entries!r}.")
        self.max_entries = max_entries
        self._key = secrets.token_bytes(32)
        self._entries: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def _digest(self, secret: str) -> bytes:
        return hashlib.blake2b(secret.encode(), key=self._key, digest_size=32).digest()

    def check(self, prefix: str, stored_hash: str, secret: str) -> bool | None:
        """True: this secret was verified before; False: another one was; None: unknown."""
        digest = self._digest(secret)
        with self._lock:
            known = self._entries.get((prefix, stored_hash))
            if known is not None:
                self._entries.move_to_end((prefix, stored_hash))
        if known is None:
            return None
        return hmac.compare_digest(known, digest)

    def remember(self, prefix: str, stored_hash: str, secret: str) -> None:
        digest = self._digest(secret)
        with self._lock:
            self._entries[(prefix, stored_hash)] = digest
            self._entries.move_to_end((prefix, stored_hash))
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
