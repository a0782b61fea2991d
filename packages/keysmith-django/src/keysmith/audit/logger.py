"""``log_audit_event``: write one audit record, never raising into the caller."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from keysmith.core.events import event
from keysmith.core.service_base import log_sink_failure
from keysmith.django.buffering import immediate
from keysmith.django.context import request_context
from keysmith.django.runtime import get_service

__all__ = ["log_audit_event"]

logger = logging.getLogger("keysmith.audit")


def log_audit_event(
    *,
    action: str,
    request: Any = None,
    token: Any = None,
    status_code: int = 0,
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Record ``action`` with the request's path, method, client IP and user agent.

    The row exists when the call returns, whatever the action and ``AUDIT_BUFFER_SECONDS`` (only
    the rows the middleware and the DRF class write per request are buffered). A no-op when
    ``ENABLE_AUDIT_LOGGING`` is false; goes to ``AUDIT_LOG_HOOK`` when set. A failure to write
    is logged and swallowed: auditing never breaks authentication.
    """
    try:
        service = get_service()
        context = request_context(request)
        now = service.clock.now()
        built = event(action, now, token, context=context, status_code=status_code, extra=extra)
    except Exception:
        logger.exception("keysmith: failed to record audit event %r", action)
        return
    try:
        immediate(service.sink).emit(built)
    except Exception:
        log_sink_failure(built)  # as the service logs a failed write, with the token's prefix
