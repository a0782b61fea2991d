"""What clients send the self-service endpoints, parsed and checked before anything is read:
the JSON bodies of create and rotate, and the query of a listing."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from keysmith.core.selfservice.errors import invalid
from keysmith.core.selfservice.limits import OMITTED, SelfServiceLimits, _Omitted
from keysmith.core.selfservice.shapes import STATES
from keysmith.core.untrusted import escape

MAX_BODY_BYTES = 64 * 1024
MAX_DESCRIPTION = 1024
MAX_SCOPES = 100
MAX_SCOPE_NAME = 255
MAX_OWNER = 255
MAX_ID = 64
_MAX_ECHO = 64  # characters of client text quoted back in an error message
_TEXT_CONTROLS_ALLOWED = frozenset("\n\r\t")


@dataclass(frozen=True, slots=True)
class CreateRequest:
    name: str
    description: str = ""
    scopes: tuple[str, ...] | None = None  # None: the default scopes
    expires_at: datetime | _Omitted | None = OMITTED  # None: never expires
    owner: str | None = None  # None: the caller


@dataclass(frozen=True, slots=True)
class RotateRequest:
    grace_seconds: int | None = None  # None: the configured rotation grace


@dataclass(frozen=True, slots=True)
class ListRequest:
    page: int = 1
    page_size: int = 20
    states: frozenset[str] = frozenset()  # empty: every state
    owner: str | None = None  # None: the caller


def quoted(value: object) -> str:
    """Client text as an error message may repeat it: bounded and escaped."""
    text = escape(value)
    return repr(text if len(text) <= _MAX_ECHO else text[:_MAX_ECHO] + "…")


def json_object(body: bytes | str | None, *, required: bool) -> dict[str, Any]:
    """The request body as a JSON object (an empty body is ``{}`` unless ``required``)."""
    if body is None or not body.strip():
        if required:
            raise invalid("The request body must be a JSON object.")
        return {}
    if len(body) > MAX_BODY_BYTES:
        raise invalid(f"The request body is larger than {MAX_BODY_BYTES} bytes.")
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise invalid("The request body is not valid JSON.") from None
    if not isinstance(value, dict):
        raise invalid("The request body must be a JSON object.")
    return value


def _fields(body: Mapping[str, Any], known: Sequence[str]) -> None:
    unknown = sorted(set(body) - set(known))
    if unknown:
        names = ", ".join(quoted(name) for name in unknown[:5])
        raise invalid(f"Unknown fields: {names}. Allowed: {', '.join(known)}.")


def _text(body: Mapping[str, Any], name: str, limit: int, *, line: bool) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(f"{name} must be a string.")
    if len(value) > limit:
        raise invalid(f"{name} must be at most {limit} characters.")
    allowed = frozenset() if line else _TEXT_CONTROLS_ALLOWED
    if any(not char.isprintable() and char not in allowed and char != " " for char in value):
        raise invalid(f"{name} must not contain control characters.")
    return value


def _owner(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise invalid("owner must be a user id (a string or an integer).")
    text = str(value)
    if not text or len(text) > MAX_OWNER:
        raise invalid(f"owner must be 1 to {MAX_OWNER} characters.")
    return text


def _scopes(value: object) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise invalid("scopes must be a list of scope names.")
    if len(value) > MAX_SCOPES:
        raise invalid(f"scopes may name at most {MAX_SCOPES} scopes.")
    for scope in value:
        if not isinstance(scope, str) or not scope or len(scope) > MAX_SCOPE_NAME:
            raise invalid(f"Each scope must be a name of 1 to {MAX_SCOPE_NAME} characters.")
    return tuple(dict.fromkeys(value))  # duplicates asked for once


def parse_datetime(value: object, name: str) -> datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise invalid(f"{name} must be an ISO 8601 date and time, e.g. 2030-01-31T12:00:00Z.")
    text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise invalid(
            f"{name} must be an ISO 8601 date and time, e.g. 2030-01-31T12:00:00Z."
        ) from None
    if parsed.tzinfo is None:
        raise invalid(f"{name} must include a time zone (Z or an offset such as +02:00).")
    return parsed


def parse_create(body: Mapping[str, Any], max_name_length: int) -> CreateRequest:
    _fields(body, ("name", "description", "scopes", "expires_at", "owner"))
    name = _text(body, "name", max_name_length, line=True)
    if name is None or not name.strip():
        raise invalid("name is required: a non-empty string.")
    expires: datetime | _Omitted | None = OMITTED
    if "expires_at" in body:
        value = body["expires_at"]
        expires = None if value is None else parse_datetime(value, "expires_at")
    return CreateRequest(
        name=name,
        description=_text(body, "description", MAX_DESCRIPTION, line=False) or "",
        scopes=_scopes(body.get("scopes")),
        expires_at=expires,
        owner=_owner(body.get("owner")),
    )


def parse_rotate(body: Mapping[str, Any]) -> RotateRequest:
    _fields(body, ("grace_seconds",))
    grace = body.get("grace_seconds")
    if grace is not None and (isinstance(grace, bool) or not isinstance(grace, int) or grace < 0):
        raise invalid("grace_seconds must be a whole number of seconds, 0 or more.")
    return RotateRequest(grace_seconds=grace)


def _positive(values: Sequence[str], name: str, default: int, maximum: int) -> int:
    if not values:
        return default
    text = values[-1]
    if not text.isascii() or not text.isdigit() or len(text) > 9 or int(text) < 1:
        raise invalid(f"{name} must be a whole number from 1 to {maximum}.")
    number = int(text)
    if number > maximum:
        raise invalid(f"{name} must be a whole number from 1 to {maximum}.")
    return number


def parse_list(query: Mapping[str, Sequence[str]], limits: SelfServiceLimits) -> ListRequest:
    """``page``, ``page_size``, ``state`` (repeated or comma-separated) and ``owner``; other
    parameters are ignored, as list endpoints do."""
    states: set[str] = set()
    for value in query.get("state", ()):
        states.update(part.strip() for part in value.split(",") if part.strip())
    unknown = states.difference(STATES)
    if unknown:
        shown = ", ".join(quoted(state) for state in sorted(unknown)[:5])
        raise invalid(f"Unknown state {shown}: state is one of {', '.join(STATES)}.")
    owners = query.get("owner", ())
    return ListRequest(
        page=_positive(query.get("page", ()), "page", 1, 10**9),
        page_size=_positive(
            query.get("page_size", ()), "page_size", limits.page_size, limits.max_page_size
        ),
        states=frozenset(states),
        owner=_owner(owners[-1]) if owners else None,
    )


def parse_token_id(value: str) -> str | None:
    """A token id from a URL, or None when it cannot name one (the endpoint answers 404)."""
    if not value or len(value) > MAX_ID or not value.isprintable():
        return None
    return value
