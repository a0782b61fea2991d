"""The per-owner limit under a burst of concurrent creations on one event loop: the SQL store
awaits between the count and the insert, so without the owner's hold both would pass."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from test_asgi.conftest import Keys
from test_asgi.tokens_app import tokens_app

LIMITED = "/limited/tokens"
LIMIT = 2  # tokens_app's LIMITS.max_tokens_per_owner
BURST = 6


async def burst(app: Any) -> list[tuple[int, str | None]]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:

        async def create() -> tuple[int, str | None]:
            response = await client.post(
                LIMITED, json={"name": "burst"}, headers={"X-User": "alice"}
            )
            return response.status_code, response.json().get("code")

        return list(await asyncio.gather(*(create() for _ in range(BURST))))


async def fill_up(app: Any) -> tuple[int, str]:
    """Create one by one until refused: how many were made, and the refusal's code."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        made = 0
        while True:
            response = await client.post(LIMITED, json={"name": "x"}, headers={"X-User": "alice"})
            if response.status_code != 201:
                return made, response.json()["code"]
            made += 1


def test_concurrent_creations_never_pass_the_per_owner_limit(keys: Keys) -> None:
    app = tokens_app(keys)
    answers = asyncio.run(burst(app))
    created = [status for status, _ in answers if status == 201]
    assert 1 <= len(created) <= LIMIT
    refusals = {code for status, code in answers if status != 201}
    assert refusals <= {"token_limit_reached", "creation_in_progress"}
    assert {status for status, _ in answers} <= {201, 409}
    made, code = asyncio.run(fill_up(app))
    assert (len(created) + made, code) == (LIMIT, "token_limit_reached")
    assert [event.action for event in keys.sink.events].count("created") == LIMIT
