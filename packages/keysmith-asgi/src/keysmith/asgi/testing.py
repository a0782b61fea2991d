"""Test helpers for Starlette and FastAPI apps: a ``TestClient`` that sends a keysmith token.

Tokens, audit capture and the frozen clock come from ``keysmith.testing`` (give them the
app's ``TokenAuthenticator``, or its ``.service``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from keysmith.asgi.authenticator import TokenAuthenticator
from keysmith.asgi.middleware import KeysmithMiddleware
from keysmith.testing.headers import keysmith_headers
from keysmith.testing.tokens import IssuedToken

__all__ = ["authenticated", "find_authenticator"]

C = TypeVar("C")


def _candidates(app: Any) -> Iterable[Any]:
    yield app
    # Starlette (and FastAPI) keep the middleware they were given as Middleware(cls, ...).
    for middleware in getattr(app, "user_middleware", ()):
        yield from getattr(middleware, "args", ())
        yield from getattr(middleware, "kwargs", {}).values()


def find_authenticator(app: Any) -> TokenAuthenticator[Any] | None:
    """The ``TokenAuthenticator`` of ``app``'s ``KeysmithMiddleware`` or Starlette
    ``KeysmithBackend``, when the app holds one where it can be seen; else None."""
    for candidate in _candidates(app):
        if isinstance(candidate, TokenAuthenticator):
            return candidate
        inner = getattr(candidate, "authenticator", None)
        if isinstance(candidate, KeysmithMiddleware) or isinstance(inner, TokenAuthenticator):
            return inner
    return None


def authenticated(
    client: C,
    token: IssuedToken[Any] | str,
    *,
    authenticator: TokenAuthenticator[Any] | None = None,
    header: str | None = None,
    bearer: bool = False,
) -> C:
    """Send ``token`` with every later request of a Starlette or FastAPI ``TestClient`` (or
    any ``httpx`` client); returns ``client``.

    The header is ``header``, else the one ``authenticator`` reads (default: the
    authenticator of the client's app, when its middleware shows it), else
    ``X-Keysmith-Token``; ``bearer=True`` sends ``Authorization: Bearer`` instead.
    """
    found = authenticator or find_authenticator(getattr(client, "app", None))
    source = found.source if found is not None else None
    headers = keysmith_headers(token, header=header, bearer=bearer, source=source)
    client.headers.update(headers)  # type: ignore[attr-defined]
    return client
