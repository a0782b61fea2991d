"""How the CLI prints tokens and audit events: aligned text for people, JSON for scripts.

Stored text is escaped before it reaches the terminal (``keysmith.core.untrusted.escape``):
audit rows hold what clients sent, and a control character could clear or retitle it. JSON
output escapes it by itself."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from keysmith.core.untrusted import escape
from keysmith.sqlalchemy.records import SQLToken


def when(value: datetime | None, empty: str = "-") -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value is not None else empty


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


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    rows = [[escape(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in (headers, *rows)) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join(line(cells) for cells in (headers, *rows))


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


def event_data(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "created_at": row["created_at"].isoformat(),
        "action": row["action"],
        "token_prefix": row["token_prefix"],
        "status_code": row["status_code"],
        "method": row["method"],
        "path": row["path"],
        "ip_address": row["ip_address"],
        "user_agent": row["user_agent"],
        "extra": row["extra"],
    }


def event_table(rows: Sequence[Mapping[str, Any]]) -> str:
    if not rows:
        return "No audit events."
    lines = [
        (
            when(row["created_at"]),
            row["action"],
            row["token_prefix"] or "-",
            str(row["status_code"] or "-"),
            " ".join(part for part in (row["method"], row["path"]) if part) or "-",
            row["ip_address"] or "-",
            json.dumps(row["extra"], sort_keys=True) if row["extra"] else "",
        )
        for row in rows
    ]
    return table(("TIME", "ACTION", "TOKEN", "STATUS", "REQUEST", "CLIENT", "DETAILS"), lines)


def dumps(data: Any) -> str:
    # ensure_ascii (the default) writes every control character as a \u escape.
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=True)
