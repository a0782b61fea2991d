"""Capturing the audit events a test caused, at once and in order, with no buffer between."""

from __future__ import annotations

from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from typing import Any

from keysmith.core.audit import AuditEvent, AuditSink, sink_enabled
from keysmith.core.buffer import BufferSettings
from keysmith.testing.tokens import service_of

__all__ = ["AuditCapture", "AuditEvents", "CapturingSink", "capture_audit"]


class AuditEvents(list[AuditEvent]):
    """The captured events, oldest first; a plain list with two shortcuts."""

    def actions(self) -> list[str]:
        return [event.action for event in self]

    def of(self, action: str) -> list[AuditEvent]:
        return [event for event in self if event.action == action]


def unbuffered(sink: AuditSink) -> AuditSink:
    """The sink that writes an event before ``emit`` returns: a buffered sink's ``direct``."""
    return sink.direct if isinstance(sink, BufferSettings) else sink


class CapturingSink:
    """Appends each event to ``events``, then writes it at once where ``original`` writes (a
    buffered sink's rows directly, not queued), so the application's own rows or log lines
    exist as soon as the request returns."""

    enabled = True  # per-request events are built even where auditing is switched off

    def __init__(self, events: list[AuditEvent], original: AuditSink) -> None:
        self.events = events
        self.original = original
        self.forward = unbuffered(original)

    def emit(self, event: AuditEvent) -> Awaitable[None] | None:
        self.events.append(event)
        return self.forward.emit(event) if sink_enabled(self.forward) else None

    def close(self) -> None:
        """Close the original sink (a service replaced while captured is closed through here)."""
        close = getattr(self.original, "close", None)
        if close is not None:
            close()

    async def aclose(self) -> None:
        """As ``close``, for an asyncio sink (an ASGI app shut down inside the block)."""
        aclose = getattr(self.original, "aclose", None)
        if aclose is not None:
            await aclose()


class AuditCapture:
    """Swaps the sink of each service it is given for a ``CapturingSink`` until ``restore``."""

    def __init__(self) -> None:
        self.events = AuditEvents()
        self._swapped: list[tuple[Any, AuditSink]] = []

    def attach(self, service: Any) -> None:
        """Capture ``service``'s events (a core service, or what holds one: an ASGI
        ``TokenAuthenticator``, a Flask app's keysmith state)."""
        service = service_of(service)
        if not hasattr(service, "sink"):
            raise TypeError(
                "capture_audit() needs token services (with a `sink`); got "
                f"{type(service).__name__}."
            )
        original: AuditSink = service.sink
        if isinstance(original, CapturingSink) and original.events is self.events:
            return
        self._swapped.append((service, original))
        service.sink = CapturingSink(self.events, original)

    def restore(self) -> None:
        while self._swapped:
            service, original = self._swapped.pop()
            service.sink = original


@contextmanager
def capture_audit(*services: Any) -> Iterator[AuditEvents]:
    """Record every audit event the ``services`` emit during the block into the list yielded.

    Events are also written on, at once, where the service wrote them (a buffered sink's rows
    are written directly, not queued), so rows are visible as soon as the request returns.
    """
    capture = AuditCapture()
    try:
        for service in services:
            capture.attach(service)
        yield capture.events
    finally:
        capture.restore()
