"""The per-owner limit under concurrent requests: real threads, each its own connection."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from test_drf.test_selfservice import client_for

from keysmith.models import Token

LIMIT = 2  # LimitedTokens.limits.max_tokens_per_owner
THREADS = 6


def at_once(work: Callable[[], int], count: int) -> list[int]:
    barrier = threading.Barrier(count)
    results: list[int] = []

    def run() -> None:
        barrier.wait()
        try:
            results.append(work())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_creations_never_pass_the_per_owner_limit() -> None:
    user = User.objects.create_user("alice")

    def create() -> int:
        client = client_for(user)
        response = client.post("/variants/limited/", {"name": "burst"}, format="json")
        return response.status_code

    statuses = at_once(create, THREADS)
    assert len(statuses) == THREADS
    assert statuses.count(201) <= LIMIT
    assert Token.objects.filter(user=user).count() <= LIMIT
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # The owner's row lock serialises the count and the insert: the rest are refused.
        assert sorted(statuses) == [201] * LIMIT + [409] * (THREADS - LIMIT)
    else:
        # SQLite writes one transaction at a time: a loser is refused or finds the file busy.
        assert set(statuses) <= {201, 409, 503}
