"""Text that clients control: bounded before it is stored, escaped before it is printed."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Mapping
from typing import Any

# What one request may write into an audit row, in characters. A client chooses these values,
# so without a bound one garbage request could store kilobytes (a 16 KB path, a 16 KB agent).
MAX_PATH = 2048
MAX_METHOD = 16
MAX_USER_AGENT = 512
MAX_EXTRA_TEXT = 512
# Longer than any textual address, even IPv6 with an embedded IPv4 part and a zone id.
MAX_IP_TEXT = 100

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def bounded(value: str | None, limit: int) -> str | None:
    """``value`` cut to ``limit`` characters (None stays None)."""
    return value[:limit] if value is not None and len(value) > limit else value


def bounded_extra(extra: Mapping[str, Any]) -> dict[str, Any]:
    """``extra`` with every text value cut to ``MAX_EXTRA_TEXT`` characters."""
    return {
        key: value[:MAX_EXTRA_TEXT] if isinstance(value, str) else value
        for key, value in extra.items()
    }


def _escaped(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def escape(value: object) -> str:
    """``value`` as text safe to print on one line of a terminal or a log.

    Control and other unprintable characters (escape sequences, newlines, bidirectional
    overrides) become backslash escapes such as ``\\x1b`` and ``\\n``; printable Unicode stays.
    """
    text = value if isinstance(value, str) else str(value)
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else _escaped(char) for char in text)


def quoted_string(value: str) -> str:
    """``value`` as an HTTP header's quoted-string: printable ASCII only (scope names and other
    free text may hold anything), with backslashes and quotes escaped."""
    kept = "".join(c for c in value if c.isascii() and c.isprintable())
    return '"' + kept.replace("\\", "\\\\").replace('"', '\\"') + '"'


def valid_ip(value: object) -> str | None:
    """``value`` as a normalised IP address (at most 45 characters), or None when it is not one."""
    if not isinstance(value, str) or not value or len(value) > MAX_IP_TEXT:
        return None  # long values are never cached: the cache stays small whatever clients send
    return _normalised_ip(value)


@functools.lru_cache(maxsize=4096)
def _normalised_ip(value: str) -> str | None:
    # Parsing an address costs more than the rest of the audit context; clients repeat theirs.
    # An IPv6 zone id ("%eth0") names an interface of the sender's host, means nothing here and
    # may hold any text, escape sequences included: it is dropped.
    try:
        return str(ipaddress.ip_address(value.strip().partition("%")[0]))
    except ValueError:
        return None
