"""What the token commands print about a token: a table line, the details, the JSON shape of
the ``keysmith`` command's ``--json`` output (shared pieces in ``keysmith.core.listing``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from keysmith.core import clock
from keysmith.core.listing import when
from keysmith.core.untrusted import escape
from keysmith.management.lookup import state_of


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def token_data(token: Any) -> dict[str, Any]:
    """Everything about a token that may be shown. Never the stored hashes."""
    grace = getattr(token, "previous_key_expires_at", None)
    # .all(): a listing's prefetched scopes, not a query per token.
    scopes = [(p.content_type.app_label, p.codename) for p in token.scopes.all()]
    return {
        "id": str(token.pk),
        "prefix": token.prefix,
        "name": token.name,
        "description": token.description,
        "state": state_of(token),
        "token_type": token.token_type,
        "user": _username(token.user),
        "created_by": _username(token.created_by),
        "scopes": sorted(f"{app_label}.{codename}" for app_label, codename in scopes),
        "created_at": _iso(token.created_at),
        "expires_at": _iso(token.expires_at),
        "last_used_at": _iso(token.last_used_at),
        "previous_secret_accepted_until": (
            _iso(grace) if grace is not None and grace > clock.now() else None
        ),
    }


def token_details(data: dict[str, Any]) -> str:
    """``show_token``'s text: one escaped ``Label: value`` line per field."""

    def moment(key: str, empty: str) -> str:
        value = data[key]
        return when(datetime.fromisoformat(value), empty) if value else empty

    fields = [
        ("Prefix", data["prefix"]),
        ("Name", data["name"]),
        ("Description", data["description"] or "-"),
        ("State", data["state"]),
        ("Type", data["token_type"]),
        ("User", data["user"] or "-"),
        ("Created by", data["created_by"] or "-"),
        ("Scopes", ", ".join(data["scopes"]) or "-"),
        ("Created", moment("created_at", "-")),
        ("Expires", moment("expires_at", "never")),
        ("Last used", moment("last_used_at", "never")),
    ]
    if data["previous_secret_accepted_until"]:
        fields.append(("Old secret until", moment("previous_secret_accepted_until", "-")))
    width = max(len(label) for label, _ in fields) + 1
    return "\n".join(f"{label + ':':<{width}} {escape(value)}" for label, value in fields)
