"""The HTTP calls the FastAPI and Flask demos share: a route called with a keysmith token, and
a signed-in user managing her own tokens at ``/tokens`` (both apps answer the same JSON)."""

from __future__ import annotations

import sys
from typing import Any

import httpx

# The user both demo apps sign in with HTTP Basic.
ALICE = ("alice", "alice-demo-password")


def call(
    http: httpx.Client, method: str, path: str, token: str | None, *, label: str, expected: int
) -> None:
    """Call a route with ``token`` in X-Keysmith-Token; stop the demo on another status."""
    headers = {"X-Keysmith-Token": token} if token is not None else {}
    response = http.request(method, path, headers=headers)
    print(f"  {method:4} {path:10} {label:18} -> {response.status_code} {response.text.strip()}")
    if response.status_code != expected:
        sys.exit(f"expected {expected} for {method} {path} with {label}")


def api_keys(
    http: httpx.Client, method: str, path: str, label: str, expected: int, **options: Any
) -> Any:
    """Call a token endpoint as alice and print a short form of the answer."""
    response = http.request(method, path, auth=ALICE, **options)
    body = response.json()
    shown = (
        body
        if "results" not in body
        else [f"{t['prefix']} {t['name']} ({t['state']})" for t in body["results"]]
    )
    print(f"  {method:4} {path[:26]:26} {label:18} -> {response.status_code} {shown}")
    if response.status_code != expected:
        sys.exit(f"expected {expected} for {method} {path} ({label})")
    return body


def self_service(http: httpx.Client) -> None:
    """alice, signed in with the app's own authentication, creates a token at /tokens, uses it on
    /me, is refused a scope she does not hold, lists, rotates and revokes it."""
    created = api_keys(
        http, "POST", "/tokens", "(create)", 201, json={"name": "laptop", "scopes": ["read"]}
    )
    raw, token_id = created["raw_token"], created["id"]
    call(http, "GET", "/me", raw, label="(new token)", expected=200)
    refused = {"name": "x", "scopes": ["admin"]}
    api_keys(http, "POST", "/tokens", "(scope not held)", 403, json=refused)
    api_keys(http, "GET", "/tokens?state=active", "(list)", 200)
    rotated = api_keys(http, "POST", f"/tokens/{token_id}/rotate", "(rotate)", 200)
    call(http, "GET", "/me", raw, label="(old secret)", expected=401)
    call(http, "GET", "/me", rotated["raw_token"], label="(rotated token)", expected=200)
    api_keys(http, "POST", f"/tokens/{token_id}/revoke", "(revoke)", 200)
    call(http, "GET", "/me", rotated["raw_token"], label="(revoked token)", expected=401)
    unsigned = http.get("/tokens")
    print(
        f"  GET  {'/tokens':26} {'(not signed in)':18} -> {unsigned.status_code} {unsigned.json()}"
    )
