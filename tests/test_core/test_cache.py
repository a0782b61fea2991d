"""The verified-secret cache: hits, misses, mismatches, bounds, thread safety."""

from __future__ import annotations

import threading

import pytest

from keysmith.core import VerifiedSecretCache


def test_cache_unknown_entry_returns_none() -> None:
    assert VerifiedSecretCache().check("tok_a", "hash", "secret") is None


def test_cache_remembered_secret_matches_other_secret_mismatches() -> None:
    cache = VerifiedSecretCache()
    cache.remember("tok_a", "hash", "secret")
    assert cache.check("tok_a", "hash", "secret") is True
    assert cache.check("tok_a", "hash", "other") is False


def test_cache_new_stored_hash_misses() -> None:
    cache = VerifiedSecretCache()
    cache.remember("tok_a", "hash-1", "secret")
    assert cache.check("tok_a", "hash-2", "secret") is None


def test_cache_holds_no_plain_secret() -> None:
    cache = VerifiedSecretCache()
    cache.remember("tok_a", "hash", "plain-secret-value")
    assert all(b"plain-secret-value" not in value for value in cache._entries.values())


def test_cache_over_capacity_evicts_least_recently_used() -> None:
    cache = VerifiedSecretCache(max_entries=2)
    cache.remember("a", "h", "s")
    cache.remember("b", "h", "s")
    assert cache.check("a", "h", "s") is True  # a is now the most recent
    cache.remember("c", "h", "s")
    assert len(cache) == 2
    assert cache.check("b", "h", "s") is None
    assert cache.check("a", "h", "s") is True


@pytest.mark.parametrize("size", [0, -1, "10", True])
def test_cache_bad_size_raises(size: object) -> None:
    with pytest.raises(ValueError, match="max_entries"):
        VerifiedSecretCache(size)  # type: ignore[arg-type]


def test_cache_concurrent_use_stays_bounded_and_consistent() -> None:
    cache = VerifiedSecretCache(max_entries=50)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(500):
                prefix = f"p{worker}-{i % 80}"
                cache.remember(prefix, "h", "s")
                assert cache.check(prefix, "h", "x") in (False, None)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(cache) <= 50
