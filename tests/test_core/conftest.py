"""Fixtures for the core tests: a counting hasher, a frozen clock, services over memory."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from keysmith.core import (
    FrozenClock,
    Hashing,
    MemoryAuditSink,
    MemoryTokenStore,
    PBKDF2SHA512TokenHasher,
    TokenPolicy,
    TokenService,
)


class CountingHasher(PBKDF2SHA512TokenHasher):
    """PBKDF2 with few rounds that counts its slow calls and the threads they ran on."""

    def __init__(self, iterations: int = 1000) -> None:
        super().__init__(iterations)
        self.hash_calls = 0
        self.verify_calls = 0
        self.threads: list[str] = []

    def hash(self, secret: str) -> str:
        self.hash_calls += 1
        self.threads.append(threading.current_thread().name)
        return super().hash(secret)

    def verify(self, secret: str, hashed: str) -> bool:
        self.verify_calls += 1
        self.threads.append(threading.current_thread().name)
        return super().verify(secret, hashed)


@pytest.fixture
def hasher() -> CountingHasher:
    return CountingHasher()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def sink() -> MemoryAuditSink:
    return MemoryAuditSink()


@pytest.fixture
def store() -> MemoryTokenStore:
    return MemoryTokenStore()


@pytest.fixture
def make_service(
    hasher: CountingHasher, clock: FrozenClock, sink: MemoryAuditSink, store: MemoryTokenStore
) -> Any:
    def make(**policy: Any) -> TokenService[Any]:
        cache_size = policy.pop("cache_size", 100)
        return TokenService(
            store,
            policy=TokenPolicy(hashing=Hashing(hasher), **policy),
            sink=sink,
            clock=clock,
            cache_size=cache_size,
        )

    return make


@pytest.fixture
def service(make_service: Any) -> TokenService[Any]:
    return make_service()
