"""The rate-limit hook: called before authentication; raising ``RateLimited`` answers 429."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from keysmith.asgi.types import Scope
from keysmith.core import TokenAuthError

RateLimitHook = Callable[[Scope, str | None], Awaitable[None] | None]


class RateLimited(TokenAuthError):
    """Raise from a rate-limit hook to refuse the request with 429 Too Many Requests.

    ``retry_after`` (seconds) becomes the ``Retry-After`` header when given. As a
    ``TokenAuthError`` it is audited like any other failed authentication.
    """

    code = "rate_limited"
    default_message = "Too many authentication attempts. Try again later."

    def __init__(self, message: str | None = None, *, retry_after: int | None = None) -> None:
        super().__init__(message, reason="rate_limited")
        if retry_after is not None and (isinstance(retry_after, bool) or retry_after < 0):
            raise ValueError(f"retry_after must be a number of seconds, got {retry_after!r}.")
        self.retry_after = None if retry_after is None else int(retry_after)


async def run_hook(hook: RateLimitHook | None, scope: Scope, raw: str | None) -> None:
    """Call a sync or async hook with the scope and the raw token (None when none was sent)."""
    if hook is None:
        return
    outcome = hook(scope, raw)
    if inspect.isawaitable(outcome):
        await outcome
