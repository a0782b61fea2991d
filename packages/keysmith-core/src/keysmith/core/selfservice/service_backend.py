"""A self-service ``Backend`` over the core lifecycle service (``TokenService`` or
``AsyncTokenService``) and a listing: what the FastAPI router, and any adapter outside Django,
stands on. Each method hands back what the service returns (a value, or an awaitable that the
async driver awaits), so one class serves both."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from keysmith.core.audit import RequestContext
from keysmith.core.events import actor_id
from keysmith.core.policy import Expiry, TokenPolicy
from keysmith.core.selfservice.access import Caller
from keysmith.core.selfservice.holds import Release, release_all, then
from keysmith.core.selfservice.shapes import TokenView

Grantable = Callable[[str], Iterable[str] | Awaitable[Iterable[str]]]
"""Given a user id, the scopes that user holds: they may grant them, and be granted them."""


def view_of(record: Any) -> TokenView:
    """The metadata of a core record (``SQLToken``, ``MemoryToken``)."""
    owner = actor_id(record.user)
    return TokenView(
        id=str(record.id),
        prefix=record.prefix,
        name=record.name,
        description=record.description,
        owner=None if owner is None else str(owner),
        scopes=tuple(sorted(record.scopes)),
        created_at=record.created_at,
        expires_at=record.expires_at,
        last_used_at=record.last_used_at,
        revoked=record.revoked,
        purged=record.purged,
    )


class ServiceBackend:
    """``keysmith.core.selfservice.Backend`` for one request.

    ``grantable`` says which scopes a user holds; without it, every scope of the policy's
    ``available`` scopes may be granted by anyone (none when that allow-list is empty).
    ``context`` is the request's audit context.
    """

    def __init__(
        self,
        service: Any,
        listing: Any,
        *,
        grantable: Grantable | None = None,
        context: RequestContext | None = None,
    ) -> None:
        self.service = service
        self.listing = listing
        self.grantable = grantable
        self.context = context
        self.releases: list[Release] = []

    def now(self) -> datetime:
        now: datetime = self.service.clock.now()
        return now

    def policy(self) -> TokenPolicy:
        policy: TokenPolicy = self.service.policy
        return policy

    def find(self, token_id: str) -> Any:
        return self.listing.find(token_id)

    def page(
        self, owner: str, states: frozenset[str], now: datetime, offset: int, limit: int
    ) -> Any:
        return self.listing.page(owner, states, now, offset, limit)

    def count_live(self, owner: str, now: datetime) -> Any:
        return self.listing.count_live(owner, now)

    def hold_owner(self, owner: str) -> Any:
        return then(self.listing.hold(owner), self._keep)

    def _keep(self, release: Release | None) -> bool:
        if release is None:
            return False
        self.releases.append(release)
        return True

    def release_holds(self) -> Any:
        return release_all(self.releases)

    def held_scopes(self, caller: Caller, principal: str, scopes: tuple[str, ...]) -> Any:
        if self.grantable is None:
            return self.policy().scopes.available
        return self.grantable(principal)

    def create(
        self,
        caller: Caller,
        owner: str,
        *,
        name: str,
        description: str,
        scopes: tuple[str, ...],
        expires_at: Expiry,
    ) -> Any:
        return self.service.create(
            name=name,
            description=description,
            user=owner,
            created_by=caller.actor,
            scopes=scopes,
            expires_at=expires_at,
            context=self.context,
        )

    def rotate(self, caller: Caller, record: Any, grace: timedelta | None) -> Any:
        return self.service.rotate(record, actor=caller.actor, context=self.context, grace=grace)

    def revoke(self, caller: Caller, record: Any) -> Any:
        return self.service.revoke(record, actor=caller.actor, context=self.context)

    def describe(self, record: Any) -> TokenView:
        return view_of(record)
