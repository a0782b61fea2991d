"""The keysmith admin: token and audit-log admins, registered for the configured models."""

from __future__ import annotations

from django.contrib import admin

from keysmith.admin.audit import TokenAuditLogAdmin
from keysmith.admin.tokens import TokenAdmin
from keysmith.models.utils import get_audit_log_model, get_token_model

__all__ = ["TokenAdmin", "TokenAuditLogAdmin", "register"]


def register(site: admin.AdminSite | None = None) -> None:
    """Register ``TOKEN_MODEL`` and ``AUDIT_LOG_MODEL`` (swapped or not) on ``site``.

    A model the project registered itself first is left alone.
    """
    site = site if site is not None else admin.site
    for model, model_admin in (
        (get_token_model(), TokenAdmin),
        (get_audit_log_model(), TokenAuditLogAdmin),
    ):
        if not site.is_registered(model):
            site.register(model, model_admin)


register()
