"""The token record the SQL stores hand out: a plain mutable dataclass, no session attached."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from keysmith.core import clock
from keysmith.core.events import actor_id


@dataclass(slots=True)
class SQLToken:
    """One row of ``keysmith_tokens`` with its scope names.

    Scopes are read in the same query as the row, so checking them costs no extra round trip.
    The hashes are left out of ``repr`` so a logged record shows nothing worth stealing.
    """

    id: uuid.UUID
    prefix: str
    key: str = field(repr=False)
    name: str
    created_at: datetime
    description: str = ""
    token_type: str = "user"
    user: str | None = None
    created_by: str | None = None
    scopes: frozenset[str] = frozenset()
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked: bool = False
    purged: bool = False
    previous_key: str | None = field(default=None, repr=False)
    previous_key_expires_at: datetime | None = None

    def state(self, now: datetime | None = None) -> str:
        """``purged``, ``revoked``, ``expired`` or ``active``, for listings."""
        if self.purged:
            return "purged"
        if self.revoked:
            return "revoked"
        now = now or clock.now()
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


def owner_reference(value: object) -> str | None:
    """The text stored for an owner: ids as they are, objects by their ``pk`` or ``id``."""
    reference = actor_id(value)
    return None if reference is None else str(reference)
