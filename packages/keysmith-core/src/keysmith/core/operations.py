"""The operations a lifecycle flow yields: the I/O and slow work a service performs for it.

Each flow is a plain generator that makes every decision itself and yields one of these whenever
it needs the store, slow CPU work, an application hook or the audit sink. ``TokenService`` runs
them synchronously, ``AsyncTokenService`` awaits them, so the two never diverge.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator, Mapping
from types import MappingProxyType
from typing import Any, Concatenate, NamedTuple, ParamSpec, TypeVar

from keysmith.core.audit import AuditEvent
from keysmith.core.stores import R, TokenStore

T = TypeVar("T")
P = ParamSpec("P")
Y = TypeVar("Y")  # what a flow yields: an Operation, or another layer's request


# Operations are named tuples: one is built per store call on every request, and a tuple is
# built in half the time of a frozen dataclass.
_NO_KWARGS: Mapping[str, Any] = MappingProxyType({})


class StoreCall(NamedTuple):
    """Call ``method`` (a ``TokenStore`` method: the async store has the same names) on the
    service's store. Built by ``call_store``, which type-checks the call."""

    method: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = _NO_KWARGS


class Compute(NamedTuple):
    """CPU-heavy work (hashing): the async service runs it off the event loop."""

    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()

    def __repr__(self) -> str:
        # The arguments are a secret and a hash: a frame's locals in an error report show this.
        return f"Compute({getattr(self.fn, '__qualname__', self.fn)!r}, <hidden>)"


class Emit(NamedTuple):
    """Hand an event to the audit sink; failures are logged and ignored."""

    event: AuditEvent


class Call(NamedTuple):
    """Call an application hook; the async service awaits what it returns when awaitable."""

    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()


Operation = StoreCall | Compute | Emit | Call
Flow = Generator[Operation, Any, T]


def call_store(
    method: Callable[Concatenate[TokenStore[R], P], T], *args: P.args, **kwargs: P.kwargs
) -> Generator[Operation, Any, T]:
    """``result = yield from call_store(TokenStore.touch, record, now=..., stale_before=...)``.

    ``method`` is the store protocol's own method, so mypy checks its name, the arguments and
    the result's type; the async service awaits the same method of its ``AsyncTokenStore``.
    """
    result: T = yield StoreCall(method, args, kwargs)
    return result


def drive(flow: Generator[Y, Any, T], perform: Callable[[Y], Any]) -> T:
    """Run ``flow`` to its end and return its value: each thing it yields goes to ``perform``,
    whose result is sent back in, or whose exception is thrown in for the flow to handle."""
    result: Any = None
    error: Exception | None = None
    while True:
        try:
            op = flow.throw(error) if error is not None else flow.send(result)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        result, error = None, None
        try:
            result = perform(op)
        except Exception as exc:
            error = exc


async def drive_async(flow: Generator[Y, Any, T], perform: Callable[[Y], Awaitable[Any]]) -> T:
    """``drive`` for an asynchronous ``perform``: its results are awaited."""
    result: Any = None
    error: Exception | None = None
    while True:
        try:
            op = flow.throw(error) if error is not None else flow.send(result)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        result, error = None, None
        try:
            result = await perform(op)
        except Exception as exc:
            error = exc
