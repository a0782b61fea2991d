"""Buffered authentication rows in a Django process, written at once under Django's tests."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from keysmith.core.audit import AuditEvent, AuditSink
from keysmith.core.buffer import BufferedAuditSink

__all__ = ["DjangoBufferedAuditSink", "buffer_in_tests", "immediate", "test_environment_active"]


class _Switch:
    # Set by ``buffer_in_tests``: the test process wants the real buffer.
    buffer_in_tests = False


def test_environment_active() -> bool:
    """Whether Django's test environment is set up now (``setup_test_environment()``, which
    Django's test runner and pytest-django call before the first test and undo after the last).
    """
    # Looked up, not imported: a server process never loads django.test.
    utils = sys.modules.get("django.test.utils")
    state = getattr(utils, "_TestState", None)
    return state is not None and hasattr(state, "saved_data") and not _Switch.buffer_in_tests


@contextmanager
def buffer_in_tests() -> Iterator[None]:
    """Keep buffering authentication rows inside Django's test environment, for a test of code
    that depends on the buffer itself (``flush_audit_log()``, a full queue)."""
    before, _Switch.buffer_in_tests = _Switch.buffer_in_tests, True
    try:
        yield
    finally:
        _Switch.buffer_in_tests = before


class DjangoBufferedAuditSink(BufferedAuditSink):
    """``BufferedAuditSink`` that writes every row at once while a test suite runs.

    A buffered row is written by another thread, on another connection, up to
    ``AUDIT_BUFFER_SECONDS`` later: in a test that is after the test's transaction rolled back
    (its token gone, so the insert fails) or after the test database was dropped. Written at
    once, the row joins the test's transaction, is visible to the test that made the request,
    and goes away with it. Nothing changes outside tests: the check is one dictionary lookup.
    """

    def emit(self, event: AuditEvent) -> None:
        if test_environment_active():
            self.direct.emit(event)
            return
        super().emit(event)


def immediate(sink: AuditSink) -> AuditSink:
    """The sink that writes an event before ``emit`` returns: a buffered sink's own ``direct``."""
    return sink.direct if isinstance(sink, BufferedAuditSink) else sink
