"""The rate-limit hook: called before authentication; raising ``RateLimited`` answers 429.

The rule is the core's (``keysmith.core.errors.hook_refusal``), the same as Django's:
``RateLimited`` is a limit (429), another ``TokenAuthError`` refuses the token (401), and any
other exception means the limiter itself failed (503).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from keysmith.asgi.types import Scope
from keysmith.core.errors import RateLimited
from keysmith.core.format import RawToken

RateLimitHook = Callable[[Scope, str | None], Awaitable[None] | None]

__all__ = ["RateLimitHook", "RateLimited", "run_hook"]


async def run_hook(hook: RateLimitHook | None, scope: Scope, raw: RawToken | None) -> None:
    """Call a sync or async hook with the scope and the raw token (None when none was sent)."""
    if hook is None:
        return
    outcome = hook(scope, None if raw is None else raw.reveal())
    if inspect.isawaitable(outcome):
        await outcome
