"""The store contract suite: the behaviour keysmith needs from every ``TokenStore``.

The project's own stores (memory, SQL, Django) run through it; run it against yours::

    from keysmith.testing.contract import StoreContract

    class TestRedisTokenStore(StoreContract):
        @pytest.fixture
        def store(self):
            return RedisTokenStore(fresh_redis())

An ``AsyncTokenStore`` runs through ``BlockingStore(store, loop)`` inside ``loop_thread()``.
Importing this package needs pytest.
"""

from __future__ import annotations

from keysmith.testing.contract.blocking import BlockingStore, LoopThread, loop_thread
from keysmith.testing.contract.store import NOW, StoreContract, fast_policy, new_token

__all__ = [
    "NOW",
    "BlockingStore",
    "LoopThread",
    "StoreContract",
    "fast_policy",
    "loop_thread",
    "new_token",
]
