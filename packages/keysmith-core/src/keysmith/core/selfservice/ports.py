"""What the self-service flows ask of a framework: a backend (reads, grant checks, and the
lifecycle service's create, rotate and revoke), and the two drivers that run a flow over one.

A flow is a generator that makes every decision and yields an ``Ask`` whenever it needs the
backend; ``run`` performs them in the caller's thread, ``run_async`` awaits them, so Django,
Flask (sync) and FastAPI (async) share each rule.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection, Generator
from datetime import datetime, timedelta
from typing import Any, Concatenate, NamedTuple, ParamSpec, Protocol, TypeVar

from keysmith.core.errors import STORE_UNAVAILABLE, unavailable
from keysmith.core.messages import SERVICE_UNAVAILABLE
from keysmith.core.operations import drive, drive_async
from keysmith.core.policy import Expiry, TokenPolicy
from keysmith.core.selfservice.access import Caller
from keysmith.core.selfservice.errors import SelfServiceError
from keysmith.core.selfservice.shapes import TokenView

T = TypeVar("T")
P = ParamSpec("P")


class Backend(Protocol):
    """The I/O of the self-service endpoints in one framework; records are its own type.

    Lifecycle writes go through the framework's lifecycle service, so they are hashed,
    compare-and-swap and audited with ``caller.actor`` as everywhere else. An asynchronous
    backend has the same methods returning awaitables. A backend may raise
    ``SelfServiceError`` itself (an owner that does not exist).
    """

    def now(self) -> datetime: ...

    def policy(self) -> TokenPolicy: ...

    def find(self, token_id: str) -> Any:
        """The token with this id (whoever owns it), or None."""
        ...

    def page(
        self, owner: str, states: frozenset[str], now: datetime, offset: int, limit: int
    ) -> tuple[int, list[Any]]:
        """How many tokens of ``owner`` are in ``states`` (all when empty), and one slice of
        them, newest first."""
        ...

    def count_live(self, owner: str, now: datetime) -> int:
        """How many tokens of ``owner`` are neither revoked, purged nor expired at ``now``."""
        ...

    def hold_owner(self, owner: str) -> bool:
        """Make this request the only one creating a token for ``owner`` until
        ``release_holds``, so the limit's count and the creation cannot interleave with another
        request's; False when another request holds it (the creation is refused, not queued)."""
        ...

    def release_holds(self) -> object:
        """End this request's holds; the drivers call it once the flow has finished."""
        ...

    def held_scopes(
        self, caller: Caller, principal: str, scopes: tuple[str, ...]
    ) -> Collection[str]:
        """Which of ``scopes`` the user ``principal`` holds, so may grant or be granted."""
        ...

    def create(
        self,
        caller: Caller,
        owner: str,
        *,
        name: str,
        description: str,
        scopes: tuple[str, ...],
        expires_at: Expiry,
    ) -> tuple[Any, str]: ...

    def rotate(self, caller: Caller, record: Any, grace: timedelta | None) -> str: ...

    def revoke(self, caller: Caller, record: Any) -> object: ...

    def describe(self, record: Any) -> TokenView: ...


class Ask(NamedTuple):
    """Call ``method`` (a ``Backend`` method: the async backend has the same names)."""

    method: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


Flow = Generator[Ask, Any, T]


def ask(
    method: Callable[Concatenate[Backend, P], T], *args: P.args, **kwargs: P.kwargs
) -> Generator[Ask, Any, T]:
    """``view = yield from ask(Backend.describe, record)``: mypy checks the call."""
    result: T = yield Ask(method, args, kwargs)
    return result


def _store_failed() -> SelfServiceError:
    unavailable(STORE_UNAVAILABLE)  # logs the failure with its traceback
    return SelfServiceError(SERVICE_UNAVAILABLE)


def run(flow: Flow[T], backend: Any) -> T:
    """Run ``flow`` over a synchronous backend. A failure that is not a refusal (the database
    is down) becomes a ``service_unavailable`` refusal, logged."""
    try:
        return _run(flow, backend)
    finally:
        backend.release_holds()


def _run(flow: Flow[T], backend: Any) -> T:
    try:
        return drive(flow, lambda op: _call(backend, op))
    except SelfServiceError:
        raise
    except Exception as failure:  # not handled by the flow
        raise _store_failed() from failure


def _call(backend: Any, op: Ask) -> Any:
    return getattr(backend, op.method.__name__)(*op.args, **op.kwargs)


async def run_async(flow: Flow[T], backend: Any) -> T:
    """``run`` for an asynchronous backend: each method's result is awaited when awaitable."""
    try:
        return await _run_async(flow, backend)
    finally:
        released = backend.release_holds()
        if inspect.isawaitable(released):
            await released


async def _run_async(flow: Flow[T], backend: Any) -> T:
    async def call(op: Ask) -> Any:
        result = _call(backend, op)
        return await result if inspect.isawaitable(result) else result

    try:
        return await drive_async(flow, call)
    except SelfServiceError:
        raise
    except Exception as failure:  # not handled by the flow
        raise _store_failed() from failure
