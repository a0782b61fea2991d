"""Audit sinks: keysmith events as rows of the audit model, or calls of ``AUDIT_LOG_HOOK``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import close_old_connections, router, transaction
from django.db.models import Model

from keysmith.core.audit import Action, AuditEvent, RequestContext
from keysmith.django.bulk_insert import PreparedInsert

# django-keysmith gave lifecycle events these status codes; events built without one keep them.
LIFECYCLE_STATUS = {Action.CREATED: 201, Action.ROTATED: 200, Action.REVOKED: 200}


def payload(event: AuditEvent) -> dict[str, Any]:
    """The request-derived columns of an audit row (empty values without a request)."""
    context = event.context or RequestContext()
    return {
        "path": context.path,
        "method": context.method,
        "status_code": event.status_code or LIFECYCLE_STATUS.get(event.action, 0),
        "ip_address": context.ip_address,
        "user_agent": context.user_agent,
    }


class ModelAuditSink:
    """Writes one audit row per event; a failed insert never breaks the caller's transaction."""

    def __init__(self, model: type[Model]) -> None:
        self.model = model
        token_field = model._meta.get_field("token")
        self.token_model = token_field.related_model
        self.token_column = token_field.attname  # type: ignore[union-attr]
        self.inserts: dict[str, PreparedInsert] = {}

    def token(self, event: AuditEvent) -> Model | None:
        """The event's token if it is a saved row of the token model the audit rows point to."""
        token = event.token if isinstance(event.token, self.token_model) else None  # type: ignore[arg-type]
        return token if token is not None and token.pk is not None else None

    def columns(self, event: AuditEvent) -> dict[str, Any]:
        """Every column of the event's row but the token."""
        return {
            "action": event.action,
            "extra": dict(event.extra),
            "created_at": event.occurred_at,
            **payload(event),
        }

    def row(self, event: AuditEvent) -> Model:
        return self.model(token=self.token(event), **self.columns(event))

    def emit(self, event: AuditEvent) -> None:
        row = self.row(event)
        alias = router.db_for_write(self.model, instance=row)
        if transaction.get_connection(alias).in_atomic_block:
            # Inside the caller's transaction: a savepoint, so a failed insert rolls back to it
            # and leaves that transaction usable (PostgreSQL aborts it otherwise).
            with transaction.atomic(using=alias):
                row.save(force_insert=True, using=alias)
        else:
            row.save(force_insert=True, using=alias)

    def values(self, event: AuditEvent) -> dict[str, Any]:
        """The columns of ``row(event)`` by attname, without building the instance."""
        token = self.token(event)
        return {self.token_column: None if token is None else token.pk, **self.columns(event)}

    def write_many(self, events: Sequence[AuditEvent]) -> None:
        """One prepared INSERT, from the buffered sink's writer thread (outside any request)."""
        # The writer thread is long-lived: drop a connection that is broken or past
        # CONN_MAX_AGE, as Django does at the start of each request.
        close_old_connections()
        alias = router.db_for_write(self.model)
        insert = self.inserts.get(alias)
        if insert is None:
            insert = self.inserts[alias] = PreparedInsert(self.model, alias)
        insert.insert([self.values(event) for event in events])


class HookAuditSink:
    """Hands every event to ``AUDIT_LOG_HOOK`` instead of the audit table."""

    def __init__(self, hook: Callable[..., Any]) -> None:
        self.hook = hook

    def emit(self, event: AuditEvent) -> None:
        self.hook(
            action=event.action,
            token=event.token,
            request=getattr(event.context, "request", None),
            status_code=event.status_code,
            extra=dict(event.extra),
            payload=payload(event),
        )
