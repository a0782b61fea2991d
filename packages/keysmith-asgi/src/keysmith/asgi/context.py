"""What the audit trail records of a connection: path, method, client address, user agent."""

from __future__ import annotations

from keysmith.asgi.types import Scope, header_values
from keysmith.core import RequestContext
from keysmith.core.untrusted import MAX_IP_TEXT, MAX_USER_AGENT, valid_ip


def _text(value: bytes, limit: int) -> str:
    # Latin-1 gives one character per byte: cutting the bytes first is the same bound, and
    # a 16 KB header costs nothing to decode.
    return value[:limit].decode("latin-1")


def client_ip(scope: Scope, *, trust_proxies: bool) -> str | None:
    """The peer address; with ``trust_proxies`` the first ``X-Forwarded-For`` entry if it is
    an IP address (anything else falls back to the peer address).

    Without ``trust_proxies`` the header is ignored: any client can write it.
    """
    if trust_proxies:
        forwarded = header_values(scope, b"x-forwarded-for")
        if forwarded:
            first = valid_ip(_text(forwarded[0].split(b",", 1)[0], MAX_IP_TEXT + 1))
            if first is not None:
                return first
    client = scope.get("client")
    return valid_ip(str(client[0])) if client else None


def request_context(scope: Scope, *, trust_proxies: bool) -> RequestContext:
    """The audit context (bounded by ``RequestContext`` itself). ``path`` never includes the
    query string, which may hold a token."""
    agents = header_values(scope, b"user-agent")
    method = scope.get("method") or ("WEBSOCKET" if scope.get("type") == "websocket" else "")
    return RequestContext(
        path=scope.get("path", ""),
        method=method,
        ip_address=client_ip(scope, trust_proxies=trust_proxies),
        user_agent=_text(agents[0], MAX_USER_AGENT) if agents else None,
    )
