"""Authentication as a flow: parse, look up, verify, check state, admit, upgrade, record use.

The decisions (what a forged secret may cost, what a prefix holder may learn) are made here
once for the synchronous and the asynchronous service alike.
"""

from __future__ import annotations

from datetime import datetime
from typing import Generic, cast

from keysmith.core import events
from keysmith.core.audit import RequestContext
from keysmith.core.budget import FailureTracker
from keysmith.core.cache import VerifiedSecretCache
from keysmith.core.clock import Clock
from keysmith.core.errors import DisabledToken, InvalidToken, TokenAuthError
from keysmith.core.format import ParsedToken, TokenFormat
from keysmith.core.operations import Call, Compute, Emit, Flow, call_store
from keysmith.core.outcome import AuthOutcome
from keysmith.core.policy import TokenPolicy, candidate_keys, check_state, is_usage_stale
from keysmith.core.stores import R, TokenStore


class AuthenticationFlows(Generic[R]):
    """The authentication flow and its audit events, from a policy, a clock and the
    per-process memory (verified secrets, failed slow checks)."""

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
        # The store protocol's methods, typed for this flow's records: what ``call_store`` is
        # given, so mypy checks each call (``TokenStore[R]`` itself costs a microsecond a use).
        self.store_methods = cast("type[TokenStore[R]]", TokenStore)

    def authenticate(
        self,
        raw: object,
        *,
        context: RequestContext | None = None,
        audit: bool = True,
        client: str | None = None,
    ) -> Flow[R]:
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

    def _audited(self, flow: Flow[R], context: RequestContext | None) -> Flow[R]:
        try:
            record = yield from flow
        except TokenAuthError as error:
            yield Emit(events.auth_failure(error, self.clock.now(), context=context))
            raise
        yield Emit(events.auth_success(self.clock.now(), record, context=context))
        return record

    def record_outcome(self, outcome: AuthOutcome, status_code: int) -> Flow[None]:
        """Audit a request's authentication outcome once, with the response's status code."""
        if outcome.audited:
            return
        built = events.request_event(outcome, self.clock.now(), status_code)
        if built is not None:
            # Nothing recorded yet leaves the outcome open: a route may still require a token.
            outcome.audited = True
            yield Emit(built)

    def _authenticate(self, raw: object, client: str | None) -> Flow[R]:
        parsed = TokenFormat.parse(raw)
        # This frame outlives the call in an error report's traceback, where no
        # sensitive_variables filter reaches: keep only the parsed token, whose repr hides the
        # secret.
        del raw
        hashing = self.policy.hashing
        record = yield from call_store(self.store_methods.get_by_prefix, parsed.prefix)
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
            upgraded = yield from call_store(
                TokenStore.upgrade_key, record, old_key=matched, new_key=new_key
            )
            if upgraded and self.cache is not None and hashing.is_slow(new_key):
                self.cache.remember(record.prefix, new_key, parsed.secret)
        resolution = self.policy.usage_resolution
        if is_usage_stale(record, now, resolution):
            stale_before = now - resolution
            yield from call_store(
                self.store_methods.touch, record, now=now, stale_before=stale_before
            )
        return record

    def _verify(
        self, record: R, parsed: ParsedToken, now: datetime, client: str | None
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
        self, record: R, key: str, parsed: ParsedToken, client: str | None
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
