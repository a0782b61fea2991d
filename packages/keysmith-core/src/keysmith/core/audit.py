"""Audit events, the sink port they are written to, and the sinks the core ships."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, Protocol


class Action:
    """The audit actions, as stored in the ``action`` column."""

    AUTH_SUCCESS = "auth_success"
    AUTH_FAILED = "auth_failed"
    CREATED = "created"
    REVOKED = "revoked"
    ROTATED = "rotated"


@dataclass(frozen=True, slots=True)
class RequestContext:
    """What an adapter knows of the request an event happened in."""

    path: str = ""
    method: str = ""
    ip_address: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One audit record. ``token`` is the store's own record (or None); never a secret."""

    action: str
    occurred_at: datetime
    token: Any = None
    token_prefix: str | None = None
    status_code: int = 0
    context: RequestContext | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


class AuditSink(Protocol):
    """Where audit events go. A sink that raises is logged and ignored by the service.

    A sink may also have an ``enabled`` attribute (or property): while it is ``False`` the
    services do not build the per-request events the sink would drop anyway.
    """

    def emit(self, event: AuditEvent) -> Awaitable[None] | None: ...


def sink_enabled(sink: AuditSink) -> bool:
    """Whether ``sink`` records events now; sinks without an ``enabled`` attribute always do."""
    return getattr(sink, "enabled", True) is not False


class NullAuditSink:
    """Drops every event: audit logging switched off."""

    enabled = False

    def emit(self, event: AuditEvent) -> None:
        return None


class LoggingAuditSink:
    """Writes one structured log line per event; the framework-free default."""

    def __init__(self, logger: logging.Logger | None = None, level: int = logging.INFO) -> None:
        self.logger = logger or logging.getLogger("keysmith.audit")
        self.level = level

    @property
    def enabled(self) -> bool:
        """False while the logger drops records of this level (the logging module caches it)."""
        return self.logger.isEnabledFor(self.level)

    def emit(self, event: AuditEvent) -> None:
        context = event.context or RequestContext()
        self.logger.log(
            self.level,
            "keysmith %s token=%s status=%s method=%s path=%s ip=%s extra=%s",
            event.action,
            event.token_prefix or "-",
            event.status_code,
            context.method or "-",
            context.path or "-",
            context.ip_address or "-",
            dict(event.extra),
        )


class MemoryAuditSink:
    """Keeps events in a list: for tests, demos and inspection."""

    def __init__(self) -> None:
        self.events: list[AuditEvent] = []

    def emit(self, event: AuditEvent) -> None:
        self.events.append(event)

    def actions(self) -> list[str]:
        return [event.action for event in self.events]
