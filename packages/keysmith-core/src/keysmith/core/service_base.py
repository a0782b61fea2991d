"""What the synchronous and the asynchronous service share: their parts, built from a policy."""

from __future__ import annotations

import logging
from typing import Any, Generic, TypeVar

from keysmith.core.audit import (
    AuditEvent,
    AuditSink,
    LoggingAuditSink,
    sink_enabled,
)
from keysmith.core.budget import FailureTracker
from keysmith.core.cache import VerifiedSecretCache
from keysmith.core.clock import Clock, SystemClock
from keysmith.core.errors import ConfigurationError
from keysmith.core.flows import Flows
from keysmith.core.policy import TokenPolicy
from keysmith.core.stores import R

T = TypeVar("T")
logger = logging.getLogger("keysmith")


def refuse_awaitable(result: Any, fn: Any) -> None:
    close = getattr(result, "close", None)
    if close is not None:
        close()  # no "never awaited" warning on top of the error
    raise ConfigurationError(
        f"{fn!r} returned an awaitable: the synchronous TokenService needs a plain function "
        "(use AsyncTokenService for async hooks)."
    )


def log_sink_failure(event: AuditEvent) -> None:
    # Auditing must never break the operation it records; the failure is still visible, with
    # the token's public prefix so that a lost lifecycle record can be told from the logs.
    logger.exception(
        "keysmith: audit sink failed to record %r of %s", event.action, event.token_prefix or "-"
    )


class ServiceBase(Generic[R]):
    def __init__(
        self,
        *,
        policy: TokenPolicy | None,
        sink: AuditSink | None,
        clock: Clock | None,
        cache_size: int,
    ) -> None:
        self.policy = policy or TokenPolicy()
        self.sink: AuditSink = sink if sink is not None else LoggingAuditSink()
        self.clock: Clock = clock or SystemClock()
        self.cache = VerifiedSecretCache(cache_size) if cache_size else None
        budget = self.policy.failure_budget
        self.failures = FailureTracker(budget) if budget is not None else None
        self.flows: Flows[R] = Flows(self.policy, self.clock, self.cache, self.failures)

    @property
    def auditing(self) -> bool:
        """Whether the sink records events now (``False``: per-request events are not built)."""
        return sink_enabled(self.sink)
