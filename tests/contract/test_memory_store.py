"""The store contract, run against the in-memory stores the core ships."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from keysmith.core import AsyncMemoryTokenStore, MemoryTokenStore
from keysmith.testing.contract import BlockingStore, StoreContract, loop_thread


class TestMemoryTokenStore(StoreContract):
    @pytest.fixture
    def store(self) -> MemoryTokenStore:
        return MemoryTokenStore()


class TestAsyncMemoryTokenStore(StoreContract):
    @pytest.fixture
    def store(self) -> Iterator[BlockingStore]:
        with loop_thread() as loop:
            yield BlockingStore(AsyncMemoryTokenStore(), loop)
