"""Small helpers shared by the admin tests: admin URLs and reading audit rows."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from keysmith.models import TokenAuditLog

HEADER = "HTTP_X_KEYSMITH_TOKEN"
CHANGELIST = "/admin/keysmith/token/"
ADD = "/admin/keysmith/token/add/"
AUDIT_CHANGELIST = "/admin/keysmith/tokenauditlog/"


def token_url(token: Any, view: str = "change") -> str:
    return reverse(f"admin:keysmith_token_{view}", args=[token.pk])


def audit_rows(token: Any, action: str) -> list[TokenAuditLog]:
    return list(TokenAuditLog.objects.filter(token=token, action=action).order_by("id"))
