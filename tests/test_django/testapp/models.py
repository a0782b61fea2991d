"""Custom token and audit models, as a project swapping TOKEN_MODEL / AUDIT_LOG_MODEL has."""

from __future__ import annotations

from django.db import models

from keysmith.models import AbstractToken, AbstractTokenAuditLog


class CustomToken(AbstractToken):
    team = models.CharField(max_length=64, blank=True)


class CustomAuditLog(AbstractTokenAuditLog):
    token = models.ForeignKey(
        CustomToken,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,  # the base's (token, -created_at) index serves it
        related_name="%(app_label)s_%(class)s_logs",
    )


class TokenWithoutUsage(models.Model):
    """Lacks most of the contract: the system checks must name what is missing."""

    key = models.CharField(max_length=256)
    prefix = models.CharField(max_length=255)
