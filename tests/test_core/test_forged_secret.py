"""What a forged secret on a public prefix costs: a fast hash by default, the same work for
every state; with a slow hash, a failure budget per client and per prefix."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from test_core.conftest import CountingHasher

from keysmith.core import (
    ConfigurationError,
    FailureBudget,
    FrozenClock,
    Hashing,
    InvalidToken,
    MemoryTokenStore,
    PBKDF2SHA512TokenHasher,
    SHA256TokenHasher,
    TokenPolicy,
    TokenService,
)
from keysmith.core.budget import FailureTracker, client_key
from keysmith.core.hashing import FAST_CHECKS


class CountingSHA256(SHA256TokenHasher):
    def __init__(self) -> None:
        self.verify_calls = 0

    def verify(self, secret: str, hashed: str) -> bool:
        self.verify_calls += 1
        return super().verify(secret, hashed)


def forged(service: TokenService[Any], prefix: str) -> str:
    return service.policy.format.reissue(prefix).raw


@pytest.fixture
def fast() -> CountingSHA256:
    return CountingSHA256()


@pytest.fixture
def fast_service(fast: CountingSHA256, clock: FrozenClock) -> TokenService[Any]:
    return TokenService(MemoryTokenStore(), policy=TokenPolicy(hashing=Hashing(fast)), clock=clock)


def test_default_policy_hashes_new_tokens_with_sha256() -> None:
    service = TokenService(MemoryTokenStore())
    token, raw = service.create(name="ci")
    assert token.key.startswith("sha256$")
    assert raw.split(":")[1][:-6] not in token.key
    assert service.authenticate(raw).prefix == token.prefix


def test_default_policy_upgrades_pbkdf2_hash_on_first_success() -> None:
    store = MemoryTokenStore()
    legacy = TokenService(store, policy=TokenPolicy(hashing=Hashing(PBKDF2SHA512TokenHasher(1000))))
    token, raw = legacy.create(name="from django-keysmith")
    assert token.key.startswith("pbkdf2_sha512$1000$")
    service = TokenService(store)
    service.authenticate(raw)
    assert store.get_by_prefix(token.prefix).key.startswith("sha256$")
    assert service.authenticate(raw).prefix == token.prefix


@pytest.mark.parametrize("state", ["valid", "forged", "unknown_prefix", "grace", "grace_forged"])
def test_fast_hash_same_number_of_checks_whatever_the_state(
    fast_service: TokenService[Any], fast: CountingSHA256, state: str
) -> None:
    token, raw = fast_service.create(name="ci")
    if state.startswith("grace"):
        raw = fast_service.rotate(token, grace=timedelta(hours=1))
    sent = {
        "valid": raw,
        "grace": raw,
        "forged": forged(fast_service, token.prefix),
        "grace_forged": forged(fast_service, token.prefix),
        "unknown_prefix": forged(fast_service, "tok_Unknown0"),
    }[state]
    fast.verify_calls = 0
    try:
        fast_service.authenticate(sent)
    except InvalidToken:
        assert "forged" in state or state == "unknown_prefix"
    assert fast.verify_calls == FAST_CHECKS


def test_fast_hash_never_enters_verified_cache(fast_service: TokenService[Any]) -> None:
    _, raw = fast_service.create(name="ci")
    fast_service.authenticate(raw)
    assert fast_service.cache is not None
    assert len(fast_service.cache) == 0


def slow_service(
    hasher: CountingHasher, clock: FrozenClock, budget: FailureBudget | None
) -> TokenService[Any]:
    policy = TokenPolicy(hashing=Hashing(hasher), failure_budget=budget)
    return TokenService(MemoryTokenStore(), policy=policy, clock=clock)


def test_slow_hash_client_out_of_failures_refused_without_hashing(
    hasher: CountingHasher, clock: FrozenClock
) -> None:
    service = slow_service(hasher, clock, FailureBudget(per_client=3, per_prefix=100))
    token, raw = service.create(name="ci")
    for _ in range(3):
        with pytest.raises(InvalidToken) as caught:
            service.authenticate(forged(service, token.prefix), client="198.51.100.7")
        assert caught.value.reason == "wrong_secret"
    hashed = hasher.verify_calls
    for _ in range(20):
        with pytest.raises(InvalidToken) as caught:
            service.authenticate(forged(service, token.prefix), client="198.51.100.7")
        assert caught.value.reason == "failure_budget"
    assert hasher.verify_calls == hashed  # not one more key-stretching run
    # The holder, from another address, is verified as ever.
    assert service.authenticate(raw, client="203.0.113.9").prefix == token.prefix


def test_slow_hash_prefix_out_of_failures_still_verifies_clients_without_failures(
    hasher: CountingHasher, clock: FrozenClock
) -> None:
    service = slow_service(hasher, clock, FailureBudget(per_client=2, per_prefix=4))
    token, raw = service.create(name="ci")
    attackers = [f"198.51.100.{n}" for n in range(1, 5)]
    for address in attackers:  # four addresses, one failure each: the prefix's budget is spent
        with pytest.raises(InvalidToken):
            service.authenticate(forged(service, token.prefix), client=address)
    hashed = hasher.verify_calls
    for address in attackers:  # each has failed once: no second slow run on this prefix
        with pytest.raises(InvalidToken) as caught:
            service.authenticate(forged(service, token.prefix), client=address)
        assert caught.value.reason == "failure_budget"
    assert hasher.verify_calls == hashed
    assert service.authenticate(raw, client="203.0.113.9").prefix == token.prefix


def test_slow_hash_cached_holder_unaffected_by_exhausted_budget(
    hasher: CountingHasher, clock: FrozenClock
) -> None:
    service = slow_service(hasher, clock, FailureBudget(per_client=1, per_prefix=1))
    token, raw = service.create(name="ci")
    service.authenticate(raw, client="198.51.100.7")  # verified once: remembered
    with pytest.raises(InvalidToken):
        service.authenticate(forged(service, token.prefix), client="198.51.100.7")
    # The same address, now out of failures, still gets in with the real secret (cached).
    assert service.authenticate(raw, client="198.51.100.7").prefix == token.prefix


def test_slow_hash_without_budget_hashes_every_forgery(
    hasher: CountingHasher, clock: FrozenClock
) -> None:
    service = slow_service(hasher, clock, None)
    token, _ = service.create(name="ci")
    for _ in range(15):
        with pytest.raises(InvalidToken):
            service.authenticate(forged(service, token.prefix), client="198.51.100.7")
    assert hasher.verify_calls == 15


def test_tracker_window_passes_failures_are_forgotten() -> None:
    now = [0.0]
    tracker = FailureTracker(
        FailureBudget(per_client=1, window=timedelta(seconds=60)), clock=lambda: now[0]
    )
    tracker.record_failure("tok_A", "198.51.100.7")
    assert not tracker.admits("tok_A", "198.51.100.7")
    now[0] = 61.0
    assert tracker.admits("tok_A", "198.51.100.7")


def test_tracker_memory_bounded_by_max_tracked() -> None:
    tracker = FailureTracker(FailureBudget(per_client=1, max_tracked=50))
    for n in range(500):
        tracker.record_failure(f"tok_{n:08d}", f"10.0.{n // 256}.{n % 256}")
    assert len(tracker._clients._counts) == 50
    assert len(tracker._prefixes._counts) == 50


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("198.51.100.7", "198.51.100.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::9", "2001:db8:1:2::/64"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        (None, "-"),
    ],
)
def test_client_key_groups_an_ipv6_64_as_one_client(address: str | None, key: str) -> None:
    assert client_key(address) == key


def test_failure_budget_bad_values_raise_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="per_client"):
        FailureBudget(per_client=0)
    with pytest.raises(ConfigurationError, match="window"):
        FailureBudget(window=timedelta(0))
