"""The audit context built from a connection scope."""

from __future__ import annotations

from typing import Any

from keysmith.asgi.context import client_ip, request_context


def scope(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"type": "http", "method": "GET", "path": "/items", "headers": []}
    return {**base, **fields}


FORWARDED = [(b"x-forwarded-for", b"203.0.113.7, 10.0.0.1")]


def test_client_ip_without_trust_ignores_forwarded_header() -> None:
    conn = scope(client=("10.0.0.1", 5000), headers=FORWARDED)
    assert client_ip(conn, trust_proxies=False) == "10.0.0.1"


def test_client_ip_with_trust_takes_first_forwarded_entry() -> None:
    conn = scope(client=("10.0.0.1", 5000), headers=FORWARDED)
    assert client_ip(conn, trust_proxies=True) == "203.0.113.7"


def test_client_ip_with_trust_and_no_header_uses_peer() -> None:
    assert client_ip(scope(client=("10.0.0.1", 5000)), trust_proxies=True) == "10.0.0.1"


def test_client_ip_without_peer_is_none() -> None:
    assert client_ip(scope(), trust_proxies=False) is None


def test_request_context_path_excludes_query_string() -> None:
    context = request_context(scope(query_string=b"keysmith_token=secret"), trust_proxies=False)
    assert context.path == "/items"
    assert "secret" not in repr(context)


def test_request_context_long_user_agent_is_cut() -> None:
    conn = scope(headers=[(b"user-agent", b"a" * 10_000)])
    assert len(request_context(conn, trust_proxies=False).user_agent or "") == 512


def test_request_context_websocket_method_is_named() -> None:
    conn = {"type": "websocket", "path": "/ws", "headers": []}
    assert request_context(conn, trust_proxies=False).method == "WEBSOCKET"
