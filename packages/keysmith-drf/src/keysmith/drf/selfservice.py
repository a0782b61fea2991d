"""The self-service backend over Django: the token model read with the ORM, the grant rules of
the admin (``has_perm``), and every change made through ``keysmith.services.tokens``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.views.decorators.debug import sensitive_variables

from keysmith.core.policy import Expiry, TokenPolicy
from keysmith.core.selfservice.access import Caller
from keysmith.core.selfservice.errors import invalid
from keysmith.core.selfservice.shapes import ACTIVE, STATE_RULES, TokenView
from keysmith.django.grants import holds
from keysmith.django.ownership import owner_reference
from keysmith.django.runtime import get_service
from keysmith.django.states import state_filter
from keysmith.django.store import resolve_scopes
from keysmith.models.base import AbstractToken
from keysmith.models.utils import get_token_model
from keysmith.services.tokens import create_token, revoke_token, rotate_token


class DjangoBackend:
    """``keysmith.core.selfservice.Backend`` for one DRF request (the audit context)."""

    def __init__(self, request: Any) -> None:
        self.request = request
        self.model: type[AbstractToken] = get_token_model()

    def now(self) -> datetime:
        return get_service().clock.now()

    def policy(self) -> TokenPolicy:
        return get_service().policy

    def find(self, token_id: str) -> AbstractToken | None:
        try:
            pk = self.model._meta.pk.to_python(token_id)
        except ValidationError:
            return None
        token: AbstractToken | None = self.model._default_manager.filter(pk=pk).first()
        return token

    def _user(self, owner: str) -> Any:
        users = get_user_model()._default_manager
        try:
            return users.filter(pk=users.model._meta.pk.to_python(owner)).first()
        except (ValidationError, ValueError):
            return None

    def _owner(self, caller: Caller, owner: str) -> Any:
        """The user a new token is for (only someone who manages others names another)."""
        user = caller.actor if owner == caller.owner else self._user(owner)
        if user is None:
            raise invalid("owner: there is no user with this id.")
        return user

    def _owned(self, owner: str) -> QuerySet[AbstractToken]:
        user = self._user(owner)
        tokens: QuerySet[AbstractToken] = self.model._default_manager.all()
        owned: QuerySet[AbstractToken] = (
            tokens.none() if user is None else tokens.filter(user=user.pk)
        )
        return owned

    def page(
        self, owner: str, states: frozenset[str], now: datetime, offset: int, limit: int
    ) -> tuple[int, list[AbstractToken]]:
        rows = self._owned(owner)
        if states:
            either = Q()
            for state in states:
                either |= state_filter(STATE_RULES[state], now)
            rows = rows.filter(either)
        count = rows.count()
        page = rows.order_by("-created_at", "-pk").prefetch_related("scopes")
        return count, list(page[offset : offset + limit])

    def count_live(self, owner: str, now: datetime) -> int:
        live: int = self._owned(owner).filter(state_filter(STATE_RULES[ACTIVE], now)).count()
        return live

    def hold_owner(self, owner: str) -> bool:
        # The owner's row stays locked until the creation commits (the view runs the flow in one
        # transaction), so two requests cannot both pass the limit (on databases with row locks;
        # SQLite writes one transaction at a time). Waiting for the lock is bounded by the
        # database's lock timeout.
        user = self._user(owner)
        if user is None:
            raise invalid("owner: there is no user with this id.")
        users = get_user_model()._default_manager
        list(users.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
        return True

    def release_holds(self) -> None:
        """The row lock ends with the view's transaction."""

    def held_scopes(self, caller: Caller, principal: str, scopes: tuple[str, ...]) -> set[str]:
        user = self._owner(caller, principal)
        permissions = self.model._meta.get_field("scopes").related_model
        held = set()
        for name in scopes:
            try:
                found = resolve_scopes(permissions, [name])  # type: ignore[arg-type]
            except ValueError:
                continue  # an unknown scope is one nobody holds
            if found and all(holds(user, permission) for permission in found):
                held.add(name)
        return held

    @sensitive_variables("raw")
    def create(
        self,
        caller: Caller,
        owner: str,
        *,
        name: str,
        description: str,
        scopes: tuple[str, ...],
        expires_at: Expiry,
    ) -> tuple[AbstractToken, str]:
        token, raw = create_token(
            name=name,
            description=description,
            user=self._owner(caller, owner),
            created_by=caller.actor,
            scopes=list(scopes),
            expires_at=expires_at,
            request=self.request,
        )
        return token, raw

    @sensitive_variables()
    def rotate(self, caller: Caller, record: AbstractToken, grace: timedelta | None) -> str:
        return rotate_token(record, request=self.request, actor=caller.actor, grace=grace)

    def revoke(self, caller: Caller, record: AbstractToken) -> None:
        revoke_token(record, request=self.request, actor=caller.actor)

    def describe(self, record: AbstractToken) -> TokenView:
        return TokenView(
            id=str(record.pk),
            prefix=record.prefix,
            name=record.name,
            description=record.description,
            owner=owner_reference(record),
            # .all(): the prefetched rows of a listing, else one query.
            scopes=tuple(sorted(p.codename for p in record.scopes.all())),
            created_at=record.created_at,
            expires_at=record.expires_at,
            last_used_at=record.last_used_at,
            revoked=record.revoked,
            purged=record.purged,
        )
