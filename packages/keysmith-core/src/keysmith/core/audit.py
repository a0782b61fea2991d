"""Audit events, the sink port they are written to, and the sinks the core ships."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, Protocol

from keysmith.core.untrusted import MAX_METHOD, MAX_PATH, MAX_USER_AGENT, bounded, escape, valid_ip


class Action:
    """The audit actions, as stored in the ``action`` column."""

    AUTH_SUCCESS = "auth_success"
    AUTH_FAILED = "auth_failed"
    CREATED = "created"
    REVOKED = "revoked"
    ROTATED = "rotated"


@dataclass(frozen=True, slots=True)
class RequestContext:
    """What an adapter knows of the request an event happened in.

    Clients choose these values, so they are bounded here, once for every adapter: the path to
    ``MAX_PATH`` characters, the method to ``MAX_METHOD``, the user agent to
    ``MAX_USER_AGENT``; ``ip_address`` is kept only when it parses as an IP address.
    """

    path: str = ""
    method: str = ""
    ip_address: str | None = None
    user_agent: str | None = None

    def __post_init__(self) -> None:
        # Cheap when nothing needs cutting (four length checks); a subclass inherits it.
        if len(self.path) > MAX_PATH:
            object.__setattr__(self, "path", self.path[:MAX_PATH])
        if len(self.method) > MAX_METHOD:
            object.__setattr__(self, "method", self.method[:MAX_METHOD])
        if self.user_agent is not None and len(self.user_agent) > MAX_USER_AGENT:
            object.__setattr__(self, "user_agent", bounded(self.user_agent, MAX_USER_AGENT))
        if self.ip_address is not None:
            object.__setattr__(self, "ip_address", valid_ip(self.ip_address))


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
        # Escaped: a client's control characters must not split or forge log lines.
        self.logger.log(
            self.level,
            "keysmith %s token=%s status=%s method=%s path=%s ip=%s extra=%s",
            event.action,
            escape(event.token_prefix or "-"),
            event.status_code,
            escape(context.method or "-"),
            escape(context.path or "-"),
            escape(context.ip_address or "-"),
            escape(dict(event.extra)),
        )


class MemoryAuditSink:
    """Keeps events in a list: for tests, demos and inspection."""

    def __init__(self) -> None:
        self.events: list[AuditEvent] = []

    def emit(self, event: AuditEvent) -> None:
        self.events.append(event)

    def actions(self) -> list[str]:
        return [event.action for event in self.events]
