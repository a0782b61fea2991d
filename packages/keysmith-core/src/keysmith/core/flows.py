"""The lifecycle written once, as generators that yield the I/O they need (see
``keysmith.core.operations``): create, rotate, revoke and purge, plus authentication."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from keysmith.core import events
from keysmith.core.audit import RequestContext
from keysmith.core.auth_flows import AuthenticationFlows
from keysmith.core.errors import KeysmithError, PrefixCollision, TokenChanged
from keysmith.core.operations import Compute, Emit, Flow, call_store
from keysmith.core.policy import (
    Expiry,
    check_rotatable,
    expiry_for,
    validate_name,
    validate_token_type,
)
from keysmith.core.records import NewToken
from keysmith.core.stores import R

__all__ = ["Flows"]


class Flows(AuthenticationFlows[R]):
    """Builds the flow of each lifecycle operation; authentication comes from its base."""

    def create(
        self,
        *,
        name: str,
        description: str = "",
        user: Any = None,
        created_by: Any = None,
        scopes: Iterable[Any] | None = None,
        expires_at: Expiry = None,
        token_type: str | None = None,
        scope_name: Callable[[Any], str] = str,
        context: RequestContext | None = None,
    ) -> Flow[tuple[R, str]]:
        policy = self.policy
        now = self.clock.now()
        base = {
            "name": validate_name(name, policy.max_name_length),
            "description": description or "",
            "token_type": validate_token_type(token_type),
            "user": user,
            "created_by": created_by,
            "scopes": policy.scopes.resolve(scopes, scope_name),
            "created_at": now,
            "expires_at": expiry_for(now, expires_at, policy.default_lifetime),
        }
        for _attempt in range(policy.create_attempts):
            issued = policy.format.generate()
            key = yield Compute(policy.hashing.hash, (issued.secret,))
            try:
                new = NewToken(prefix=issued.prefix, key=key, **base)
                record = yield from call_store(self.store_methods.insert, new)
            except PrefixCollision:
                continue
            actor, name = created_by or user, base["name"]
            yield Emit(events.created(now, record, actor=actor, name=name, context=context))
            return record, issued.raw
        raise KeysmithError(f"No free token prefix after {policy.create_attempts} attempts.")

    def rotate(
        self,
        record: R,
        *,
        actor: Any = None,
        context: RequestContext | None = None,
        grace: timedelta | None = None,
    ) -> Flow[str]:
        now = self.clock.now()
        check_rotatable(record, now)
        issued = self.policy.format.reissue(record.prefix)
        key = yield Compute(self.policy.hashing.hash, (issued.secret,))
        grace = grace if grace is not None else self.policy.rotation_grace
        previous = (record.key, now + grace) if grace else (None, None)
        replaced = yield from call_store(
            self.store_methods.replace_key,
            record,
            key=key,
            previous_key=previous[0],
            previous_key_expires_at=previous[1],
        )
        if not replaced:
            raise TokenChanged(
                "The token was rotated, revoked or purged since it was read; nothing was "
                "rotated. Read it again to rotate it."
            )
        yield Emit(events.rotated(now, record, actor=actor, grace=grace, context=context))
        return issued.raw

    def revoke(
        self,
        record: R,
        *,
        purge: bool = False,
        actor: Any = None,
        context: RequestContext | None = None,
    ) -> Flow[bool]:
        changed = yield from call_store(self.store_methods.revoke, record, purge=purge)
        if changed:
            now = self.clock.now()
            yield Emit(events.revoked(now, record, actor=actor, purge=purge, context=context))
        return bool(changed)

    def mark_used(self, record: R) -> Flow[None]:
        yield from call_store(
            self.store_methods.touch, record, now=self.clock.now(), stale_before=None
        )
