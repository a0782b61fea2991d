"""The core's samples of the docs (concepts/hashing.md, reference/core.md), run as printed."""

from __future__ import annotations

import os

import pytest
from support.docs_samples import run_sample

from keysmith.core import Hashing, MemoryTokenStore, TokenPolicy, TokenService


def test_hashing_peppers_sample_hashes_with_the_named_pepper(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KEYSMITH_PEPPER", "a-pepper-of-at-least-thirty-two-characters")
    namespace = run_sample("concepts/hashing.md", "peppers", {"os": os})
    store = MemoryTokenStore()
    service = TokenService(store, policy=namespace["policy"])
    token, raw = service.create(name="peppered")
    assert store.get_by_prefix(token.prefix).key.startswith("hmac_sha256$2026a$")
    assert service.authenticate(raw).prefix == token.prefix


def test_hashing_custom_hasher_sample_writes_and_verifies_its_hashes() -> None:
    namespace = run_sample("concepts/hashing.md", "custom-hasher", {"PEPPER": b"pepper"})
    hasher = namespace["Blake2Hasher"]()
    store = MemoryTokenStore()
    service = TokenService(store, policy=TokenPolicy(hashing=Hashing(hasher)))
    token, raw = service.create(name="blake")
    assert store.get_by_prefix(token.prefix).key.startswith("blake2b$")
    assert service.authenticate(raw).prefix == token.prefix
    assert not hasher.verify("another secret", store.get_by_prefix(token.prefix).key)


def test_reference_services_sample_builds_a_working_service() -> None:
    namespace = run_sample("reference/core.md", "services", {"store": MemoryTokenStore()})
    service = namespace["service"]
    token, raw = service.create(name="reference")
    assert service.authenticate(raw).prefix == token.prefix
