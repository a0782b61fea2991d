"""A bound on the slow hash verifications that fail, per client and per prefix.

A slow (key-stretching) hash costs tens of milliseconds; a forged secret on a known prefix would
buy an attacker one such run per request. Failed slow verifications are counted per client
address and per prefix over a window. A client that used up its failures is refused without
hashing; once a prefix's failures are used up, only clients with no failure of their own in the
window are still verified, so the holder of the real secret, who never fails, is never locked
out by someone else's attempts.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from keysmith.core.errors import ConfigurationError

# A client may hold a whole IPv6 /64: its addresses count as one client.
_IPV6_CLIENT_BITS = 64
_UNKNOWN_CLIENT = "-"


@dataclass(frozen=True)
class FailureBudget:
    """Failed slow verifications allowed per ``window``: ``per_client`` from one client address
    (IPv6: one /64), ``per_prefix`` on one token before only clients without a failure of their
    own are still verified. ``max_tracked`` bounds the memory per process."""

    per_client: int = 10
    per_prefix: int = 30
    window: timedelta = timedelta(minutes=1)
    max_tracked: int = 10_000

    def __post_init__(self) -> None:
        for name in ("per_client", "per_prefix", "max_tracked"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigurationError(f"FailureBudget.{name} must be a positive integer.")
        if not isinstance(self.window, timedelta) or self.window <= timedelta(0):
            raise ConfigurationError("FailureBudget.window must be a positive timedelta.")


def client_key(address: str | None) -> str:
    """The key failures are counted under: the address, an IPv6 address's /64, or one key for
    requests whose address is unknown."""
    if not address:
        return _UNKNOWN_CLIENT
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/{_IPV6_CLIENT_BITS}", strict=False))
    return str(parsed)


class _Counts:
    """Failures per key in fixed windows, least recently failed keys dropped first."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._counts: OrderedDict[str, tuple[float, int]] = OrderedDict()

    def get(self, key: str, now: float, window: float) -> int:
        found = self._counts.get(key)
        if found is None or now - found[0] >= window:
            return 0
        return found[1]

    def add(self, key: str, now: float, window: float) -> None:
        started, count = self._counts.pop(key, (now, 0))
        if now - started >= window:
            started, count = now, 0
        self._counts[key] = (started, count + 1)
        while len(self._counts) > self.limit:
            self._counts.popitem(last=False)


class FailureTracker:
    """The per-process state of a ``FailureBudget``; thread-safe."""

    def __init__(self, budget: FailureBudget, clock: Callable[[], float] = time.monotonic) -> None:
        self.budget = budget
        self._clock = clock
        self._window = budget.window.total_seconds()
        self._clients = _Counts(budget.max_tracked)
        self._prefixes = _Counts(budget.max_tracked)
        self._lock = threading.Lock()

    def admits(self, prefix: str, client: str | None) -> bool:
        """Whether a slow verification may run for this prefix and client now."""
        key, now, window = client_key(client), self._clock(), self._window
        with self._lock:
            failed = self._clients.get(key, now, window)
            if failed >= self.budget.per_client:
                return False
            crowded = self._prefixes.get(prefix, now, window) >= self.budget.per_prefix
        return not (crowded and failed)

    def record_failure(self, prefix: str, client: str | None) -> None:
        key, now, window = client_key(client), self._clock(), self._window
        with self._lock:
            self._clients.add(key, now, window)
            self._prefixes.add(prefix, now, window)
