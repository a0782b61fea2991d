"""One token creation at a time per owner, so a per-owner limit holds under concurrent
requests: ``OwnerHolds`` within a process; stores shared by processes add their own lock."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from typing import Any

Release = Callable[[], object]
"""Ends a hold; may return an awaitable (an asynchronous store's connection to close)."""


class OwnerHolds:
    """The owners whose creation is under way in this process. ``try_hold`` never waits: a
    second creation for the same owner is refused at once rather than queued, so a burst of
    requests cannot pile up waiting threads or pooled connections."""

    def __init__(self) -> None:
        self._held: set[str] = set()
        self._lock = threading.Lock()

    def try_hold(self, owner: str) -> Release | None:
        """A release function, or None when ``owner``'s creation is already under way."""
        with self._lock:
            if owner in self._held:
                return None
            self._held.add(owner)
        return lambda: self._release(owner)

    def _release(self, owner: str) -> None:
        with self._lock:
            self._held.discard(owner)


def then(result: Any, step: Callable[[Any], Any]) -> Any:
    """``step(result)``, after awaiting ``result`` when it is awaitable (so one backend method
    serves a synchronous and an asynchronous listing)."""
    if inspect.isawaitable(result):

        async def chained() -> Any:
            return step(await result)

        return chained()
    return step(result)


def release_all(releases: list[Release]) -> Any:
    """Call each release (newest first); an awaitable when any of them returned one."""
    pending = [outcome for outcome in (release() for release in reversed(releases))]
    releases.clear()
    waits = [outcome for outcome in pending if inspect.isawaitable(outcome)]
    if not waits:
        return None

    async def wait_all() -> None:
        for waiting in waits:
            await waiting

    return wait_all()
