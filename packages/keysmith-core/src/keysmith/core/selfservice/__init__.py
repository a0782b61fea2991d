"""The framework-free half of the self-service token endpoints: requests, rules, flows and the
JSON shapes every framework's adapter (DRF, FastAPI, Flask) answers with."""

from __future__ import annotations

from keysmith.core.selfservice.access import Caller, grant_refusals
from keysmith.core.selfservice.errors import SelfServiceError
from keysmith.core.selfservice.flows import Reply, SelfServiceFlows
from keysmith.core.selfservice.limits import SelfServiceLimits
from keysmith.core.selfservice.ports import Backend, run, run_async
from keysmith.core.selfservice.shapes import STATE_RULES, STATES, StateRule, TokenView

__all__ = [
    "STATES",
    "STATE_RULES",
    "Backend",
    "Caller",
    "Reply",
    "SelfServiceError",
    "SelfServiceFlows",
    "SelfServiceLimits",
    "StateRule",
    "TokenView",
    "grant_refusals",
    "run",
    "run_async",
]
