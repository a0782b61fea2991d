"""The store contract, run against the in-memory stores the core ships."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from contract.blocking import BlockingStore, loop_thread
from contract.store_contract import StoreContract

from keysmith.core import AsyncMemoryTokenStore, MemoryTokenStore


class TestMemoryTokenStore(StoreContract):
    @pytest.fixture
    def store(self) -> MemoryTokenStore:
        return MemoryTokenStore()


class TestAsyncMemoryTokenStore(StoreContract):
    @pytest.fixture
    def store(self) -> Iterator[BlockingStore]:
        with loop_thread() as loop:
            yield BlockingStore(AsyncMemoryTokenStore(), loop)
