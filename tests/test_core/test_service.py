"""The synchronous lifecycle service over the in-memory store."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

import pytest
from test_core.conftest import CountingHasher

from keysmith.core import (
    NO_EXPIRY,
    AuthOutcome,
    ExpiredToken,
    FrozenClock,
    Hashing,
    HMACSHA256TokenHasher,
    InsufficientScope,
    InvalidToken,
    LoggingAuditSink,
    MemoryAuditSink,
    MemoryTokenStore,
    NullAuditSink,
    PrefixCollision,
    RateLimited,
    RequestContext,
    RevokedToken,
    ScopeError,
    ScopePolicy,
    TokenChanged,
    TokenPolicy,
    TokenService,
    TokenStateError,
    sink_enabled,
)
from keysmith.core.errors import KeysmithError


def test_create_stores_only_hash_and_returns_raw_token(
    service: TokenService[Any], store: MemoryTokenStore
) -> None:
    token, raw = service.create(name="ci", description="deploys")
    stored = store.get_by_prefix(token.prefix)
    assert stored is not None
    assert raw.startswith(token.prefix + ":")
    secret = raw[len(token.prefix) + 1 : -6]
    assert secret not in stored.key
    assert stored.key.startswith("pbkdf2_sha512$1000$")
    assert (stored.name, stored.description, stored.token_type) == ("ci", "deploys", "user")


def test_create_default_lifetime_sets_expiry(
    service: TokenService[Any], clock: FrozenClock
) -> None:
    token, _ = service.create(name="ci")
    assert token.expires_at == clock.now() + timedelta(days=90)


def test_create_no_expiry_sentinel_overrides_default_lifetime(service: TokenService[Any]) -> None:
    token, _ = service.create(name="ci", expires_at=NO_EXPIRY)
    assert token.expires_at is None


def test_create_no_default_lifetime_never_expires(make_service: Any) -> None:
    token, _ = make_service(default_lifetime=None).create(name="ci")
    assert token.expires_at is None


def test_create_collision_retries_with_new_prefix(
    service: TokenService[Any], store: MemoryTokenStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts: list[str] = []
    original = store.insert

    def flaky(new: Any) -> Any:
        attempts.append(new.prefix)
        if len(attempts) < 3:
            raise PrefixCollision(new.prefix)
        return original(new)

    monkeypatch.setattr(store, "insert", flaky)
    token, raw = service.create(name="ci")
    assert len(set(attempts)) == 3
    assert token.prefix == attempts[-1]
    assert service.authenticate(raw).prefix == token.prefix


def test_create_collision_every_time_gives_up(
    service: TokenService[Any], store: MemoryTokenStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def always(new: Any) -> Any:
        raise PrefixCollision(new.prefix)

    monkeypatch.setattr(store, "insert", always)
    with pytest.raises(KeysmithError, match="No free token prefix after 8 attempts"):
        service.create(name="ci")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "non-empty"),
        ("x" * 129, r"must be 128 characters or fewer \(got 129\)"),
        (None, "non-empty"),
    ],
)
def test_create_bad_name_raises_value_error(
    service: TokenService[Any], name: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        service.create(name=name)


def test_create_bad_token_type_raises_value_error(service: TokenService[Any]) -> None:
    with pytest.raises(ValueError, match="Token type"):
        service.create(name="ci", token_type="robot")


def test_create_naive_expiry_raises_value_error(
    service: TokenService[Any], clock: FrozenClock
) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        service.create(name="ci", expires_at=clock.now().replace(tzinfo=None))


def test_create_scopes_omitted_uses_defaults(make_service: Any, store: MemoryTokenStore) -> None:
    svc = make_service(scopes=ScopePolicy(frozenset({"read", "write"}), ("read",)))
    token, _ = svc.create(name="ci")
    assert store.scopes_of(token) == {"read"}


def test_create_scope_outside_available_raises(make_service: Any) -> None:
    svc = make_service(scopes=ScopePolicy(frozenset({"read"})))
    with pytest.raises(ScopeError, match="admin"):
        svc.create(name="ci", scopes=["read", "admin"])


def test_create_single_string_scopes_raises(service: TokenService[Any]) -> None:
    with pytest.raises(ScopeError, match="single string"):
        service.create(name="ci", scopes="read")


def test_authenticate_first_use_runs_one_slow_hash_then_none(
    service: TokenService[Any], hasher: CountingHasher
) -> None:
    _, raw = service.create(name="ci")
    assert hasher.verify_calls == 0
    service.authenticate(raw)
    assert hasher.verify_calls == 1
    for _ in range(5):
        service.authenticate(raw)
    assert hasher.verify_calls == 1


def test_authenticate_wrong_secret_on_cached_token_runs_no_slow_hash(
    service: TokenService[Any], hasher: CountingHasher
) -> None:
    token, raw = service.create(name="ci")
    service.authenticate(raw)
    wrong = service.policy.format.reissue(token.prefix).raw
    with pytest.raises(InvalidToken) as caught:
        service.authenticate(wrong)
    assert caught.value.reason == "wrong_secret"
    assert hasher.verify_calls == 1


def test_authenticate_wrong_secret_on_uncached_token_runs_one_slow_hash(
    service: TokenService[Any], hasher: CountingHasher
) -> None:
    token, _ = service.create(name="ci")
    with pytest.raises(InvalidToken):
        service.authenticate(service.policy.format.reissue(token.prefix).raw)
    assert hasher.verify_calls == 1


def test_authenticate_cache_disabled_hashes_every_time(
    make_service: Any, hasher: CountingHasher
) -> None:
    svc = make_service(cache_size=0)
    _, raw = svc.create(name="ci")
    svc.authenticate(raw)
    svc.authenticate(raw)
    assert hasher.verify_calls == 2


def test_authenticate_malformed_token_touches_no_store(
    service: TokenService[Any], store: MemoryTokenStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "get_by_prefix", lambda prefix: pytest.fail("store was read"))
    with pytest.raises(InvalidToken, match="Malformed"):
        service.authenticate("tok_abcdefgh:nochecksum")


def test_authenticate_unknown_prefix_raises_invalid(service: TokenService[Any]) -> None:
    raw = service.policy.format.generate().raw
    with pytest.raises(InvalidToken) as caught:
        service.authenticate(raw)
    assert caught.value.reason == "unknown_prefix"
    assert caught.value.token is None


def test_authenticate_revoked_token_right_secret_raises_revoked(service: TokenService[Any]) -> None:
    token, raw = service.create(name="ci")
    service.revoke(token)
    with pytest.raises(RevokedToken) as caught:
        service.authenticate(raw)
    assert caught.value.token.prefix == token.prefix


def test_authenticate_purged_token_raises_revoked(service: TokenService[Any]) -> None:
    token, raw = service.create(name="ci")
    service.purge(token)
    with pytest.raises(RevokedToken) as caught:
        service.authenticate(raw)
    assert caught.value.reason == "purged"


def test_authenticate_expired_token_right_secret_raises_expired(
    service: TokenService[Any], clock: FrozenClock
) -> None:
    _, raw = service.create(name="ci", expires_at=clock.now() + timedelta(hours=1))
    clock.advance(timedelta(hours=1))
    with pytest.raises(ExpiredToken):
        service.authenticate(raw)


@pytest.mark.parametrize("state", ["revoked", "purged", "expired"])
def test_authenticate_wrong_secret_hides_token_state(
    service: TokenService[Any], clock: FrozenClock, state: str
) -> None:
    token, _ = service.create(name="ci", expires_at=clock.now() + timedelta(hours=1))
    if state == "revoked":
        service.revoke(token)
    elif state == "purged":
        service.purge(token)
    else:
        clock.advance(timedelta(days=1))
    with pytest.raises(InvalidToken) as caught:
        service.authenticate(service.policy.format.reissue(token.prefix).raw)
    assert type(caught.value) is InvalidToken
    assert str(caught.value) == str(InvalidToken())


def test_authenticate_usage_written_once_per_resolution(
    service: TokenService[Any],
    clock: FrozenClock,
    store: MemoryTokenStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _token, raw = service.create(name="ci")
    writes: list[Any] = []
    original = store.touch
    monkeypatch.setattr(store, "touch", lambda r, **kw: writes.append(kw) or original(r, **kw))
    service.authenticate(raw)
    clock.advance(timedelta(seconds=30))
    service.authenticate(raw)
    assert len(writes) == 1
    clock.advance(timedelta(seconds=31))
    assert service.authenticate(raw).last_used_at == clock.now()
    assert len(writes) == 2
    assert writes[1]["stale_before"] == clock.now() - timedelta(seconds=60)


def test_authenticate_zero_resolution_writes_every_time(
    make_service: Any, clock: FrozenClock
) -> None:
    svc = make_service(usage_resolution=timedelta(0))
    _, raw = svc.create(name="ci")
    svc.authenticate(raw)
    clock.advance(timedelta(microseconds=1))
    assert svc.authenticate(raw).last_used_at == clock.now()


def test_authenticate_outdated_hash_is_upgraded_in_place(
    clock: FrozenClock, store: MemoryTokenStore, sink: MemoryAuditSink
) -> None:
    old = TokenService(
        store, policy=TokenPolicy(hashing=Hashing(CountingHasher())), clock=clock, sink=sink
    )
    token, raw = old.create(name="ci")
    fast = HMACSHA256TokenHasher({"k1": "pepper-0123456789abcdef"})
    new = TokenService(store, policy=TokenPolicy(hashing=Hashing(fast)), clock=clock, sink=sink)
    new.authenticate(raw)
    upgraded = store.get_by_prefix(token.prefix)
    assert upgraded is not None
    assert upgraded.key.startswith("hmac_sha256$k1$")
    fresh = TokenService(store, policy=TokenPolicy(hashing=Hashing(fast)), clock=clock, sink=sink)
    assert fresh.authenticate(raw).prefix == token.prefix


def test_rotate_old_secret_fails_new_works(
    service: TokenService[Any], store: MemoryTokenStore
) -> None:
    token, raw = service.create(name="ci")
    service.authenticate(raw)
    new_raw = service.rotate(token, actor="admin")
    assert new_raw.startswith(token.prefix + ":")
    with pytest.raises(InvalidToken):
        service.authenticate(raw)
    assert service.authenticate(new_raw).id == token.id
    stored = store.get_by_prefix(token.prefix)
    assert stored is not None
    assert stored.previous_key is None


def test_rotate_clears_last_used(service: TokenService[Any]) -> None:
    _token, raw = service.create(name="ci")
    used = service.authenticate(raw)
    assert used.last_used_at is not None
    service.rotate(used)
    assert used.last_used_at is None


def test_rotate_with_grace_old_secret_works_until_grace_ends(
    service: TokenService[Any], clock: FrozenClock
) -> None:
    token, raw = service.create(name="ci")
    new_raw = service.rotate(token, grace=timedelta(minutes=5))
    assert service.authenticate(raw).prefix == token.prefix
    assert service.authenticate(new_raw).prefix == token.prefix
    clock.advance(timedelta(minutes=5))
    with pytest.raises(InvalidToken):
        service.authenticate(raw)
    assert service.authenticate(new_raw).prefix == token.prefix


def test_rotate_policy_grace_applies_by_default(make_service: Any, clock: FrozenClock) -> None:
    svc = make_service(rotation_grace=timedelta(seconds=30))
    token, raw = svc.create(name="ci")
    svc.rotate(token)
    assert svc.authenticate(raw).prefix == token.prefix


def test_rotate_revoked_token_raises_state_error(service: TokenService[Any]) -> None:
    token, _ = service.create(name="ci")
    service.revoke(token)
    with pytest.raises(TokenStateError):
        service.rotate(token)
    assert issubclass(TokenStateError, ValueError)


def test_rotate_stale_record_revoked_elsewhere_raises_and_changes_nothing(
    service: TokenService[Any], store: MemoryTokenStore
) -> None:
    token, raw = service.create(name="ci")
    stale = store.get_by_prefix(token.prefix)
    service.revoke(token)
    with pytest.raises(TokenChanged, match="since it was read"):
        service.rotate(stale)
    with pytest.raises(RevokedToken):
        service.authenticate(raw)


def test_rotate_revoked_token_says_so_in_django_keysmith_words(service: TokenService[Any]) -> None:
    token, _ = service.create(name="ci")
    service.revoke(token)
    with pytest.raises(TokenStateError, match=r"^Cannot rotate a revoked or purged token$"):
        service.rotate(token)


def test_rotate_stale_record_after_other_rotation_hands_out_nothing(
    service: TokenService[Any], store: MemoryTokenStore, sink: MemoryAuditSink
) -> None:
    token, _ = service.create(name="ci")
    stale = store.get_by_prefix(token.prefix)
    winner = service.rotate(token)
    with pytest.raises(TokenChanged):
        service.rotate(stale)
    assert service.authenticate(winner).prefix == token.prefix
    assert sink.actions().count("rotated") == 1


def test_rotate_stale_record_cannot_revive_secret_killed_by_emergency_rotation(
    service: TokenService[Any], store: MemoryTokenStore, clock: FrozenClock
) -> None:
    token, leaked = service.create(name="ci")
    stale = store.get_by_prefix(token.prefix)  # read while ``leaked`` was current
    fresh = service.rotate(token)  # the emergency rotation: no grace, ``leaked`` dies
    with pytest.raises(TokenChanged):
        # A scheduled rotation with a grace window, from the record read before.
        service.rotate(stale, grace=timedelta(hours=1))
    clock.advance(timedelta(minutes=1))
    with pytest.raises(InvalidToken):
        service.authenticate(leaked)
    assert service.authenticate(fresh).prefix == token.prefix


def test_rotate_expired_token_refused_with_expiry_and_changes_nothing(
    service: TokenService[Any], store: MemoryTokenStore, clock: FrozenClock
) -> None:
    token, _ = service.create(name="ci", expires_at=clock.now() + timedelta(days=1))
    key = token.key
    clock.advance(timedelta(days=2))
    with pytest.raises(TokenStateError, match="Cannot rotate an expired token"):
        service.rotate(token)
    assert store.get_by_prefix(token.prefix).key == key


def test_rotate_concurrent_threads_exactly_one_wins(
    service: TokenService[Any], store: MemoryTokenStore
) -> None:
    token, _ = service.create(name="ci")
    stale = [store.get_by_prefix(token.prefix) for _ in range(8)]
    barrier = threading.Barrier(len(stale))
    won: list[str] = []
    lost: list[BaseException] = []

    def rotate(record: Any) -> None:
        barrier.wait()
        try:
            won.append(service.rotate(record))
        except TokenChanged as error:
            lost.append(error)

    threads = [threading.Thread(target=rotate, args=(record,)) for record in stale]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (len(won), len(lost)) == (1, 7)
    assert service.authenticate(won[0]).prefix == token.prefix


def test_revoke_audits_only_state_changes(
    service: TokenService[Any], sink: MemoryAuditSink
) -> None:
    token, _ = service.create(name="ci")
    assert service.revoke(token, actor="alice") is True
    assert service.revoke(token, actor="alice") is False
    revoked = [e for e in sink.events if e.action == "revoked"]
    assert len(revoked) == 1
    assert dict(revoked[0].extra) == {"actor_id": "alice", "purge": False}


def test_purge_audits_with_purge_flag(service: TokenService[Any], sink: MemoryAuditSink) -> None:
    token, _ = service.create(name="ci")
    service.purge(token)
    assert (token.revoked, token.purged) == (True, True)
    assert dict(sink.events[-1].extra) == {"actor_id": None, "purge": True}


def test_mark_used_sets_last_used_now(service: TokenService[Any], clock: FrozenClock) -> None:
    token, _ = service.create(name="ci")
    service.mark_used(token)
    assert token.last_used_at == clock.now()


def test_require_scopes_all_listed_needed(service: TokenService[Any]) -> None:
    token, _ = service.create(name="ci", scopes=["read", "write"])
    service.require_scopes(token, ["read"])
    service.require_scopes(token, ["read", "write"])
    with pytest.raises(InsufficientScope) as caught:
        service.require_scopes(token, ["read", "admin"])
    assert caught.value.missing == frozenset({"admin"})


def test_audit_events_carry_context_and_never_secret(
    service: TokenService[Any], sink: MemoryAuditSink
) -> None:
    context = RequestContext(path="/api", method="GET", ip_address="127.0.0.1", user_agent="t")
    token, raw = service.create(name="ci", created_by="bob", context=context)
    service.authenticate(raw, context=context)
    with pytest.raises(InvalidToken):
        service.authenticate(raw[:-1] + ("0" if raw[-1] != "0" else "1"), context=context)
    assert sink.actions() == ["created", "auth_success", "auth_failed"]
    assert dict(sink.events[0].extra) == {"actor_id": "bob", "token_name": "ci"}
    assert all(e.context == context for e in sink.events)
    assert dict(sink.events[2].extra) == {
        "error": "invalid_token",
        "reason": "malformed",
        "error_code": "invalidtoken",
    }
    secret = raw[len(token.prefix) + 1 : -6]
    assert all(secret not in repr(e) for e in sink.events)


def test_authenticate_audit_false_emits_nothing(
    service: TokenService[Any], sink: MemoryAuditSink
) -> None:
    _, raw = service.create(name="ci")
    service.authenticate(raw, audit=False)
    assert sink.actions() == ["created"]


def test_failing_sink_never_breaks_operations(
    store: MemoryTokenStore, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken:
        def emit(self, event: Any) -> None:
            raise RuntimeError("disk full")

    svc = TokenService(
        store, policy=TokenPolicy(hashing=Hashing(CountingHasher())), sink=Broken(), clock=clock
    )
    token, raw = svc.create(name="ci")
    assert svc.authenticate(raw).prefix == token.prefix
    assert svc.revoke(token) is True
    assert "audit sink failed" in caplog.text


def test_service_defaults_use_sha256_and_logging_sink() -> None:
    svc = TokenService(MemoryTokenStore())
    assert svc.policy.hashing.primary.algorithm == "sha256"
    assert type(svc.sink).__name__ == "LoggingAuditSink"
    assert svc.cache is not None
    assert svc.cache.max_entries == 10_000


@pytest.mark.parametrize(
    ("outcome", "action", "extra"),
    [
        (AuthOutcome(token_required=True), "auth_failed", "missing_token"),
        (AuthOutcome(error=RateLimited()), "auth_failed", "rate_limited"),
        (AuthOutcome(error=InvalidToken(reason="wrong_secret")), "auth_failed", "invalid_token"),
    ],
)
def test_record_outcome_failures_audited_once_with_status(
    service: TokenService[Any], sink: MemoryAuditSink, outcome: AuthOutcome, action: str, extra: str
) -> None:
    service.record_outcome(outcome, 401)
    service.record_outcome(outcome, 401)
    assert sink.actions() == [action]
    assert sink.events[0].status_code == 401
    assert sink.events[0].extra["error"] == extra


def test_record_outcome_success_carries_token_and_context(
    service: TokenService[Any], sink: MemoryAuditSink
) -> None:
    token, raw = service.create(name="ci")
    context = RequestContext(path="/x", method="POST")
    outcome = AuthOutcome(context=context, token=service.authenticate(raw, audit=False))
    service.record_outcome(outcome, 201)
    assert sink.actions() == ["created", "auth_success"]
    assert (sink.events[1].token_prefix, sink.events[1].status_code) == (token.prefix, 201)
    assert sink.events[1].context == context


def test_record_outcome_anonymous_request_not_needing_token_records_nothing(
    service: TokenService[Any], sink: MemoryAuditSink
) -> None:
    outcome = AuthOutcome()
    service.record_outcome(outcome, 200)
    assert sink.events == []
    outcome.token_required = True
    service.record_outcome(outcome, 401)
    assert sink.actions() == ["auth_failed"]


class SwitchableSink(MemoryAuditSink):
    """A sink that can be switched off, and counts the events it was handed while off."""

    def __init__(self) -> None:
        super().__init__()
        self.enabled = False
        self.handed_while_off = 0

    def emit(self, event: Any) -> None:
        if not self.enabled:
            self.handed_while_off += 1
        super().emit(event)


def test_record_outcome_builds_nothing_while_the_sink_is_off(store: MemoryTokenStore) -> None:
    sink = SwitchableSink()
    service = TokenService(store, sink=sink)
    outcome = AuthOutcome(error=InvalidToken(reason="malformed"))
    assert service.auditing is False
    service.record_outcome(outcome, 401)
    assert (sink.events, sink.handed_while_off, outcome.audited) == ([], 0, False)
    sink.enabled = True
    assert service.auditing is True
    service.record_outcome(outcome, 401)
    assert sink.actions() == ["auth_failed"]


def test_logging_sink_is_enabled_exactly_when_its_logger_would_write(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sink = LoggingAuditSink(logging.getLogger("keysmith.test.audit"), level=logging.INFO)
    caplog.set_level(logging.WARNING, logger="keysmith.test.audit")
    assert sink_enabled(sink) is False
    caplog.set_level(logging.INFO, logger="keysmith.test.audit")
    assert sink_enabled(sink) is True
    assert sink_enabled(NullAuditSink()) is False
    assert sink_enabled(MemoryAuditSink()) is True  # no ``enabled`` attribute: always on
