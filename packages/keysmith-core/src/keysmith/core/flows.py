"""The lifecycle written once, as generators that yield the I/O they need.

Each flow is a plain generator: it makes every decision itself and yields an operation
whenever it needs the store, slow CPU work or the audit sink. ``TokenService`` runs the
operations synchronously, ``AsyncTokenService`` awaits them, so the two never diverge.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, NamedTuple, TypeVar

from keysmith.core.audit import Action, AuditEvent, RequestContext
from keysmith.core.budget import FailureTracker
from keysmith.core.cache import VerifiedSecretCache
from keysmith.core.clock import Clock
from keysmith.core.errors import (
    DisabledToken,
    InvalidToken,
    KeysmithError,
    PrefixCollision,
    TokenAuthError,
    TokenChanged,
)
from keysmith.core.format import ParsedToken, TokenFormat
from keysmith.core.outcome import AuthOutcome, failure_event, outcome_event
from keysmith.core.policy import (
    Expiry,
    TokenPolicy,
    actor_id,
    candidate_keys,
    check_rotatable,
    check_state,
    event,
    expiry_for,
    is_usage_stale,
    validate_name,
    validate_token_type,
)
from keysmith.core.records import NewToken

T = TypeVar("T")


# Operations are named tuples: one is built per store call on every request, and a tuple is
# built in half the time of a frozen dataclass.
_NO_KWARGS: Mapping[str, Any] = MappingProxyType({})


class StoreCall(NamedTuple):
    """Call ``method`` on the store."""

    method: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = _NO_KWARGS


class Compute(NamedTuple):
    """CPU-heavy work (hashing): the async service runs it off the event loop."""

    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()

    def __repr__(self) -> str:
        # The arguments are a secret and a hash: a frame's locals in an error report show this.
        return f"Compute({getattr(self.fn, '__qualname__', self.fn)!r}, <hidden>)"


class Emit(NamedTuple):
    """Hand an event to the audit sink; failures are logged and ignored."""

    event: AuditEvent


class Call(NamedTuple):
    """Call an application hook; the async service awaits what it returns when awaitable."""

    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()


Operation = StoreCall | Compute | Emit | Call
Flow = Generator[Operation, Any, T]


class Flows:
    """Builds the flow of each lifecycle operation from a policy, a clock and a cache."""

    def __init__(
        self,
        policy: TokenPolicy,
        clock: Clock,
        cache: VerifiedSecretCache | None,
        failures: FailureTracker | None = None,
    ) -> None:
        self.policy = policy
        self.clock = clock
        self.cache = cache
        self.failures = failures

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
    ) -> Flow[tuple[Any, str]]:
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
                record = yield StoreCall(
                    "insert", (NewToken(prefix=issued.prefix, key=key, **base),)
                )
            except PrefixCollision:
                continue
            # django-keysmith's fields: the creator, else the owner, and the token's name.
            extra = {"actor_id": actor_id(created_by or user), "token_name": base["name"]}
            yield Emit(event(Action.CREATED, now, record, context=context, extra=extra))
            return record, issued.raw
        raise KeysmithError(f"No free token prefix after {policy.create_attempts} attempts.")

    def rotate(
        self,
        record: Any,
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
        replaced = yield StoreCall(
            "replace_key",
            (record,),
            {"key": key, "previous_key": previous[0], "previous_key_expires_at": previous[1]},
        )
        if not replaced:
            raise TokenChanged(
                "The token was rotated, revoked or purged since it was read; nothing was "
                "rotated. Read it again to rotate it."
            )
        extra: dict[str, Any] = {"actor_id": actor_id(actor)}
        if grace:
            extra["grace_seconds"] = int(grace.total_seconds())
        yield Emit(event(Action.ROTATED, now, record, context=context, extra=extra))
        return issued.raw

    def revoke(
        self,
        record: Any,
        *,
        purge: bool = False,
        actor: Any = None,
        context: RequestContext | None = None,
    ) -> Flow[bool]:
        changed = yield StoreCall("revoke", (record,), {"purge": purge})
        if changed:
            extra = {"actor_id": actor_id(actor), "purge": purge}
            yield Emit(
                event(Action.REVOKED, self.clock.now(), record, context=context, extra=extra)
            )
        return bool(changed)

    def mark_used(self, record: Any) -> Flow[None]:
        yield StoreCall("touch", (record,), {"now": self.clock.now(), "stale_before": None})

    def authenticate(
        self,
        raw: object,
        *,
        context: RequestContext | None = None,
        audit: bool = True,
        client: str | None = None,
    ) -> Flow[Any]:
        """Parse, look up, verify, check state, admit, upgrade the hash, record usage, audit.

        ``client`` (the caller's address) is what failed slow verifications are counted under;
        without it, the context's address.
        """
        if client is None and context is not None:
            client = context.ip_address
        if not audit:
            # The adapters' per-request path (they audit the outcome later): one generator less.
            return self._authenticate(raw, client)
        return self._audited(self._authenticate(raw, client), context)

    def _audited(self, flow: Flow[Any], context: RequestContext | None) -> Flow[Any]:
        try:
            record = yield from flow
        except TokenAuthError as error:
            yield Emit(self.auth_failure_event(error, context=context))
            raise
        yield Emit(event(Action.AUTH_SUCCESS, self.clock.now(), record, context=context))
        return record

    def auth_failure_event(
        self, error: TokenAuthError, *, context: RequestContext | None = None, status_code: int = 0
    ) -> AuditEvent:
        return failure_event(error, self.clock.now(), context=context, status_code=status_code)

    def record_outcome(self, outcome: AuthOutcome, status_code: int) -> Flow[None]:
        """Audit a request's authentication outcome once, with the response's status code."""
        if outcome.audited:
            return
        built = outcome_event(outcome, self.clock.now(), status_code)
        if built is not None:
            # Nothing recorded yet leaves the outcome open: a route may still require a token.
            outcome.audited = True
            yield Emit(built)

    def _authenticate(self, raw: object, client: str | None) -> Flow[Any]:
        parsed = TokenFormat.parse(raw)
        # This frame outlives the call in an error report's traceback, where no
        # sensitive_variables filter reaches: keep only the parsed token, whose repr hides the
        # secret.
        del raw
        hashing = self.policy.hashing
        record = yield StoreCall("get_by_prefix", (parsed.prefix,))
        if record is None:
            hashing.pad(parsed.secret, 0)
            raise InvalidToken(reason="unknown_prefix")
        now = self.clock.now()
        matched = yield from self._verify(record, parsed, now, client)
        if matched is None:
            raise InvalidToken(reason="wrong_secret", token=record)
        check_state(record, now)
        admit = self.policy.admit
        if admit is not None and not (yield Call(admit, (record,))):
            raise DisabledToken(reason="not_admitted", token=record)
        if matched == record.key and hashing.needs_rehash(matched):
            new_key = yield Compute(hashing.hash, (parsed.secret,))
            upgraded = yield StoreCall(
                "upgrade_key", (record,), {"old_key": matched, "new_key": new_key}
            )
            if upgraded and self.cache is not None and hashing.is_slow(new_key):
                self.cache.remember(record.prefix, new_key, parsed.secret)
        resolution = self.policy.usage_resolution
        if is_usage_stale(record, now, resolution):
            yield StoreCall("touch", (record,), {"now": now, "stale_before": now - resolution})
        return record

    def _verify(
        self, record: Any, parsed: ParsedToken, now: datetime, client: str | None
    ) -> Flow[str | None]:
        """The stored hash the secret matches, or None.

        Fast hashes are checked inline, every candidate and decoys up to a constant count, so
        timing says nothing about a grace window. A slow hash runs only on a cache miss, and
        only while the failure budget admits this client; a failed run is charged to it.
        """
        hashing, matched, fast = self.policy.hashing, None, 0
        for key in candidate_keys(record, now):
            if not hashing.is_slow(key):
                fast += 1
                if hashing.verify(parsed.secret, key) and matched is None:
                    matched = key
            elif matched is None and (yield from self._verify_slow(record, key, parsed, client)):
                matched = key
        hashing.pad(parsed.secret, fast)
        return matched

    def _verify_slow(
        self, record: Any, key: str, parsed: ParsedToken, client: str | None
    ) -> Flow[bool]:
        cache, failures = self.cache, self.failures
        known = cache.check(record.prefix, key, parsed.secret) if cache is not None else None
        if known is not None:
            return known
        if failures is not None and not failures.admits(record.prefix, client):
            raise InvalidToken(reason="failure_budget", token=record)
        verified: bool = yield Compute(self.policy.hashing.verify, (parsed.secret, key))
        if verified and cache is not None:
            cache.remember(record.prefix, key, parsed.secret)
        elif not verified and failures is not None:
            failures.record_failure(record.prefix, client)
        return verified
