"""FastAPI: a security dependency that documents itself as an ``apiKey`` header scheme.

``Depends(KeysmithToken(auth, scopes=["write"]))`` or ``Security(KeysmithToken(auth),
scopes=["write"])`` gives the endpoint the authenticated token; Swagger UI's Authorize button
fills the header.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, NoReturn, TypeVar

from fastapi import HTTPException, WebSocketException
from fastapi.security import APIKeyHeader, SecurityScopes
from starlette.requests import HTTPConnection

from keysmith.asgi.authenticator import TokenAuthenticator
from keysmith.asgi.responses import ErrorReply
from keysmith.core import InsufficientScope, TokenRecord, require_scopes

R = TypeVar("R", bound=TokenRecord)


class KeysmithToken(APIKeyHeader, Generic[R]):
    """Requires a valid token holding ``scopes`` (plus any ``Security(..., scopes=...)`` asks).

    With ``auto_error=False`` a request without a token gets ``None`` instead of a 401; an
    invalid token is refused either way.
    """

    def __init__(
        self,
        authenticator: TokenAuthenticator[R],
        *,
        scopes: Iterable[str] = (),
        auto_error: bool = True,
        scheme_name: str | None = "KeysmithToken",
        description: str | None = "An API token issued by keysmith.",
    ) -> None:
        super().__init__(
            name=authenticator.source.header_name,
            scheme_name=scheme_name,
            description=description,
            auto_error=auto_error,
        )
        if isinstance(scopes, str):
            raise TypeError("scopes must be a collection of scope names, not a single string.")
        self.authenticator = authenticator
        self.scopes = frozenset(scopes)

    async def __call__(  # type: ignore[override]
        self, request: HTTPConnection, security_scopes: SecurityScopes
    ) -> R | None:
        auth = self.authenticator
        outcome = await auth.resolve(request.scope)
        if outcome.error is not None:
            _refuse(request, auth.replies.for_error(outcome.error))
        if outcome.token is None:
            if not self.auto_error:
                return None
            await auth.require(request.scope, outcome)
            _refuse(request, auth.replies.missing())
        try:
            require_scopes(outcome.scopes, self.scopes.union(security_scopes.scopes))
        except InsufficientScope as error:
            _refuse(request, auth.replies.forbidden(error.missing))
        token: R = outcome.token
        return token


def _refuse(request: HTTPConnection, reply: ErrorReply) -> NoReturn:
    if request.scope["type"] == "websocket":
        raise WebSocketException(code=reply.close_code, reason=reply.code)
    raise HTTPException(reply.status, detail=reply.detail, headers=dict(reply.headers))
