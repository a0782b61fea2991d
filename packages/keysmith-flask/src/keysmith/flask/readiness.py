"""The start-up check of the token store, run by the app's first request.

Not by ``init_app``: the app is built before ``flask keysmith init`` (and Flask-SQLAlchemy's
``create_all``) can create the tables, so building it must not need them. The first request
checks them once; while they are missing, requests answer 503 and the error naming the fix is
logged, checked again at most every ``RETRY_SECONDS``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from keysmith.core.errors import ConfigurationError

logger = logging.getLogger("keysmith.flask")

# The Retry-After of the 503 answer: no sooner is the check worth running again.
RETRY_SECONDS = 5.0


class StoreCheck:
    """Runs ``check`` (the store's ``check_tables``) until it passes; ``None``: nothing to
    check (a store without tables)."""

    def __init__(self, check: Callable[[], object] | None) -> None:
        self._check = check
        self._passed = check is None
        self._next_attempt = 0.0
        self._lock = threading.Lock()

    def passes(self) -> bool:
        """Whether requests may go on: the tables exist, or the database could not be reached
        to tell (a store outage has its own 503)."""
        if self._passed:
            return True
        with self._lock:  # one check at a time, the others wait for its verdict
            return self._passed or self._attempt()

    def _attempt(self) -> bool:
        now = time.monotonic()
        if now < self._next_attempt or self._check is None:
            return False
        self._next_attempt = now + RETRY_SECONDS
        try:
            self._check()
        except ConfigurationError as error:
            logger.error("keysmith: %s", error)
            return False
        self._passed = True
        return True
