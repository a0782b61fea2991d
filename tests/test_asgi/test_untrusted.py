"""What a client sends through a real ASGI app cannot flood the audit table, forge an address
or reach an operator's terminal raw through ``keysmith audit``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from test_asgi.apps import echo_app
from test_asgi.conftest import FAST_POLICY

from keysmith.asgi import KeysmithMiddleware, from_url
from keysmith.sqlalchemy import make_async_engine
from keysmith.sqlalchemy.tables import audit_events

pytestmark = pytest.mark.anyio
HEADER = "x-keysmith-token"
KEYSMITH = Path(sys.executable).with_name("keysmith")


async def rows_after(url: str, *requests: dict[str, Any], **options: Any) -> list[Any]:
    """Send ``requests`` (httpx ``get`` arguments) through the middleware over the SQL store at
    ``url``, writing one audit row per request at once; the rows written."""
    engine = make_async_engine(url)
    auth = from_url(engine, policy=FAST_POLICY, audit_buffer_seconds=0, **options)
    try:
        transport = httpx.ASGITransport(KeysmithMiddleware(echo_app, auth), client=("10.0.0.9", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            for request in requests:
                await http.get(**request)
        async with engine.connect() as connection:
            query = select(audit_events).order_by(audit_events.c.id)
            return [row._mapping for row in await connection.execute(query)]
    finally:
        await engine.dispose()


async def test_garbage_request_audit_row_is_bounded(sqlite_url: str) -> None:
    [row] = await rows_after(
        sqlite_url,
        {"url": "/" + "p" * 16_000, "headers": {HEADER: "garbage", "user-agent": "u" * 16_000}},
    )
    assert (row["action"], row["status_code"]) == ("auth_failed", 401)
    assert (len(row["path"]), len(row["user_agent"])) == (2048, 512)
    assert len(json.dumps(row["extra"])) < 200


@pytest.mark.parametrize(
    "forwarded", ["\x1b[2J", "203.0.113.7\r\nX-Fake: 1", "203.0.113.7 \x1b[2J", "x" * 500]
)
async def test_forwarded_address_not_an_ip_falls_back_to_peer(
    sqlite_url: str, forwarded: str
) -> None:
    request = {"url": "/items", "headers": {HEADER: "garbage", "x-forwarded-for": forwarded}}
    [row] = await rows_after(sqlite_url, request, trust_proxies=True)
    assert row["ip_address"] == "10.0.0.9"


@pytest.mark.parametrize("zone", ["eth0", "\x1b]0;pwned\x07"])
async def test_forwarded_ipv6_zone_id_is_dropped(sqlite_url: str, zone: str) -> None:
    forwarded = f"fe80::1%{zone}"
    request = {"url": "/items", "headers": {HEADER: "garbage", "x-forwarded-for": forwarded}}
    [row] = await rows_after(sqlite_url, request, trust_proxies=True)
    assert row["ip_address"] == "fe80::1"


async def test_keysmith_audit_escapes_client_control_characters(sqlite_url: str) -> None:
    await rows_after(
        sqlite_url,
        # The path arrives percent-decoded in the ASGI scope: ESC, a screen clear, a newline.
        {"url": "/a%1b[2J%1b]0;pwned%07b%0a2024-01-01 forged", "headers": {HEADER: "garbage"}},
    )
    shown = subprocess.run(
        [str(KEYSMITH), "--database-url", sqlite_url, "audit"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert "\x1b" not in shown
    assert "\x07" not in shown
    assert "/a\\x1b[2J\\x1b]0;pwned\\x07b\\n2024-01-01 forged" in shown
    assert len(shown.splitlines()) == 2  # the header and one row: no forged line
