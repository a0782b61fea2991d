"""Flask: ``token_blueprint(owner=...)``, the "API keys" endpoints for the people your app
already signs in. ``owner`` returns the signed-in user's id (None: nobody, 401); callers list,
create, show, rotate and revoke their own keysmith tokens, with the JSON the DRF and FastAPI
endpoints answer."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from keysmith.core.errors import ConfigurationError
from keysmith.core.memory import MemoryTokenStore
from keysmith.core.selfservice import Caller, Reply, SelfServiceError, SelfServiceFlows, run
from keysmith.core.selfservice.answers import (
    check_token_caller,
    grantable_hook,
    refusal_headers,
    reply_headers,
    signed_in,
)
from keysmith.core.selfservice.limits import SelfServiceLimits
from keysmith.core.selfservice.listing import MemoryTokenListing, TokenListing
from keysmith.core.selfservice.ports import Flow
from keysmith.core.selfservice.service_backend import Grantable, ServiceBackend
from keysmith.core.selfservice.shapes import page_url
from keysmith.flask.authentication import resolve
from keysmith.flask.context import request_context
from keysmith.flask.state import KeysmithState, app_state
from keysmith.sqlalchemy.listing import SQLTokenListing
from keysmith.sqlalchemy.store import SQLTokenStore

__all__ = ["token_blueprint"]

FlowOf = Callable[[SelfServiceFlows, Caller], Flow[Reply]]


def listing_for(store: object) -> TokenListing[Any]:
    """The reads of the SQL or in-memory store the app's service uses."""
    if isinstance(store, SQLTokenStore):
        return SQLTokenListing(store.engine)
    if isinstance(store, MemoryTokenStore):
        return MemoryTokenListing(store)
    raise ConfigurationError(
        f"token_blueprint cannot list the tokens of a {type(store).__name__}: pass listing= "
        "(a keysmith.core.selfservice.listing.TokenListing)."
    )


def token_blueprint(
    *,
    owner: Callable[[], Any],
    limits: SelfServiceLimits | None = None,
    grantable: Grantable | Iterable[str] | None = None,
    manages_others: Callable[[str], bool] | None = None,
    listing: TokenListing[Any] | None = None,
    allow_token_authentication: bool = False,
    name: str = "keysmith_tokens",
    url_prefix: str = "/tokens",
) -> Blueprint:
    """The token endpoints, for ``app.register_blueprint(...)`` on an app set up with
    ``Keysmith``. ``owner()`` is called in the request: return the signed-in user's id (with
    Flask-Login, ``current_user.get_id()``), or None. ``grantable(user_id)`` returns the scopes
    that user holds (a collection for everyone, or None: the policy's ``available`` scopes);
    ``manages_others(user_id)`` whether they may manage other users' tokens (default: nobody).
    A request that a keysmith token authenticated is refused unless
    ``allow_token_authentication``."""
    hook = grantable_hook(grantable)
    flows = SelfServiceFlows(limits)
    blueprint = Blueprint(name, __name__, url_prefix=url_prefix)

    def caller(state: KeysmithState) -> Caller:
        reference = signed_in(owner())
        by_token = resolve(state).token is not None
        check_token_caller(by_token=by_token, allowed=allow_token_authentication)
        others = manages_others is not None and bool(manages_others(reference))
        return Caller(owner=reference, actor=reference, manages_others=others)

    def respond(flow: FlowOf) -> Response:
        state = app_state(current_app)
        try:
            who = caller(state)
            reads = listing if listing is not None else listing_for(state.service.store)
            context = request_context(request, trust_proxies=state.trust_proxies)
            backend = ServiceBackend(state.service, reads, grantable=hook, context=context)
            reply = run(flow(flows, who), backend)
        except SelfServiceError as error:
            return _json(error.body(), error.status, refusal_headers(error))
        return _json(reply.body, reply.status, reply_headers(reply))

    @blueprint.get("")
    def list_tokens() -> Response:
        query = {key: request.args.getlist(key) for key in request.args}
        url = request.url
        return respond(lambda f, c: f.list(c, query, lambda page: page_url(url, page)))

    @blueprint.post("")
    def create_token() -> Response:
        body = request.get_data()
        return respond(lambda f, c: f.create(c, body))

    @blueprint.get("/<token_id>")
    def get_token(token_id: str) -> Response:
        return respond(lambda f, c: f.retrieve(c, token_id))

    @blueprint.post("/<token_id>/rotate")
    def rotate_token(token_id: str) -> Response:
        body = request.get_data()
        return respond(lambda f, c: f.rotate(c, token_id, body))

    @blueprint.post("/<token_id>/revoke")
    def revoke_token(token_id: str) -> Response:
        return respond(lambda f, c: f.revoke(c, token_id))

    return blueprint


def _json(body: Any, status: int, headers: dict[str, str]) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers)
    return response
