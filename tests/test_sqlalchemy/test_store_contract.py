"""The store contract, run against both SQL stores on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from keysmith.sqlalchemy import AsyncSQLTokenStore, SQLTokenStore, make_async_engine
from keysmith.testing.contract import BlockingStore, StoreContract, loop_thread


class TestSQLTokenStore(StoreContract):
    @pytest.fixture
    def store(self, engine: Engine) -> SQLTokenStore:
        return SQLTokenStore(engine)


class TestAsyncSQLTokenStore(StoreContract):
    @pytest.fixture
    def store(self, database_url: str) -> Iterator[BlockingStore]:
        engine = make_async_engine(database_url)
        with loop_thread() as loop:
            yield BlockingStore(AsyncSQLTokenStore(engine), loop)
            loop.run(engine.dispose())
