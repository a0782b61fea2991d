"""The process's one ``TokenService``, built from the KEYSMITH settings and rebuilt on change."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from keysmith.core.audit import AuditSink, NullAuditSink
from keysmith.core.buffer import BufferedAuditSink
from keysmith.core.policy import TokenPolicy
from keysmith.core.service import TokenService
from keysmith.django.admission import admit
from keysmith.django.audit import HookAuditSink, ModelAuditSink
from keysmith.django.buffering import DjangoBufferedAuditSink
from keysmith.django.settings import KeysmithSettings, get_settings
from keysmith.django.store import DjangoTokenStore
from keysmith.models.utils import get_audit_log_model, get_token_model


def build_sink(settings: KeysmithSettings) -> AuditSink:
    if not settings.ENABLE_AUDIT_LOGGING:
        return NullAuditSink()
    if settings.AUDIT_LOG_HOOK is not None:
        return HookAuditSink(settings.AUDIT_LOG_HOOK)
    rows = ModelAuditSink(get_audit_log_model(), settings.AUDIT_WRITE_TIMEOUT)
    interval = settings.AUDIT_BUFFER_SECONDS
    # Per-request authentication rows in bulk, off the request path; lifecycle rows at once.
    return DjangoBufferedAuditSink(rows, rows.write_many, interval=interval) if interval else rows


def build_service(settings: KeysmithSettings) -> TokenService[Any]:
    token_model = get_token_model()
    policy = TokenPolicy(
        format=settings.token_format,
        hashing=settings.hashing,
        scopes=settings.scope_policy,
        default_lifetime=settings.default_lifetime,
        usage_resolution=settings.usage_resolution,
        rotation_grace=settings.rotation_grace,
        max_name_length=getattr(token_model._meta.get_field("name"), "max_length", None) or 128,
        admit=admit,
        failure_budget=settings.FAILURE_BUDGET,
    )
    return TokenService(
        DjangoTokenStore(token_model),
        policy=policy,
        sink=build_sink(settings),
        cache_size=settings.VERIFIED_CACHE_SIZE,
    )


class _Built:
    """The service and the settings object it was built from, swapped as one value."""

    lock = threading.Lock()
    current: tuple[KeysmithSettings, TokenService[Any]] | None = None
    # Called with each new service (``keysmith.django.testing`` follows a settings change).
    observers: list[Callable[[TokenService[Any]], None]] = []


def get_service() -> TokenService[Any]:
    """The service for the current settings; a settings change (``setting_changed``) gives a
    new settings object, and with it a new service (and an empty verified-secret cache)."""
    settings = get_settings()
    built = _Built.current
    if built is None or built[0] is not settings:
        with _Built.lock:
            built = _Built.current
            if built is None or built[0] is not settings:
                if built is not None:
                    close_sink(built[1])
                built = (settings, build_service(settings))
                for observe in _Built.observers:
                    observe(built[1])
                _Built.current = built
    return built[1]


def close_sink(service: TokenService[Any]) -> None:
    """Write out a replaced service's buffered audit rows and stop its writer thread."""
    close = getattr(service.sink, "close", None)
    if close is not None:
        close()


@contextmanager
def observing(observe: Callable[[TokenService[Any]], None]) -> Iterator[None]:
    """Call ``observe`` with every service built while the block runs (after a settings
    change), before anything uses it."""
    _Built.observers.append(observe)
    try:
        yield
    finally:
        _Built.observers.remove(observe)


def flush_audit_log() -> None:
    """Write buffered authentication rows now (for tests, management commands, shutdown)."""
    sink = get_service().sink
    if isinstance(sink, BufferedAuditSink):
        sink.flush()
