"""A store failure behind the ASGI middleware is answered 503 and logged with its traceback;
no keysmith frame in that traceback (whose locals error trackers record) holds the token."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from support.frames import leaks
from test_asgi.apps import echo_app

from keysmith.asgi import KeysmithMiddleware, TokenAuthenticator
from keysmith.core import AsyncMemoryTokenStore, AsyncTokenService

pytestmark = pytest.mark.anyio


class BrokenStore(AsyncMemoryTokenStore):
    async def get_by_prefix(self, prefix: str) -> Any:
        raise RuntimeError("the store went away")


async def test_store_failure_logged_frames_hold_no_token(caplog: pytest.LogCaptureFixture) -> None:
    store = BrokenStore()
    service = AsyncTokenService(store)
    _, raw = await AsyncTokenService(AsyncMemoryTokenStore(store.sync)).create(name="ci")
    secret = raw.split(":")[1]
    app = KeysmithMiddleware(echo_app, TokenAuthenticator(service, rate_limit=lambda s, r: None))
    transport = httpx.ASGITransport(app)
    with caplog.at_level(logging.ERROR, logger="keysmith"):
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            response = await http.get("/items", headers={"x-keysmith-token": raw})
    assert response.status_code == 503
    logged = [record for record in caplog.records if record.exc_info]
    assert logged
    for record in logged:
        assert record.exc_info is not None
        assert secret not in record.getMessage()
        assert leaks(record.exc_info[2], secret) == []
