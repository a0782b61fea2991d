"""Test helpers for Flask apps: tokens through the app's keysmith, an authenticated test
client, audit capture (the frozen clock is ``keysmith.testing.frozen_clock``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, TypeVar

from flask import Flask
from flask.testing import FlaskClient

from keysmith.core.policy import Expiry
from keysmith.flask.state import app_state
from keysmith.testing import audit, tokens
from keysmith.testing.audit import AuditEvents
from keysmith.testing.headers import keysmith_headers
from keysmith.testing.tokens import IssuedToken

__all__ = ["authenticated", "capture_audit", "issue_token"]

C = TypeVar("C", bound=FlaskClient)


def issue_token(
    app: Flask,
    *,
    name: str = "test token",
    scopes: Iterable[str] | None = None,
    user: Any = None,
    expires_at: Expiry | timedelta = None,
    **fields: Any,
) -> IssuedToken[Any]:
    """Create a token through ``app``'s keysmith service and return it as ``(raw, record)``."""
    return tokens.issue_token(
        app_state(app).service, name=name, scopes=scopes, user=user, expires_at=expires_at, **fields
    )


def authenticated(
    client: C, token: IssuedToken[Any] | str, *, header: str | None = None, bearer: bool = False
) -> C:
    """Send ``token`` with every later request of ``app.test_client()``, in the header the
    app's keysmith reads (``KEYSMITH_HEADER_NAME``) unless ``header`` or ``bearer=True`` says
    otherwise; returns ``client``."""
    source = app_state(client.application).source
    for name, value in keysmith_headers(token, header=header, bearer=bearer, source=source).items():
        client.environ_base["HTTP_" + name.upper().replace("-", "_")] = value
    return client


@contextmanager
def capture_audit(app: Flask) -> Iterator[AuditEvents]:
    """Record every audit event ``app``'s keysmith emits during the block (rows written at
    once too, not buffered)."""
    with audit.capture_audit(app_state(app).service) as events:
        yield events
