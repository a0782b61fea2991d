"""Abstract token and audit models: the fields and helpers every (custom) model must keep."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, router, transaction
from django.utils import timezone

from keysmith.conf import raw_setting
from keysmith.core import clock
from keysmith.core.records import revocation

# Without it, a person sees and manages only the tokens they own in the admin (docs/admin.md).
MANAGE_OTHERS_TOKENS = "manage_others_tokens"


class Wiring:
    """What the models call above them: the models come first in keysmith-django's layers
    (the token service stands on them), so ``KeysmithConfig.ready()`` wires these in."""

    # The service's conditional write of ``last_used_at``.
    mark_used: Callable[[Any], None] | None = None


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
        # Each index serves a query keysmith runs; ``prefix`` (authentication's lookup, the
        # admin's prefix search) and ``key`` are indexed by their unique constraints, ``user``
        # (the owner's tokens, the admin for people who see only their own) by its foreign key.
        indexes = [
            # The admin's token list and the listing commands: newest first, one page at a time.
            models.Index(fields=["created_at"]),
            # The admin's expiry filter and ``list_tokens --state expired``.
            models.Index(fields=["expires_at"]),
            # The admin's revoked filter and ``list_tokens --state revoked``: revoked tokens are
            # few among many.
            models.Index(fields=["revoked"]),
        ]
        permissions = [(MANAGE_OTHERS_TOKENS, "Can manage tokens of other users")]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_type})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save an instance without ever undoing a lifecycle change made since it was read.

        The hash columns change only through rotation and hash upgrades, and revocation and
        purge are one-way: a save of an existing token writes every other column, never those
        as they were read (an instance held by a view, a signal handler or a shell session may
        predate a revoke or a rotation). ``revoked``/``purged`` set to True on the instance are
        applied, one-way. Asking ``update_fields`` to write a hash column, or to clear a flag,
        raises ``ValueError``.
        """
        # Django 4.2 still takes these positionally.
        kwargs.update(zip(_SAVE_ARGUMENTS, args, strict=False))
        if self._state.adding or kwargs.get("force_insert"):
            super().save(**kwargs)
            return
        requested = kwargs.get("update_fields")
        if requested is not None:
            _refuse_lifecycle_writes(self, frozenset(requested))
            columns = [name for name in requested if name not in LIFECYCLE_FIELDS]
        else:
            columns = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in LIFECYCLE_FIELDS
            ]
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            if columns:
                super().save(**{**kwargs, "update_fields": columns})
            if self.revoked or self.purged:
                write = revocation(purge=self.purged)
                rows = type(self)._default_manager.using(using).filter(pk=self.pk)
                rows.filter(**write.expect).update(**write.changes)

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= clock.now()

    @property
    def is_active(self) -> bool:
        return not self.revoked and not self.purged and not self.is_expired

    def can_authenticate(self) -> bool:
        """Whether the token may authenticate: live (not revoked, purged or expired) and owned
        by an active user, or by nobody (a system token). Its secret is checked apart.

        Authentication asks it on every request, after the secret verified; override it to add
        rules of your own (and call ``super()``).
        """
        return self.is_active and owner_is_active(self)

    def mark_used(self, commit: bool = True) -> None:
        """Set ``last_used_at`` to now; with ``commit`` as one UPDATE of that column only."""
        if not commit:
            self.last_used_at = clock.now()
            return
        if Wiring.mark_used is None:
            raise ImproperlyConfigured("keysmith's app is not ready: add it to INSTALLED_APPS.")
        Wiring.mark_used(self)


def owner_is_active(token: AbstractToken) -> bool:
    """An owned token's user is active (``is_active``, as Django's ``ModelBackend`` reads it;
    user models without the attribute count as active); a token without an owner passes."""
    if token.user_id is None:
        return True
    return bool(getattr(token.user, "is_active", True))


# Written only by the lifecycle's conditional writes (rotation, hash upgrade, revocation).
LIFECYCLE_FIELDS = frozenset(
    {"key", "previous_key", "previous_key_expires_at", "revoked", "purged"}
)
_HASH_FIELDS = ("key", "previous_key", "previous_key_expires_at")
_SAVE_ARGUMENTS = ("force_insert", "force_update", "using", "update_fields")


def _refuse_lifecycle_writes(token: AbstractToken, requested: frozenset[str]) -> None:
    hashes = requested.intersection(_HASH_FIELDS)
    if hashes:
        raise ValueError(
            f"save() does not write {', '.join(sorted(hashes))}: a token's secret changes only "
            "through keysmith.services.tokens.rotate_token()."
        )
    cleared = [
        name for name in ("revoked", "purged") if name in requested and not getattr(token, name)
    ]
    if cleared:
        raise ValueError(
            f"save() cannot clear {' or '.join(cleared)}: revocation and purge are final. "
            "Issue a new token instead."
        )


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
    # Indexed with ``created_at`` (Meta.indexes), not on its own.
    token: Any = models.ForeignKey(
        raw_setting("TOKEN_MODEL"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,
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
        # Each index serves a query keysmith runs. Rows are read newest first, one page at a
        # time: an index that ends in ``created_at`` hands the page over without sorting.
        indexes = [
            # One token's rows (the admin's token filter, the change page's audit link,
            # ``list_audit_logs --token``); also what deleting a token sets to NULL.
            models.Index(fields=["token", "-created_at"]),
            # The audit list's default order, its time filter, and pruning by age.
            models.Index(fields=["created_at"]),
            # The action filter (and ``--action``), newest first.
            models.Index(fields=["action", "created_at"]),
            # The status filter when its class is rare (server errors among successes).
            models.Index(fields=["status_code"]),
            # One client address's rows in an incident (``list_audit_logs --ip``).
            models.Index(fields=["ip_address"]),
        ]

    def __str__(self) -> str:
        token = self.token_id or "unknown-token"
        return f"{self.action} [{self.method} {self.path}] ({token})"
