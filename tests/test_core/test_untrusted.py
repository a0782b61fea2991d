"""Client-chosen text: escaped for terminals and logs, bounded for the audit trail."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

import pytest

from keysmith.core import AuditEvent, LoggingAuditSink, RequestContext
from keysmith.core.untrusted import escape, valid_ip


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain /path é 漢字", "plain /path é 漢字"),
        ("\x1b[2J\x1b]0;title\x07", "\\x1b[2J\\x1b]0;title\\x07"),
        ("one\ntwo\r\tthree", "one\\ntwo\\r\\tthree"),
        ("\x7f\x9b", "\\x7f\\x9b"),
        ("abc\u202edcba\u2028", "abc\\u202edcba\\u2028"),
    ],
)
def test_escape_control_characters_become_escapes_printable_kept(text: str, shown: str) -> None:
    assert escape(text) == shown


@pytest.mark.parametrize(
    ("value", "address"),
    [("203.0.113.7", "203.0.113.7"), (" ::FFFF:1.2.3.4 ", "::ffff:102:304"),
     ("fe80::1%\x1b[2J", "fe80::1"), ("\x1b[2J", None), ("1.2.3.4\n5", None), (None, None)],
)  # fmt: skip
def test_valid_ip_only_parseable_addresses_without_zone(value: object, address: str | None) -> None:
    assert valid_ip(value) == address


def test_request_context_bounds_client_values_at_construction() -> None:
    context = RequestContext(
        path="/" * 5000, method="M" * 100, ip_address="\x1b[2J", user_agent="u" * 5000
    )
    assert (len(context.path), len(context.method), len(context.user_agent or "")) == (
        2048,
        16,
        512,
    )
    assert context.ip_address is None


def test_logging_sink_control_characters_cannot_split_or_forge_a_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    context = RequestContext(path="/x\n2024-01-01 keysmith auth_success token=tok_forged\x1b[2J")
    event = AuditEvent(
        "auth_failed", datetime.now(timezone.utc), context=context, extra={"reason": "a\nb"}
    )
    with caplog.at_level(logging.INFO, logger="keysmith.audit"):
        LoggingAuditSink().emit(event)
    [line] = [record.getMessage() for record in caplog.records]
    assert "\n" not in line
    assert "\x1b" not in line
    assert "path=/x\\n2024-01-01 keysmith auth_success token=tok_forged\\x1b[2J" in line
