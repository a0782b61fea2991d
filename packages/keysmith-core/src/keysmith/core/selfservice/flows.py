"""The self-service endpoints written once: list, retrieve, create, rotate and revoke, each a
flow over a ``Backend`` that returns the reply's status and JSON body (or raises a refusal)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from keysmith.core.errors import ScopeError, TokenChanged, TokenStateError
from keysmith.core.selfservice.access import Caller, grant_refusals
from keysmith.core.selfservice.errors import (
    CREATION_IN_PROGRESS,
    NOT_FOUND,
    SCOPE_NOT_ALLOWED,
    TOKEN_CHANGED,
    TOKEN_LIMIT_REACHED,
    TOKEN_NOT_ROTATABLE,
    SelfServiceError,
)
from keysmith.core.selfservice.limits import SelfServiceLimits
from keysmith.core.selfservice.ports import Backend, Flow, ask
from keysmith.core.selfservice.requests import (
    json_object,
    parse_create,
    parse_list,
    parse_rotate,
    parse_token_id,
)
from keysmith.core.selfservice.shapes import Page, TokenView, issued_body, token_body

__all__ = ["Reply", "SelfServiceFlows", "grant_refusals"]


@dataclass(frozen=True, slots=True)
class Reply:
    """A success. ``secret``: the body holds a raw token, so it must never be cached
    (``Cache-Control: no-store``)."""

    status: int
    body: dict[str, Any]
    secret: bool = field(default=False)


class SelfServiceFlows:
    """The endpoints' decisions under one set of limits."""

    def __init__(self, limits: SelfServiceLimits | None = None) -> None:
        self.limits = limits or SelfServiceLimits()

    def list(
        self, caller: Caller, query: Mapping[str, Sequence[str]], link: Callable[[int], str]
    ) -> Flow[Reply]:
        request = parse_list(query, self.limits)
        owner = caller.owner_for(request.owner)
        now = yield from ask(Backend.now)
        size = request.page_size
        offset = (request.page - 1) * size
        records: list[Any]
        count, records = yield from ask(Backend.page, owner, request.states, now, offset, size)
        views: list[TokenView] = []
        for record in records:
            views.append((yield from ask(Backend.describe, record)))
        page = Page(count=count, number=request.page, size=size, tokens=views)
        return Reply(200, page.body(now, link))

    def _find(self, caller: Caller, token_id: str) -> Flow[Any]:
        parsed = parse_token_id(token_id)
        record: Any = None
        if parsed is not None:
            record = yield from ask(Backend.find, parsed)
        if record is None:
            raise SelfServiceError(NOT_FOUND)
        view = yield from ask(Backend.describe, record)
        caller.require_reach(view.owner)
        return record, view

    def retrieve(self, caller: Caller, token_id: str) -> Flow[Reply]:
        _record, view = yield from self._find(caller, token_id)
        now = yield from ask(Backend.now)
        return Reply(200, token_body(view, now))

    def create(self, caller: Caller, body: bytes | str | None) -> Flow[Reply]:
        policy = yield from ask(Backend.policy)
        request = parse_create(json_object(body, required=True), policy.max_name_length)
        owner = caller.owner_for(request.owner)
        now = yield from ask(Backend.now)
        expires_at = self.limits.expiry(now, request.expires_at, policy.default_lifetime)
        scopes = policy.scopes.default if request.scopes is None else request.scopes
        if scopes:
            yield from self._check_grants(caller, owner, tuple(scopes))
        limit = self.limits.max_tokens_per_owner
        if limit is not None:
            # Held until the driver ends the flow, after the creation: no other request of this
            # owner counts in between.
            if not (yield from ask(Backend.hold_owner, owner)):
                raise SelfServiceError(CREATION_IN_PROGRESS)
            live = yield from ask(Backend.count_live, owner, now)
            if live >= limit:
                raise SelfServiceError(
                    TOKEN_LIMIT_REACHED,
                    f"An owner may have at most {limit} live token{'s' if limit != 1 else ''}; "
                    "revoke one to create another.",
                )
        record: Any
        try:
            # The service checks the allow-list (AVAILABLE_SCOPES), by its store's scope names.
            record, raw = yield from ask(
                Backend.create,
                caller,
                owner,
                name=request.name,
                description=request.description,
                scopes=tuple(scopes),
                expires_at=expires_at,
            )
        except ScopeError as error:
            raise SelfServiceError(SCOPE_NOT_ALLOWED, f"{error}.") from None
        view = yield from ask(Backend.describe, record)
        return Reply(201, issued_body(view, raw, now), secret=True)

    def _check_grants(self, caller: Caller, owner: str, scopes: tuple[str, ...]) -> Flow[None]:
        held = frozenset((yield from ask(Backend.held_scopes, caller, caller.owner, scopes)))
        owner_held = None
        if owner != caller.owner:
            owner_held = frozenset((yield from ask(Backend.held_scopes, caller, owner, scopes)))
        refused = grant_refusals(scopes, held, owner_held, owner_name=f"user {owner}")
        if refused:
            raise SelfServiceError(SCOPE_NOT_ALLOWED, " ".join(refused))

    def rotate(self, caller: Caller, token_id: str, body: bytes | str | None) -> Flow[Reply]:
        request = parse_rotate(json_object(body, required=False))
        grace = self.limits.grace(request.grace_seconds)
        record, _view = yield from self._find(caller, token_id)
        try:
            raw = yield from ask(Backend.rotate, caller, record, grace)
        except TokenChanged:
            raise SelfServiceError(TOKEN_CHANGED) from None
        except TokenStateError as error:
            raise SelfServiceError(TOKEN_NOT_ROTATABLE, f"{error}.".replace("..", ".")) from None
        view = yield from ask(Backend.describe, record)
        now = yield from ask(Backend.now)
        return Reply(200, issued_body(view, raw, now), secret=True)

    def revoke(self, caller: Caller, token_id: str) -> Flow[Reply]:
        """Revoking a revoked token changes nothing and answers as the first time did."""
        record, _view = yield from self._find(caller, token_id)
        yield from ask(Backend.revoke, caller, record)
        view = yield from ask(Backend.describe, record)
        now = yield from ask(Backend.now)
        return Reply(200, token_body(view, now))
