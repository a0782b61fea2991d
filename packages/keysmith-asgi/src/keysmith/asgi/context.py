"""What the audit trail records of a connection: path, method, client address, user agent."""

from __future__ import annotations

from keysmith.asgi.types import Scope, header_values
from keysmith.core import RequestContext

# Audit columns are bounded; a client controls these values, so they are cut, not trusted.
_MAX_USER_AGENT = 512
_MAX_IP = 45  # the longest textual IPv6 address


def _text(value: bytes, limit: int) -> str:
    return value[:limit].decode("latin-1")


def client_ip(scope: Scope, *, trust_proxies: bool) -> str | None:
    """The peer address, or the first ``X-Forwarded-For`` entry when proxies are trusted.

    Without ``trust_proxies`` the header is ignored: any client can write it.
    """
    if trust_proxies:
        forwarded = header_values(scope, b"x-forwarded-for")
        if forwarded:
            first = forwarded[0].split(b",", 1)[0].strip()
            if first:
                return _text(first, _MAX_IP)
    client = scope.get("client")
    return str(client[0]) if client else None


def request_context(scope: Scope, *, trust_proxies: bool) -> RequestContext:
    """The audit context. ``path`` never includes the query string, which may hold a token."""
    agents = header_values(scope, b"user-agent")
    method = scope.get("method") or ("WEBSOCKET" if scope.get("type") == "websocket" else "")
    return RequestContext(
        path=scope.get("path", ""),
        method=method,
        ip_address=client_ip(scope, trust_proxies=trust_proxies),
        user_agent=_text(agents[0], _MAX_USER_AGENT) if agents else None,
    )
