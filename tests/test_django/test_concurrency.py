"""Concurrency on PostgreSQL: requests authenticating with one token while it is revoked."""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import connection
from test_django.wiring import TokenFactory

from keysmith.services.tokens import revoke_token

WORKERS = 6
SUCCESSES_BEFORE_REVOKE = 30
REQUESTS_AFTER_REVOKE = 15  # per worker
TIME_LIMIT = 60.0


@dataclass(frozen=True)
class Call:
    started: float
    finished: float
    status: int | str  # an HTTP status, or the name of the exception the request raised


def call(host: str, port: int, raw: str) -> Call:
    started = time.monotonic()
    try:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        try:
            conn.request("GET", "/required/", headers={"X-Keysmith-Token": raw})
            response = conn.getresponse()
            response.read()
            status: int | str = response.status
        finally:
            conn.close()
    except Exception as error:  # recorded, and the test fails on it
        status = type(error).__name__
    return Call(started, time.monotonic(), status)


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_revoke_commits_then_no_success(
    live_server: Any, make_token: TokenFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL (KEYSMITH_TEST_DB=postgres)")
    token, raw = make_token()
    url = urlsplit(live_server.url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    calls: list[Call] = []
    lock = threading.Lock()
    revoked_at: list[float] = []
    deadline = time.monotonic() + TIME_LIMIT

    def worker() -> None:
        after = 0
        while after < REQUESTS_AFTER_REVOKE and time.monotonic() < deadline:
            result = call(host, port, raw)
            with lock:
                calls.append(result)
            if revoked_at and result.started > revoked_at[0]:
                after += 1

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    while time.monotonic() < deadline:
        with lock:
            if sum(c.status == 200 for c in calls) >= SUCCESSES_BEFORE_REVOKE:
                break
        time.sleep(0.005)
    revoke_token(token)  # autocommit: committed when it returns
    revoked_at.append(time.monotonic())
    for thread in threads:
        thread.join()

    cut = revoked_at[0]
    before = [c for c in calls if c.started <= cut]
    after = [c for c in calls if c.started > cut]
    errors = [c for c in calls if c.status not in (200, 401)]
    latencies = sorted((c.finished - c.started) * 1000 for c in calls)
    with capsys.disabled():
        print(
            f"\nconcurrency: {len(calls)} requests by {WORKERS} threads; started before the "
            f"revoke committed: {sum(c.status == 200 for c in before)} ok / "
            f"{sum(c.status == 401 for c in before)} refused; after: "
            f"{sum(c.status == 200 for c in after)} ok / {sum(c.status == 401 for c in after)} "
            f"refused; errors: {len(errors)}; latency ms p50 {statistics.median(latencies):.1f} "
            f"p95 {latencies[int(len(latencies) * 0.95) - 1]:.1f} max {latencies[-1]:.1f}"
        )
    assert errors == []
    assert sum(c.status == 200 for c in before) >= SUCCESSES_BEFORE_REVOKE
    assert len(after) >= WORKERS * REQUESTS_AFTER_REVOKE
    assert [c for c in after if c.status != 401] == []
