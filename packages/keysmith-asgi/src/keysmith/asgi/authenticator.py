"""One request's authentication, shared by the middleware, the Starlette backend and FastAPI.

Whichever runs first on a connection resolves it and leaves the outcome in the scope; the others
reuse it, so a request is authenticated once and audited once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from keysmith.asgi.context import client_ip, request_context
from keysmith.asgi.extract import DEFAULT_HEADER, TokenSource
from keysmith.asgi.ratelimit import RateLimitHook, run_hook
from keysmith.asgi.responses import Replies
from keysmith.asgi.types import OUTCOME_KEY, STATE_TOKEN_ATTRIBUTE, TOKEN_KEY, Scope
from keysmith.asgi.user import AnonymousUser, TokenCredentials, TokenUser
from keysmith.core import AsyncTokenService, AuthOutcome, InvalidToken, TokenAuthError, TokenRecord
from keysmith.core.errors import STORE_UNAVAILABLE, hook_refusal, unavailable
from keysmith.core.format import RawToken

R = TypeVar("R", bound=TokenRecord)


@dataclass(slots=True)
class Outcome(AuthOutcome):
    """What became of one connection's credentials (the core's outcome, plus ASGI's needs).

    ``deferred`` means the middleware audits it once the status code is known; otherwise it was
    audited when resolved. ``scopes`` are the token's scope names, loaded once per connection.
    """

    scopes: frozenset[str] = frozenset()
    deferred: bool = False


class TokenAuthenticator(Generic[R]):
    """The shared configuration: service, token source, client-IP policy, hook and messages."""

    def __init__(
        self,
        service: AsyncTokenService[R],
        *,
        header_name: str = DEFAULT_HEADER,
        allow_bearer: bool = True,
        query_param: str | None = None,
        trust_proxies: bool = False,
        rate_limit: RateLimitHook | None = None,
        messages: Mapping[str, str] | None = None,
    ) -> None:
        self.service = service
        self.source = TokenSource(header_name, allow_bearer, query_param)
        self.trust_proxies = trust_proxies
        self.rate_limit = rate_limit
        self.replies = Replies(self.source, messages)

    async def resolve(self, scope: Scope, *, deferred: bool = False) -> Outcome:
        """Authenticate the connection once; later calls return the same outcome."""
        existing: Outcome | None = scope.get(OUTCOME_KEY)
        if existing is not None:
            return existing
        outcome = Outcome(deferred=deferred)  # its request context is built when audited
        scope[OUTCOME_KEY] = outcome
        try:
            # Boxed at once: frames holding it appear in the logged traceback of a store
            # failure, and error trackers record their locals.
            raw = RawToken.wrap(self.source.extract(scope))
        except InvalidToken as error:
            raw, outcome.error = None, error
        try:
            await run_hook(self.rate_limit, scope, raw)
        except Exception as error:
            outcome.error = hook_refusal(error)
        if outcome.error is None and raw is not None:
            await self._authenticate(raw, outcome, scope)
        self._attach(scope, outcome)
        if not deferred:
            # Audited now, before any response exists: a failure is known to answer 401 (or
            # 429, 503), a success's status is not known (0).
            failure = outcome.error
            status = self.replies.for_error(failure).status if failure else 0
            await self.audit(scope, outcome, status)
        return outcome

    async def _authenticate(self, raw: RawToken, outcome: Outcome, scope: Scope) -> None:
        # The client address counts failed slow-hash verifications (the failure budget).
        client = client_ip(scope, trust_proxies=self.trust_proxies)
        try:
            token = await self.service.authenticate(raw, audit=False, client=client)
            outcome.scopes = await self.service.scopes_of(token)
            outcome.token = token
        except TokenAuthError as error:
            outcome.error = error
        except Exception:
            # Any store (SQL, memory, an application's own) fails in its own way; whatever it
            # raised, no verdict was reached: 503, never a 500 and never a silent 401.
            outcome.error = unavailable(STORE_UNAVAILABLE)

    async def require(self, scope: Scope, outcome: Outcome) -> None:
        """Record that the endpoint needed a token and got none (audited as ``missing_token``)."""
        outcome.token_required = True
        if not outcome.deferred:
            await self.audit(scope, outcome, self.replies.missing().status)

    async def audit(self, scope: Scope, outcome: Outcome, status_code: int) -> None:
        """Emit the connection's one audit event, if it has one, exactly once."""
        service = self.service
        if outcome.audited or not service.auditing:
            return  # nothing to build: recorded already, or the sink drops events
        if outcome.context is None:
            outcome.context = request_context(scope, trust_proxies=self.trust_proxies)
        await service.record_outcome(outcome, status_code)

    async def check_store(self) -> None:
        """The start-up check, once before serving (``KeysmithMiddleware`` runs it when the app
        has started): raises ``ConfigurationError`` (``MissingTablesError``) when the SQL
        store's tables do not exist, and logs a warning when its database cannot be reached. A
        store without tables to check (the in-memory one) passes."""
        check = getattr(self.service.store, "check_tables", None)
        if check is not None:
            await check()

    async def aclose(self) -> None:
        """Write out the audit events the service's sink still buffers; call it at shutdown,
        before disposing of the engine (``KeysmithMiddleware`` does on lifespan shutdown)."""
        aclose = getattr(self.service.sink, "aclose", None)
        if aclose is not None:
            await aclose()

    @staticmethod
    def _attach(scope: Scope, outcome: Outcome) -> None:
        token = outcome.token
        scope[TOKEN_KEY] = token
        scope.setdefault("state", {})[STATE_TOKEN_ATTRIBUTE] = token
        if token is not None:
            scope["auth"] = TokenCredentials(outcome.scopes, authenticated=True)
            scope["user"] = TokenUser(token)
        else:
            # Another authentication layer may already have set these; keep its answer.
            scope.setdefault("auth", TokenCredentials())
            scope.setdefault("user", AnonymousUser())
