"""What keysmith reads from a Flask request: header values as bytes, the client address, and
the audit context (path, method, client address, user agent)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask import Request

from keysmith.core.audit import RequestContext
from keysmith.core.extract import wire_bytes
from keysmith.core.untrusted import MAX_IP_TEXT, valid_ip


def header_values(request: Request) -> Callable[[bytes], Sequence[bytes]]:
    """Every value of a header of ``request``, by lower-case name, as the extraction rules
    take them (``keysmith.core.extract``)."""
    headers = request.headers

    def values(name: bytes) -> Sequence[bytes]:
        return [wire_bytes(value) for value in headers.getlist(name.decode("ascii"))]

    return values


def client_ip(request: Request, *, trust_proxies: bool) -> str | None:
    """``REMOTE_ADDR``; with ``trust_proxies`` the first ``X-Forwarded-For`` entry if it is an
    IP address (anything else falls back to ``REMOTE_ADDR``).

    Without ``trust_proxies`` the header is ignored: any client can write it.
    """
    if trust_proxies:
        forwarded = request.headers.get("X-Forwarded-For")
        if forwarded:
            first = valid_ip(forwarded[: MAX_IP_TEXT + 1].split(",", 1)[0])
            if first is not None:
                return first
    return valid_ip(request.remote_addr)


def request_context(request: Request, *, trust_proxies: bool) -> RequestContext:
    """The audit context (bounded by ``RequestContext`` itself). ``path`` never includes the
    query string, which may hold a token."""
    return RequestContext(
        path=request.path,
        method=request.method,
        ip_address=client_ip(request, trust_proxies=trust_proxies),
        user_agent=request.headers.get("User-Agent"),
    )
