"""The demo's "API keys" part: a signed-in user manages their own tokens over HTTP.

The user signs in through Django's login form (a session cookie, as a browser would), then
calls the token endpoints with the session and its CSRF token: create, list, rotate, revoke.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

USERNAME, PASSWORD = "alice", "alice-demo-password"  # a local demo only


def prepare_user() -> Any:
    """A staff-less user holding one permission: the scopes she may grant her tokens."""
    users = get_user_model()._default_manager
    user = users.filter(username=USERNAME).first() or users.create_user(USERNAME)
    user.set_password(PASSWORD)
    user.save()
    user.user_permissions.set([Permission.objects.get(codename="view_user")])
    return user


class Browser:
    """Cookies, a session login and JSON calls with the CSRF header, over urllib."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def cookie(self, name: str) -> str:
        return next((c.value or "" for c in self.cookies if c.name == name), "")

    def sign_in(self, username: str, password: str) -> None:
        login = f"{self.base}/accounts/login/"
        page = self.opener.open(login, timeout=30).read().decode()
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        form = {"username": username, "password": password, "next": "/api/tokens/"}
        form["csrfmiddlewaretoken"] = csrf.group(1) if csrf else ""
        self.opener.open(login, urllib.parse.urlencode(form).encode(), timeout=30)
        if not self.cookie("sessionid"):
            raise SystemExit(f"could not sign in as {username}")

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any, str]:
        headers = {"Content-Type": "application/json", "X-CSRFToken": self.cookie("csrftoken")}
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data, headers, method=method)
        try:
            with self.opener.open(request, timeout=30) as response:
                cache = response.headers.get("Cache-Control", "")
                return response.status, json.loads(response.read()), cache
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read()), ""


def show(label: str, method: str, path: str, status: int, body: Any) -> None:
    print(f"{label:<28} {method:<4} {path:<22} -> {status} {json.dumps(body)}")


def walkthrough(base: str, call_api: Any) -> None:
    """Create, list, rotate and revoke through /api/tokens/; ``call_api(token)`` shows that
    a token works (or no longer does) on a protected view."""
    browser = Browser(base)
    browser.sign_in(USERNAME, PASSWORD)
    print(f"signed in as {USERNAME} (session cookie); she holds auth.view_user")

    status, created, cache = browser.call(
        "POST", "/api/tokens/", {"name": "laptop", "scopes": ["view_user"]}
    )
    show("create", "POST", "/api/tokens/", status, created)
    print(f"{'':<28} Cache-Control: {cache} (the raw token is shown this once)")
    raw, token_id = created["raw_token"], created["id"]
    call_api("the new token", raw)

    status, body, _ = browser.call("POST", "/api/tokens/", {"name": "x", "scopes": ["delete_user"]})
    show("create (a scope not held)", "POST", "/api/tokens/", status, body)

    status, body, _ = browser.call("GET", "/api/tokens/?state=active")
    listed = [f"{t['prefix']} {t['name']} ({t['state']})" for t in body["results"]]
    show("list (active ones)", "GET", "/api/tokens/?state=active", status, listed)

    rotate = f"/api/tokens/{token_id[:8]}…/rotate/"
    status, rotated, _ = browser.call("POST", f"/api/tokens/{token_id}/rotate/")
    show("rotate", "POST", rotate, status, rotated)
    call_api("the old token", raw)
    call_api("the rotated token", rotated["raw_token"])

    revoke = f"/api/tokens/{token_id[:8]}…/revoke/"
    status, body, _ = browser.call("POST", f"/api/tokens/{token_id}/revoke/")
    show("revoke", "POST", revoke, status, body)
    call_api("the revoked token", rotated["raw_token"])
