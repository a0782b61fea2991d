"""One app's keysmith, kept in ``app.extensions["keysmith"]``: its service, where tokens are
read from, its answers, its hooks and the engine the ``flask keysmith`` command works on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Request
from sqlalchemy import Engine

from keysmith.core.extract import TokenSource
from keysmith.core.replies import Replies
from keysmith.core.service import TokenService
from keysmith.flask.readiness import StoreCheck

EXTENSION_KEY = "keysmith"

RateLimitHook = Callable[[Request, "str | None"], Any]
"""``hook(request, raw_token)``, before authentication; raise ``RateLimited`` to answer 429."""


@dataclass
class KeysmithState:
    service: TokenService[Any]
    source: TokenSource
    replies: Replies
    trust_proxies: bool
    rate_limit: RateLimitHook | None
    audit: bool
    engine: Engine | None  # None: the store is not SQL (the command cannot run)
    owns_engine: bool = False
    store_check: StoreCheck = field(default_factory=lambda: StoreCheck(None))

    def close(self) -> None:
        """Write out the buffered audit rows, then dispose of the engine keysmith made.

        A normal interpreter exit writes the rows out too; call this where an app is torn
        down earlier (tests, a worker's own shutdown hook).
        """
        close = getattr(self.service.sink, "close", None)
        if close is not None:
            close()
        if self.owns_engine and self.engine is not None:
            self.engine.dispose()


def app_state(app: Flask) -> KeysmithState:
    state: KeysmithState | None = app.extensions.get(EXTENSION_KEY)
    if state is None:
        raise RuntimeError(
            f"keysmith is not set up on the app {app.name!r}: call Keysmith(app) or "
            "keysmith.init_app(app) first."
        )
    return state
