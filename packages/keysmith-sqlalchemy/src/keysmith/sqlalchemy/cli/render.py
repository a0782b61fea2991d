"""How the CLI prints tokens and audit events: aligned text for people, JSON for scripts.

Stored text is escaped before it reaches the terminal (``keysmith.core.untrusted.escape``):
audit rows hold what clients sent, and a control character could clear or retitle it. JSON
output escapes it by itself."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

# The shared pieces live in the core, for Django's management commands too.
from keysmith.core.listing import dumps, event_data, event_table, table, when
from keysmith.core.untrusted import escape
from keysmith.sqlalchemy.records import SQLToken

__all__ = [
    "dumps",
    "event_data",
    "event_table",
    "table",
    "token_data",
    "token_details",
    "token_table",
    "when",
]


def token_data(record: SQLToken, now: datetime) -> dict[str, Any]:
    """Everything about a token that may be shown. Never the stored hashes."""
    grace = record.previous_key_expires_at
    return {
        "id": str(record.id),
        "prefix": record.prefix,
        "name": record.name,
        "description": record.description,
        "state": record.state(now),
        "token_type": record.token_type,
        "user": record.user,
        "created_by": record.created_by,
        "scopes": sorted(record.scopes),
        "created_at": record.created_at.isoformat(),
        "expires_at": record.expires_at.isoformat() if record.expires_at else None,
        "last_used_at": record.last_used_at.isoformat() if record.last_used_at else None,
        "previous_secret_accepted_until": (
            grace.isoformat() if grace is not None and grace > now else None
        ),
    }


def token_table(records: Sequence[SQLToken], now: datetime) -> str:
    if not records:
        return "No tokens."
    rows = [
        (r.prefix, r.name, r.state(now), when(r.expires_at, "never"), when(r.last_used_at))
        for r in records
    ]
    return table(("PREFIX", "NAME", "STATE", "EXPIRES", "LAST USED"), rows)


def token_details(record: SQLToken, now: datetime) -> str:
    data = token_data(record, now)
    fields = [
        ("Prefix", record.prefix),
        ("Name", record.name),
        ("Description", record.description or "-"),
        ("State", data["state"]),
        ("Type", record.token_type),
        ("User", record.user or "-"),
        ("Created by", record.created_by or "-"),
        ("Scopes", ", ".join(data["scopes"]) or "-"),
        ("Created", when(record.created_at)),
        ("Expires", when(record.expires_at, "never")),
        ("Last used", when(record.last_used_at, "never")),
    ]
    if data["previous_secret_accepted_until"]:
        fields.append(("Old secret until", when(record.previous_key_expires_at)))
    width = max(len(label) for label, _ in fields) + 1
    return "\n".join(f"{label + ':':<{width}} {escape(value)}" for label, value in fields)
