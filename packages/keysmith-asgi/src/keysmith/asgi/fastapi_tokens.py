"""FastAPI: ``token_router(keysmith, owner=...)``, the "API keys" endpoints for the people your
app already authenticates. ``owner`` is your dependency returning the signed-in user's id (None:
nobody, 401); callers list, create, show, rotate and revoke their own keysmith tokens."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from fastapi import APIRouter, Depends, params
from fastapi.responses import JSONResponse
from starlette.requests import Request

from keysmith.asgi.authenticator import TokenAuthenticator
from keysmith.asgi.context import request_context
from keysmith.asgi.tokens_openapi import operation
from keysmith.asgi.types import TOKEN_KEY
from keysmith.core.errors import ConfigurationError
from keysmith.core.memory import AsyncMemoryTokenStore
from keysmith.core.selfservice import Caller, Reply, SelfServiceError, SelfServiceFlows, run_async
from keysmith.core.selfservice.answers import (
    check_token_caller,
    grantable_hook,
    refusal_headers,
    reply_headers,
    signed_in,
)
from keysmith.core.selfservice.limits import SelfServiceLimits
from keysmith.core.selfservice.listing import AsyncMemoryTokenListing, AsyncTokenListing
from keysmith.core.selfservice.ports import Flow
from keysmith.core.selfservice.service_backend import Grantable, ServiceBackend
from keysmith.core.selfservice.shapes import page_url
from keysmith.sqlalchemy.async_store import AsyncSQLTokenStore
from keysmith.sqlalchemy.listing import AsyncSQLTokenListing

__all__ = ["token_router"]

ManagesOthers = Callable[[str], bool | Awaitable[bool]]
FlowOf = Callable[[SelfServiceFlows, Caller], Flow[Reply]]


def listing_for(store: object) -> AsyncTokenListing[Any]:
    """The reads of the SQL or in-memory store the authenticator's service uses."""
    if isinstance(store, AsyncSQLTokenStore):
        return AsyncSQLTokenListing(store.engine)
    if isinstance(store, AsyncMemoryTokenStore):
        return AsyncMemoryTokenListing(store.sync)
    raise ConfigurationError(
        f"token_router cannot list the tokens of a {type(store).__name__}: pass listing= "
        "(a keysmith.core.selfservice.listing.AsyncTokenListing)."
    )


async def _answer(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def token_router(
    keysmith: TokenAuthenticator[Any],
    *,
    owner: Callable[..., Any] | params.Depends,
    limits: SelfServiceLimits | None = None,
    grantable: Grantable | Iterable[str] | None = None,
    manages_others: ManagesOthers | None = None,
    listing: AsyncTokenListing[Any] | None = None,
    allow_token_authentication: bool = False,
    prefix: str = "/tokens",
    tags: list[str] | None = None,
) -> APIRouter:
    """The token endpoints under ``prefix``, for ``app.include_router(...)``.

    ``grantable(user_id)`` returns the scopes that user holds (a collection for everyone, or
    None: the policy's ``available`` scopes); ``manages_others(user_id)`` whether they may
    manage other users' tokens (default: nobody). A request that a keysmith token
    authenticated is refused unless ``allow_token_authentication``.
    """
    dependency = owner if isinstance(owner, params.Depends) else Depends(owner)
    reads = listing if listing is not None else listing_for(keysmith.service.store)
    hook = grantable_hook(grantable)
    flows = SelfServiceFlows(limits)
    router = APIRouter(prefix=prefix, tags=list(tags or ["tokens"]))

    async def caller(request: Request, user: Any) -> Caller:
        reference = signed_in(user)
        by_token = request.scope.get(TOKEN_KEY) is not None
        check_token_caller(by_token=by_token, allowed=allow_token_authentication)
        others = manages_others is not None and bool(await _answer(manages_others(reference)))
        return Caller(owner=reference, actor=reference, manages_others=others)

    async def respond(request: Request, user: Any, flow: FlowOf) -> JSONResponse:
        try:
            who = await caller(request, user)
            context = request_context(request.scope, trust_proxies=keysmith.trust_proxies)
            backend = ServiceBackend(keysmith.service, reads, grantable=hook, context=context)
            reply = await run_async(flow(flows, who), backend)
        except SelfServiceError as error:
            return JSONResponse(error.body(), error.status, refusal_headers(error))
        return JSONResponse(reply.body, reply.status, reply_headers(reply))

    @router.get("", **operation("list"))
    async def list_tokens(request: Request, user: Any = dependency) -> JSONResponse:
        query = {name: request.query_params.getlist(name) for name in request.query_params}

        def link(page: int) -> str:
            return page_url(str(request.url), page)

        return await respond(request, user, lambda f, c: f.list(c, query, link))

    @router.post("", **operation("create"))
    async def create_token(request: Request, user: Any = dependency) -> JSONResponse:
        body = await request.body()
        return await respond(request, user, lambda f, c: f.create(c, body))

    @router.get("/{token_id}", **operation("retrieve"))
    async def get_token(request: Request, token_id: str, user: Any = dependency) -> JSONResponse:
        return await respond(request, user, lambda f, c: f.retrieve(c, token_id))

    @router.post("/{token_id}/rotate", **operation("rotate"))
    async def rotate_token(request: Request, token_id: str, user: Any = dependency) -> JSONResponse:
        body = await request.body()
        return await respond(request, user, lambda f, c: f.rotate(c, token_id, body))

    @router.post("/{token_id}/revoke", **operation("revoke"))
    async def revoke_token(request: Request, token_id: str, user: Any = dependency) -> JSONResponse:
        return await respond(request, user, lambda f, c: f.revoke(c, token_id))

    return router
