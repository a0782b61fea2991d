"""The operations a lifecycle flow yields: the I/O and slow work a service performs for it.

Each flow is a plain generator that makes every decision itself and yields one of these whenever
it needs the store, slow CPU work, an application hook or the audit sink. ``TokenService`` runs
them synchronously, ``AsyncTokenService`` awaits them, so the two never diverge.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple, TypeVar

from keysmith.core.audit import AuditEvent

T = TypeVar("T")


# Operations are named tuples: one is built per store call on every request, and a tuple is
# built in half the time of a frozen dataclass.
_NO_KWARGS: Mapping[str, Any] = MappingProxyType({})


class StoreCall(NamedTuple):
    """Call ``method`` on the store."""

    method: str
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
