"""A store failure behind the ASGI middleware is answered 503 and logged with its traceback;
no keysmith frame in that traceback (whose locals error trackers record) holds the token."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from types import TracebackType
from typing import Any

import httpx
import pytest
from test_asgi.apps import echo_app

from keysmith.asgi import KeysmithMiddleware, TokenAuthenticator
from keysmith.core import AsyncMemoryTokenStore, AsyncTokenService

pytestmark = pytest.mark.anyio


class BrokenStore(AsyncMemoryTokenStore):
    async def get_by_prefix(self, prefix: str) -> Any:
        raise RuntimeError("the store went away")


def keysmith_frame_locals(tb: TracebackType | None) -> Iterator[tuple[str, str, str]]:
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_globals.get("__name__", "").startswith("keysmith."):
            for name, value in frame.f_locals.items():
                if name != "scope":  # the server's own object: trackers scrub its headers
                    yield frame.f_code.co_name, name, repr(value)
        tb = tb.tb_next


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
        assert [f for f in keysmith_frame_locals(record.exc_info[2]) if secret in f[2]] == []
