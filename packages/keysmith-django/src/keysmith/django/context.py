"""What keysmith reads from a Django request: the raw token, the client IP, the audit context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.views.decorators.debug import sensitive_variables

from keysmith.core.audit import RequestContext
from keysmith.core.extract import HeaderValues, wire_bytes
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


def header_values(request: Any, settings: KeysmithSettings) -> HeaderValues:
    """The values of a header of ``request``, by lower-case name, as the extraction rules take
    them (``keysmith.core.extract``). Django keeps one value per header in ``request.META``
    (a WSGI server joins repeated lines with commas, which the rules split again)."""
    meta, keys = request.META, settings.header_meta_keys

    def values(name: bytes) -> list[bytes]:
        value = meta.get(keys.get(name))
        # A blank header is no header, as django-keysmith read it.
        return [wire_bytes(value)] if isinstance(value, str) and value.strip() else []

    return values


@sensitive_variables()
def read_raw_token(request: Any, settings: KeysmithSettings | None = None) -> str | None:
    """The token the request carries: the header (``HEADER_NAME``, or ``Authorization: Bearer``
    when it holds a keysmith token and ``ALLOW_BEARER`` is on), else (when allowed) the query
    parameter; ``InvalidToken`` for unusable or ambiguous headers (``keysmith.core.extract``).

    A query-string token is removed from the request as it is read (``request.GET``,
    ``QUERY_STRING`` and the raw URI), so error reports and later logging never see it.
    """
    settings = settings or get_settings()
    from_query: str | None = None
    if settings.ALLOW_QUERY_PARAM:
        name = settings.QUERY_PARAM_NAME
        from_query = http_request(request).GET.get(name)
        redact_query_token(http_request(request), name)
    raw = settings.token_source.read(header_values(request, settings))
    if raw is None and isinstance(from_query, str):
        # The header wins over the query string, as in django-keysmith.
        raw = from_query.strip() or None
    return raw
