"""Audit sinks: keysmith events as rows of the audit model, or calls of ``AUDIT_LOG_HOOK``."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import DataError, IntegrityError, close_old_connections, router
from django.db.models import Model

from keysmith.core.audit import Action, AuditEvent, RequestContext
from keysmith.core.audit_limits import DEFAULT_WRITE_TIMEOUT
from keysmith.django.bulk_insert import PreparedInsert
from keysmith.django.write_limits import bounded_write

logger = logging.getLogger("keysmith")

# A batch that fails with one of these holds a row that can never be written (its token was
# deleted since the request, a value the column refuses); waiting would not help.
ROW_ERRORS = (IntegrityError, DataError)

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


# The rows held back in this thread (or task) by ``rows_written_after``; None: none held.
_held: ContextVar[list[AuditEvent] | None] = ContextVar("keysmith_held_audit_rows", default=None)


@contextmanager
def rows_written_after(write: Callable[[AuditEvent], None]) -> Iterator[None]:
    """Hold the rows ``ModelAuditSink`` would write in this block; hand each to ``write`` after.

    For a command that prints a raw token: it shows the token as soon as the token is
    committed, and only then waits for the audit table. Other threads are not affected.
    """
    held: list[AuditEvent] = []
    reset = _held.set(held)
    try:
        yield
    finally:
        _held.reset(reset)
        for event in held:
            write(event)


class ModelAuditSink:
    """Writes one audit row per event; a failed insert never breaks the caller's transaction.

    Each write runs in a transaction (a savepoint inside the caller's) whose waits for locks
    end after ``write_timeout`` seconds (``None``: the database's own), see ``bounded_write``.
    """

    def __init__(
        self, model: type[Model], write_timeout: float | None = DEFAULT_WRITE_TIMEOUT
    ) -> None:
        self.model = model
        self.write_timeout = write_timeout
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
        held = _held.get()
        if held is not None:
            held.append(event)
            return
        row = self.row(event)
        alias = router.db_for_write(self.model, instance=row)
        with bounded_write(alias, self.write_timeout):
            row.save(force_insert=True, using=alias)

    def values(self, event: AuditEvent) -> dict[str, Any]:
        """The columns of ``row(event)`` by attname, without building the instance."""
        token = self.token(event)
        return {self.token_column: None if token is None else token.pk, **self.columns(event)}

    def write_many(self, events: Sequence[AuditEvent]) -> None:
        """One prepared INSERT, from the buffered sink's writer thread (outside any request).

        A batch refused for one of its rows (``ROW_ERRORS``) is not lost: rows whose token was
        deleted meanwhile are written without it (as ``SET_NULL`` would have left them had they
        been written before), and if the batch still fails each row is written on its own, so
        only the rows the database refuses are dropped (and logged). Other failures (a lock
        past ``AUDIT_WRITE_TIMEOUT``, a lost connection) raise, for the buffer to try again.
        """
        # The writer thread is long-lived: drop a connection that is broken or past
        # CONN_MAX_AGE, as Django does at the start of each request.
        close_old_connections()
        alias = router.db_for_write(self.model)
        insert = self.inserts.get(alias)
        if insert is None:
            insert = self.inserts[alias] = PreparedInsert(self.model, alias)
        rows = [self.values(event) for event in events]
        try:
            self._insert(insert, rows)
        except ROW_ERRORS:
            self._salvage(insert, rows)

    def _insert(self, insert: PreparedInsert, rows: Sequence[dict[str, Any]]) -> None:
        with bounded_write(insert.alias, self.write_timeout):
            insert.insert(rows)

    def _salvage(self, insert: PreparedInsert, rows: list[dict[str, Any]]) -> None:
        """Write what can be written of a batch the database refused as a whole."""
        column = self.token_column
        wanted = {row[column] for row in rows if row[column] is not None}
        if wanted:
            tokens = self.token_model._default_manager.using(insert.alias)  # type: ignore[union-attr]
            live = set(tokens.filter(pk__in=wanted).values_list("pk", flat=True))
            for row in rows:
                if row[column] is not None and row[column] not in live:
                    row[column] = None
            try:
                self._insert(insert, rows)
                return
            except ROW_ERRORS:
                pass
        dropped = 0
        for row in rows:
            try:
                self._insert(insert, [row])
            except ROW_ERRORS:
                dropped += 1
                logger.exception(
                    "keysmith: dropped a %r audit event the database refuses", row["action"]
                )
        if dropped:
            logger.warning(
                "keysmith: wrote %d of a batch of %d audit events", len(rows) - dropped, len(rows)
            )


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
