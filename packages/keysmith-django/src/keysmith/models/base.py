"""Abstract token and audit models: the fields and helpers every (custom) model must keep."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from keysmith.django.settings import raw_setting

# Without it, a person sees and manages only the tokens they own in the admin (docs/admin.md).
MANAGE_OTHERS_TOKENS = "manage_others_tokens"


class AbstractToken(models.Model):
    """An API token. Only the hash of its secret is stored (``key``); ``prefix`` is public."""

    class TokenType(models.TextChoices):
        USER = "user", "User"
        SYSTEM = "system", "System"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=128)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="%(app_label)s_%(class)s_created",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="%(app_label)s_%(class)s_owned",
    )
    token_type = models.CharField(max_length=10, choices=TokenType.choices, default=TokenType.USER)
    scopes = models.ManyToManyField(
        "auth.Permission", blank=True, help_text="Django permissions associated with this token"
    )
    key = models.CharField(max_length=256, unique=True, editable=False)
    prefix = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    purged = models.BooleanField(default=False)
    # The hash replaced by the last rotation, accepted until the grace period ends.
    previous_key = models.CharField(max_length=256, null=True, blank=True, editable=False)
    previous_key_expires_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["key"]),
            models.Index(fields=["expires_at"]),
            models.Index(fields=["revoked"]),
        ]
        permissions = [(MANAGE_OTHERS_TOKENS, "Can manage tokens of other users")]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_type})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return not self.revoked and not self.purged and not self.is_expired

    def can_authenticate(self) -> bool:
        """Whether the token's state allows authentication (its secret is checked apart)."""
        return self.is_active

    def mark_used(self, commit: bool = True) -> None:
        """Set ``last_used_at`` to now; with ``commit`` as one UPDATE of that column only."""
        if not commit:
            self.last_used_at = timezone.now()
            return
        # Imported here: the service module imports the models.
        from keysmith.django.runtime import get_service  # noqa: PLC0415

        get_service().mark_used(self)


class AbstractTokenAuditLog(models.Model):
    """One audit event: a lifecycle change or a request's authentication outcome."""

    ACTION_AUTH_SUCCESS = "auth_success"
    ACTION_AUTH_FAILED = "auth_failed"
    ACTION_CREATED = "created"
    ACTION_REVOKED = "revoked"
    ACTION_ROTATED = "rotated"
    ACTION_CHOICES = [
        (ACTION_AUTH_SUCCESS, "Authentication Success"),
        (ACTION_AUTH_FAILED, "Authentication Failed"),
        (ACTION_CREATED, "Token Created"),
        (ACTION_REVOKED, "Token Revoked"),
        (ACTION_ROTATED, "Token Rotated"),
    ]

    id = models.BigAutoField(primary_key=True)
    token: Any = models.ForeignKey(
        raw_setting("TOKEN_MODEL"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="%(app_label)s_%(class)s_logs",
    )
    action = models.CharField(max_length=64, choices=ACTION_CHOICES)
    path = models.TextField(help_text="Request path (without domain)")
    method = models.CharField(max_length=10, help_text="HTTP method")
    status_code = models.PositiveSmallIntegerField(help_text="HTTP response status code")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.TextField(null=True, blank=True)
    extra = models.JSONField(
        default=dict, blank=True, help_text="Additional context (errors, reason, actor, etc.)"
    )
    # When the event happened (not when its row was written: authentication rows are
    # written in batches, up to AUDIT_BUFFER_SECONDS later).
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["token"]),
            models.Index(fields=["action"]),
            models.Index(fields=["created_at"]),
            models.Index(fields=["ip_address"]),
            models.Index(fields=["status_code"]),
            models.Index(fields=["action", "created_at"]),
        ]

    def __str__(self) -> str:
        token = self.token_id or "unknown-token"
        return f"{self.action} [{self.method} {self.path}] ({token})"
