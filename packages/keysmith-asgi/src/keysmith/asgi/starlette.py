"""Starlette: an ``AuthenticationBackend`` over keysmith, so ``@requires("write")`` sees scopes.

Use with Starlette's ``AuthenticationMiddleware(app, backend=KeysmithBackend(auth),
on_error=on_auth_error)``; ``on_auth_error`` turns refusals into keysmith's 401/429/503 answers.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    AuthenticationError,
    BaseUser,
)
from starlette.requests import HTTPConnection
from starlette.responses import Response

from keysmith.asgi.authenticator import TokenAuthenticator
from keysmith.asgi.responses import ErrorReply
from keysmith.asgi.user import TokenUser, credential_names
from keysmith.core import TokenRecord

R = TypeVar("R", bound=TokenRecord)


class KeysmithUser(TokenUser[R], BaseUser):
    """``TokenUser`` that is also a Starlette ``BaseUser``."""


class KeysmithAuthenticationError(AuthenticationError):
    """A refused token, carrying the answer keysmith gives for it."""

    def __init__(self, reply: ErrorReply) -> None:
        super().__init__(reply.detail)
        self.reply = reply


class KeysmithBackend(AuthenticationBackend, Generic[R]):
    """Authenticates the connection (or reuses ``KeysmithMiddleware``'s result) and loads the
    token's scopes once, as the credentials ``@requires`` checks."""

    def __init__(self, authenticator: TokenAuthenticator[R]) -> None:
        self.authenticator = authenticator

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        outcome = await self.authenticator.resolve(conn.scope)
        if outcome.error is not None:
            raise KeysmithAuthenticationError(self.authenticator.replies.for_error(outcome.error))
        if outcome.token is None:
            return None
        # "authenticated" first, as Starlette's own backends grant it: @requires("authenticated")
        return AuthCredentials(credential_names(outcome.scopes)), KeysmithUser(outcome.token)


def on_auth_error(conn: HTTPConnection, exc: Exception) -> Response:
    """``on_error`` for ``AuthenticationMiddleware``: keysmith's JSON 401/429/503 with its
    headers."""
    if isinstance(exc, KeysmithAuthenticationError):
        reply = exc.reply
        return Response(reply.body(), reply.status, dict(reply.headers), "application/json")
    return Response(str(exc), 400, media_type="text/plain")
