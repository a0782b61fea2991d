"""The default audit model, ``keysmith.TokenAuditLog``."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

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
        indexes = [
            *(i for i in AbstractTokenAuditLog.Meta.indexes if i.fields != ["status_code"]),
            # The status filter, in place of the base's status_code index: one code (401, 500,
            # none) newest first straight from the index, a rare class (5xx) as a short range
            # of it; 2xx, the bulk, is read newest first from created_at. Only rows that are
            # not 2xx, so it stays small. Named here, not in the abstract base: a custom
            # model's name could pass the 30-character limit of index names.
            models.Index(
                fields=["status_code", "-created_at"],
                condition=Q(status_code__lt=200) | Q(status_code__gte=300),
                name="keysmith_audit_not_2xx_idx",
            ),
        ]
