"""One sequence of calls to the token endpoints, and what of the answers may differ between
frameworks: the DRF, FastAPI and Flask endpoints must answer it alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# call(user, method, path, body=None) -> (status, JSON body); path is relative to the endpoints.
Call = Callable[..., tuple[int, Any]]
# What the sequence answers, call by call.
STATUSES = [
    201, 201, 403, 400, 400, 400, 200, 200, 400, 200, 404, 404, 400, 200, 200, 200, 409,
    200, 401,
]  # fmt: skip
MASKED = ("id", "prefix", "raw_token", "created_at", "expires_at", "last_used_at")


def masked(value: Any) -> Any:
    if isinstance(value, list):
        return [masked(item) for item in value]
    if isinstance(value, dict):
        return {k: "…" if k in MASKED and v is not None else masked(v) for k, v in value.items()}
    return value


def sequence(call: Call) -> list[tuple[int, Any]]:
    """Every endpoint, and a refusal of each kind every framework shares."""
    replies = []
    status, created = call("alice", "POST", "", b'{"name": "ci", "scopes": ["view_user"]}')
    replies.append((status, created))
    token = created["id"]
    for user, method, path, body in [
        ("alice", "POST", "", b'{"name": "second", "description": "two\\nlines", "scopes": []}'),
        ("alice", "POST", "", b'{"name": "ci", "scopes": ["delete_user"]}'),
        ("alice", "POST", "", b'{"name": "ci", "expires_at": "2001-01-01T00:00:00Z"}'),
        ("alice", "POST", "", b'{"name": ""}'),
        ("alice", "POST", "", b"{oops"),
        ("alice", "GET", "", None),
        ("alice", "GET", "?state=active&page_size=1", None),
        ("alice", "GET", "?state=lost", None),
        ("alice", "GET", token, None),
        ("bob", "GET", token, None),
        ("bob", "POST", token + "/revoke", None),
        ("alice", "POST", token + "/rotate", b'{"grace_seconds": 999999}'),
        ("alice", "POST", token + "/rotate", b'{"grace_seconds": 60}'),
        ("alice", "POST", token + "/revoke", None),
        ("alice", "POST", token + "/revoke", None),
        ("alice", "POST", token + "/rotate", None),
        ("alice", "GET", "?state=revoked", None),
        ("", "GET", "", None),
    ]:
        replies.append(call(user, method, path, body))
    return replies


def comparable(body: Any) -> Any:
    """The body without what differs by nature: ids, secrets, times, and the links' paths."""
    body = masked(body)
    for link in ("next", "previous"):
        if isinstance(body, dict) and body.get(link):
            body[link] = body[link].rpartition("?")[2]
    return body
