"""The per-owner limit under concurrent creations from real threads, each its own request and
database connection: at most the limit is ever created."""

from __future__ import annotations

import threading

from test_flask.conftest import Keys
from test_flask.test_tokens import tokens_app

LIMITED = "/limited/tokens"
LIMIT = 2  # test_tokens.LIMITS.max_tokens_per_owner
THREADS = 6


def test_concurrent_creations_never_pass_the_per_owner_limit(keys: Keys) -> None:
    app = tokens_app(keys)
    barrier = threading.Barrier(THREADS)
    answers: list[tuple[int, str | None]] = []

    def create() -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(LIMITED, json={"name": "burst"}, headers={"X-User": "alice"})
        answers.append((response.status_code, response.get_json().get("code")))

    threads = [threading.Thread(target=create) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == THREADS
    created = sum(status == 201 for status, _ in answers)
    assert 1 <= created <= LIMIT
    assert {code for status, code in answers if status != 201} <= {
        "token_limit_reached",
        "creation_in_progress",
    }
    client = app.test_client()
    while created < LIMIT:
        response = client.post(LIMITED, json={"name": "x"}, headers={"X-User": "alice"})
        assert response.status_code == 201
        created += 1
    refused = client.post(LIMITED, json={"name": "x"}, headers={"X-User": "alice"})
    assert refused.get_json()["code"] == "token_limit_reached"
    assert [event.action for event in keys.sink.events].count("created") == LIMIT
