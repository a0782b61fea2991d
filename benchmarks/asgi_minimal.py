"""The least any ASGI check of a keysmith token must do, as a pure ASGI middleware: a lower
bound measured beside ``KeysmithMiddleware``, not a part of keysmith.

It finds the header, parses the token (shape regex and checksum), looks the prefix up in a plain
dict, checks the secret against the stored hash (one SHA-256 with keysmith's defaults; for a
slow hash, the verified-secret cache's keyed-digest compare that stands in for it once a token
was seen) and reads the revoked and expiry fields, which the benchmark's revoked case needs. No
store call, no audit, no scope or state objects, no configuration: whatever keysmith spends
beyond this is its own overhead.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from keysmith.asgi.types import ASGIApp, Receive, Scope, Send
from keysmith.core import Hashing, InvalidToken, MemoryToken, VerifiedSecretCache, parse

HEADER = b"x-keysmith-token"
# keysmith's own refusal of an invalid token, built once.
BODY = b'{"detail":"Your session has expired or the token is invalid.","code":"invalid_token"}'
REFUSAL_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", b"%d" % len(BODY)),
    (b"www-authenticate",
     b'APIKey realm="keysmith", header="x-keysmith-token", error="invalid_token"'),
]  # fmt: skip
UTC = datetime.timezone.utc


class IrreducibleTokenCheck:
    """Answers 401 unless the request carries a token of ``records`` whose secret ``cache``
    verified before and that is neither revoked nor expired; every token the benchmark sends
    authenticated once before, so a cache miss (which would need the slow hash) is refused."""

    def __init__(
        self,
        app: ASGIApp,
        records: Mapping[str, MemoryToken],
        hashing: Hashing,
        cache: VerifiedSecretCache,
    ) -> None:
        self.app = app
        self.records = records
        self.hashing = hashing
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self.accepts(scope):
            await send({"type": "http.response.start", "status": 401, "headers": REFUSAL_HEADERS})
            await send({"type": "http.response.body", "body": BODY})
            return
        await self.app(scope, receive, send)

    def accepts(self, scope: Scope) -> bool:
        for name, value in scope["headers"]:
            if name == HEADER:
                return self.verifies(value)
        return False

    def verifies(self, value: bytes) -> bool:
        try:
            token = parse(value.decode("latin-1"))
        except InvalidToken:
            return False
        record = self.records.get(token.prefix)
        if record is None or not self.matches(token.prefix, record.key, token.secret):
            return False
        expires = record.expires_at
        return not record.revoked and (expires is None or expires > datetime.datetime.now(UTC))

    def matches(self, prefix: str, key: str, secret: str) -> bool:
        if self.hashing.is_slow(key):
            return self.cache.check(prefix, key, secret) is True
        return self.hashing.verify(secret, key)


def over_memory_service(app: ASGIApp, service: Any) -> IrreducibleTokenCheck:
    """The check over a snapshot of an in-memory service's rows, its hashers and warm cache."""
    rows = service.store.sync.all()
    records = {row.prefix: row for row in rows}
    return IrreducibleTokenCheck(app, records, service.policy.hashing, service.cache)
