"""keysmith.testing: helpers for testing applications that use keysmith.

Plain functions, usable from any test runner: ``issue_token`` / ``aissue_token``,
``authenticated(client, token)`` and ``keysmith_headers(token)``, ``capture_audit(service)``,
``frozen_clock(at)``. Each framework's own helpers live beside its adapter
(``keysmith.django.testing``, ``keysmith.drf.testing``, ``keysmith.asgi.testing``,
``keysmith.flask.testing``) and are imported only when used. Nothing here needs pytest; with
pytest, ``pytest_plugins = ["keysmith.testing"]`` in a ``conftest.py`` adds the fixtures of
``keysmith.testing.plugin``. ``keysmith.testing.contract`` is the store contract suite.
"""

from __future__ import annotations

from keysmith.testing.audit import AuditCapture, AuditEvents, CapturingSink, capture_audit
from keysmith.testing.clients import authenticated
from keysmith.testing.clock import TestClock, frozen_clock
from keysmith.testing.headers import keysmith_headers, raw_token
from keysmith.testing.tokens import IssuedToken, aissue_token, issue_token, service_of

# Read by pytest only when this module is named in a ``pytest_plugins`` list.
pytest_plugins = ["keysmith.testing.plugin"]

__all__ = [
    "AuditCapture",
    "AuditEvents",
    "CapturingSink",
    "IssuedToken",
    "TestClock",
    "aissue_token",
    "authenticated",
    "capture_audit",
    "frozen_clock",
    "issue_token",
    "keysmith_headers",
    "raw_token",
    "service_of",
]
