"""Small helpers shared by the admin tests: admin URLs, audit rows and the logged-in user."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from keysmith.models import Token, TokenAuditLog

HEADER = "HTTP_X_KEYSMITH_TOKEN"
CHANGELIST = "/admin/keysmith/token/"
ADD = "/admin/keysmith/token/add/"
AUDIT_CHANGELIST = "/admin/keysmith/tokenauditlog/"
RAW_TOKENS = re.compile(r'class="vTextField keysmith-raw-token"\s+type="text" value="([^"]+)"')


def token_url(token: Any, view: str = "change") -> str:
    return reverse(f"admin:keysmith_token_{view}", args=[token.pk])


def audit_rows(token: Any, action: str) -> list[TokenAuditLog]:
    return list(TokenAuditLog.objects.filter(token=token, action=action).order_by("id"))


def user_named(username: str = "staff") -> Any:
    """The user a ``staff_client(...)`` call logged in (``username`` defaults alike)."""
    return get_user_model().objects.get(username=username)


def raw_token_in(html: str) -> str:
    found = RAW_TOKENS.findall(html)
    assert len(found) == 1, "the one-time page must show exactly one raw token"
    return str(found[0])


def add_form(**fields: object) -> dict[str, object]:
    """The add form's POST data: an ownerless user token without scopes, unless overridden."""
    data: dict[str, object] = {
        "name": "deploy bot",
        "description": "",
        "token_type": "user",
        "user": "",
        "scopes": [],
        "expires_at_0": "",
        "expires_at_1": "",
    }
    data.update(fields)
    return data


def change_form(token: Token, **fields: object) -> dict[str, object]:
    """The change form's POST data as the page shows it for ``token``, with ``fields`` edited."""
    expires = timezone.localtime(token.expires_at) if token.expires_at else None
    data: dict[str, object] = {
        "name": token.name,
        "description": token.description,
        "scopes": [str(pk) for pk in token.scopes.values_list("pk", flat=True)],
        "expires_at_0": expires.strftime("%Y-%m-%d") if expires else "",
        "expires_at_1": expires.strftime("%H:%M:%S") if expires else "",
    }
    data.update(fields)
    return data


def action(name: str, *tokens: Any, confirm: bool = False) -> dict[str, object]:
    """A changelist action's POST data for ``tokens``; ``confirm`` answers its confirmation."""
    data: dict[str, object] = {"action": name, "_selected_action": [str(t.pk) for t in tokens]}
    if confirm:
        data["post"] = "yes"
    return data


def snapshot(token: Token) -> tuple[str, bool, bool]:
    """The stored hash and state flags, read again from the database."""
    token.refresh_from_db()
    return token.key, token.revoked, token.purged
