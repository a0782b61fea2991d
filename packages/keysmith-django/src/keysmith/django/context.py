"""What keysmith reads from a Django request: the raw token, the client IP, the audit context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.views.decorators.debug import sensitive_variables

from keysmith.core.audit import RequestContext
from keysmith.core.untrusted import valid_ip
from keysmith.django.redaction import redact_query_token
from keysmith.django.settings import KeysmithSettings, get_settings

METHOD_MAX_LENGTH = 10  # the audit model's column


@dataclass(frozen=True, slots=True)
class DjangoRequestContext(RequestContext):
    """A ``RequestContext`` that also carries the request, for ``AUDIT_LOG_HOOK``."""

    request: Any = field(default=None, compare=False, repr=False)


def http_request(request: Any) -> Any:
    """The Django ``HttpRequest`` behind a request (DRF wraps it in ``_request``)."""
    return getattr(request, "_request", request)


def client_ip(request: Any, *, trust_proxies: bool) -> str | None:
    """``REMOTE_ADDR``; with ``trust_proxies`` the first ``X-Forwarded-For`` entry if it is an
    IP address (anything else falls back to ``REMOTE_ADDR``)."""
    meta = request.META
    if trust_proxies:
        forwarded = valid_ip(str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",")[0])
        if forwarded is not None:
            return forwarded
    return valid_ip(meta.get("REMOTE_ADDR"))


def request_context(
    request: Any, settings: KeysmithSettings | None = None
) -> DjangoRequestContext | None:
    """The audit context of a request (None without one), bounded by ``RequestContext``.
    ``path`` never holds a query string."""
    if request is None:
        return None
    settings = settings or get_settings()
    return DjangoRequestContext(
        path=str(getattr(request, "path", "") or ""),
        method=str(getattr(request, "method", "") or "")[:METHOD_MAX_LENGTH],
        ip_address=client_ip(request, trust_proxies=settings.TRUST_PROXIES),
        user_agent=request.META.get("HTTP_USER_AGENT"),
        request=request,
    )


@sensitive_variables()
def read_raw_token(request: Any, settings: KeysmithSettings | None = None) -> str | None:
    """The token the request carries: the header, else (when allowed) the query parameter.

    A query-string token is removed from the request as it is read (``request.GET``,
    ``QUERY_STRING`` and the raw URI), so error reports and later logging never see it.
    """
    settings = settings or get_settings()
    from_query: str | None = None
    if settings.ALLOW_QUERY_PARAM:
        name = settings.QUERY_PARAM_NAME
        from_query = http_request(request).GET.get(name)
        redact_query_token(http_request(request), name)
    raw = request.META.get(settings.HEADER_NAME)
    if not (isinstance(raw, str) and raw.strip()):
        raw = from_query
    return (raw.strip() or None) if isinstance(raw, str) else None
