"""The JSON bodies of the self-service endpoints, identical in every framework: a token's
metadata, an issued token (metadata plus its raw token, shown once), and a page of tokens."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

ACTIVE, EXPIRED, REVOKED, PURGED = "active", "expired", "revoked", "purged"
STATES = (ACTIVE, EXPIRED, REVOKED, PURGED)


@dataclass(frozen=True, slots=True)
class StateRule:
    """What a stored row holds in one state; ``None``: either. Stores turn it into a filter."""

    revoked: bool | None
    purged: bool
    expired: bool | None


# A purged token is revoked too; an expired one that was revoked counts as revoked.
STATE_RULES = {
    ACTIVE: StateRule(revoked=False, purged=False, expired=False),
    EXPIRED: StateRule(revoked=False, purged=False, expired=True),
    REVOKED: StateRule(revoked=True, purged=False, expired=None),
    PURGED: StateRule(revoked=None, purged=True, expired=None),
}


def in_state(rule: StateRule, revoked: bool, purged: bool, expired: bool) -> bool:
    """Whether a row with these flags is in the state ``rule`` describes."""
    return (
        purged == rule.purged
        and (rule.revoked is None or revoked == rule.revoked)
        and (rule.expired is None or expired == rule.expired)
    )


@dataclass(frozen=True, slots=True)
class TokenView:
    """What the endpoints show of a token: never its hash, never its secret.

    ``owner`` is the owner's reference as text (a user id), None for a token without one.
    """

    id: str
    prefix: str
    name: str
    description: str
    owner: str | None
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked: bool
    purged: bool

    def state(self, now: datetime) -> str:
        if self.purged:
            return PURGED
        if self.revoked:
            return REVOKED
        if self.expires_at is not None and self.expires_at <= now:
            return EXPIRED
        return ACTIVE


def timestamp(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``, as JavaScript's ``Date.toISOString`` writes it."""
    if value is None:
        return None
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def token_body(view: TokenView, now: datetime) -> dict[str, Any]:
    """A token's metadata."""
    return {
        "id": view.id,
        "prefix": view.prefix,
        "name": view.name,
        "description": view.description,
        "owner": view.owner,
        "scopes": sorted(view.scopes),
        "state": view.state(now),
        "created_at": timestamp(view.created_at),
        "expires_at": timestamp(view.expires_at),
        "last_used_at": timestamp(view.last_used_at),
    }


def issued_body(view: TokenView, raw_token: str, now: datetime) -> dict[str, Any]:
    """A token just created or rotated: its metadata and the raw token, this once."""
    return {**token_body(view, now), "raw_token": raw_token}


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a listing; the adapter turns page numbers into its own URLs."""

    count: int
    number: int
    size: int
    tokens: Sequence[TokenView]

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number * self.size < self.count else None

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    def body(self, now: datetime, link: Callable[[int], str]) -> dict[str, Any]:
        """``{"count", "next", "previous", "results"}``, the shape of DRF's page-number
        pagination; ``link(n)`` is the URL of page ``n``."""
        following, preceding = self.next, self.previous
        return {
            "count": self.count,
            "next": link(following) if following is not None else None,
            "previous": link(preceding) if preceding is not None else None,
            "results": [token_body(view, now) for view in self.tokens],
        }


def page_url(url: str, page: int) -> str:
    """``url`` asking for page ``page``: its other parameters kept, sorted by name (as DRF's
    pagination writes its links, so every framework's links read alike)."""
    parts = urlsplit(url)
    query = parse_qs(parts.query, keep_blank_values=True)
    query["page"] = [str(page)]
    return urlunsplit(parts._replace(query=urlencode(sorted(query.items()), doseq=True)))
