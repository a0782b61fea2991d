"""Test helpers for Django projects: tokens, an authenticated test ``Client``, audit capture.

The framework-free helpers (``frozen_clock``, ``keysmith_headers``) are in ``keysmith.testing``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, TypeVar

from keysmith.core.policy import Expiry
from keysmith.django.runtime import get_service, observing
from keysmith.django.settings import get_settings
from keysmith.django.store import scope_name
from keysmith.testing.audit import AuditCapture, AuditEvents
from keysmith.testing.headers import raw_token
from keysmith.testing.tokens import IssuedToken, expiry

__all__ = ["authenticated", "capture_audit", "issue_token", "token_meta"]

C = TypeVar("C")


def issue_token(
    *,
    name: str = "test token",
    scopes: Iterable[Any] | None = None,
    user: Any = None,
    expires_at: Expiry | timedelta = None,
    **fields: Any,
) -> IssuedToken[Any]:
    """Create a token as ``keysmith.services.tokens.create_token`` does (audited as the project
    audits) and return it as ``(raw, token)``. ``scopes`` are codenames or
    ``Permission`` objects; ``expires_at`` a datetime, a timedelta from now, ``NO_EXPIRY`` or
    None (``DEFAULT_EXPIRY_DAYS``); ``fields`` are ``create_token``'s other arguments."""
    service = get_service()
    token, raw = service.create(
        name=name,
        scopes=scopes,
        user=user,
        expires_at=expiry(expires_at, service.clock),
        scope_name=scope_name,
        **fields,
    )
    return IssuedToken(raw, token)


def token_meta(token: IssuedToken[Any] | str) -> dict[str, str]:
    """``{HEADER_NAME: token}``: the ``request.META`` entry that carries the token, for
    ``client.get(path, **token_meta(token))`` and ``RequestFactory``."""
    return {get_settings().HEADER_NAME: raw_token(token)}


def authenticated(client: C, token: IssuedToken[Any] | str) -> C:
    """Send ``token`` with every later request of a ``django.test.Client``, in the header that
    ``KEYSMITH["HEADER_NAME"]`` names; returns ``client``."""
    defaults = getattr(client, "defaults", None)
    if not isinstance(defaults, dict):
        raise TypeError(f"Expected a django.test.Client, got {type(client).__name__}.")
    defaults.update(token_meta(token))
    return client


@contextmanager
def capture_audit() -> Iterator[AuditEvents]:
    """Record every audit event keysmith emits during the block into the list yielded.

    Rows are written at once too (not buffered), so they can be queried as soon as a request
    returns; a settings change inside the block (``override_settings``, pytest-django's
    ``settings``) is followed to the service built for the new settings.
    """
    capture = AuditCapture()
    try:
        with observing(capture.attach):
            capture.attach(get_service())
            yield capture.events
    finally:
        capture.restore()
