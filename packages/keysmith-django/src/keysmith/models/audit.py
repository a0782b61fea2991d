"""The default audit model, ``keysmith.TokenAuditLog``."""

from __future__ import annotations

from typing import Any

from django.db import models

from keysmith.models.base import AbstractTokenAuditLog


class TokenAuditLog(AbstractTokenAuditLog):
    # Always the default token model, so this app's migrations never depend on TOKEN_MODEL;
    # a custom token model needs a custom audit model too (a system check says so).
    token: Any = models.ForeignKey(
        "keysmith.Token",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,
        related_name="%(app_label)s_%(class)s_logs",
    )

    class Meta(AbstractTokenAuditLog.Meta):
        db_table = "keysmith_token_audit_log"
