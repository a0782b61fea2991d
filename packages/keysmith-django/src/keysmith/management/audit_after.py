"""Token commands print first and audit after: a raw token is shown as soon as it is committed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import BaseCommand

from keysmith.core.audit import AuditEvent
from keysmith.django.audit import rows_written_after
from keysmith.django.runtime import get_service


@contextmanager
def audit_after_output(command: BaseCommand) -> Iterator[None]:
    """Write the audit rows of the block's lifecycle calls when the block ends.

    Printed (and flushed) inside the block, the raw token reaches the operator even when the
    audit write then waits for a locked table (up to ``AUDIT_WRITE_TIMEOUT``), or the process
    is killed meanwhile. A row that cannot be written is reported on stderr; the change it
    records is made all the same, and the command succeeds.
    """
    sink = get_service().sink

    def write(event: AuditEvent) -> None:
        try:
            sink.emit(event)
        except Exception as error:
            lines = str(error).strip().splitlines()
            reason = lines[0] if lines else type(error).__name__
            command.stderr.write(
                f"Warning: the {event.action!r} audit row for {event.token_prefix} could not "
                f"be written ({reason}); the change itself is saved."
            )

    with rows_written_after(write):
        yield
