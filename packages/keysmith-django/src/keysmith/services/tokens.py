"""Create, rotate, revoke and purge tokens: the documented facade over the core service."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from keysmith.core.policy import Expiry
from keysmith.django.context import request_context
from keysmith.django.runtime import get_service
from keysmith.django.store import scope_name
from keysmith.models.base import AbstractToken

__all__ = ["create_token", "mark_token_used", "purge_token", "revoke_token", "rotate_token"]


def create_token(
    *,
    name: str,
    description: str = "",
    created_by: Any = None,
    user: Any = None,
    scopes: Iterable[Any] | None = None,
    expires_at: Expiry = None,
    token_type: str | None = None,
    request: Any = None,
) -> tuple[Any, str]:
    """Store a new token and return ``(token, raw_token)``; the raw token is shown only here.

    ``scopes`` are ``Permission`` objects, a queryset of them, or codenames; omitted, the
    ``DEFAULT_SCOPES`` apply. ``expires_at`` omitted gives ``DEFAULT_EXPIRY_DAYS``;
    ``keysmith.core.NO_EXPIRY`` gives a token that never expires whatever that setting.
    Raises ``ValueError`` for scopes outside a non-empty ``AVAILABLE_SCOPES``, unknown
    codenames, a bad token type or a name that is too long.
    """
    return get_service().create(
        name=name,
        description=description,
        user=user,
        created_by=created_by,
        scopes=scopes,
        expires_at=expires_at,
        token_type=token_type,
        scope_name=scope_name,
        context=request_context(request),
    )


def rotate_token(
    token: AbstractToken,
    *,
    request: Any = None,
    actor: Any = None,
    grace: timedelta | None = None,
) -> str:
    """Give the token a new secret (same prefix and identity) and return the new raw token.

    The old raw token stops working at once, unless ``grace`` (else ``ROTATION_GRACE_SECONDS``)
    gives it a grace period; ``timedelta(0)``: none, whatever the setting.
    Raises ``ValueError`` for a revoked, purged or expired token, and ``TokenChanged`` (a
    ``ValueError``) when the token was rotated, revoked or purged after ``token`` was read.
    """
    return get_service().rotate(token, actor=actor, context=request_context(request), grace=grace)


def revoke_token(
    token: AbstractToken, *, purge: bool = False, request: Any = None, actor: Any = None
) -> None:
    """Revoke the token; ``purge=True`` is ``purge_token``. Audited only when state changes."""
    if purge:
        purge_token(token, request=request, actor=actor)
        return
    get_service().revoke(token, actor=actor, context=request_context(request))


def purge_token(token: AbstractToken, *, request: Any = None, actor: Any = None) -> None:
    """Retire the token for good: ``purged`` and ``revoked``."""
    get_service().purge(token, actor=actor, context=request_context(request))


def mark_token_used(token: AbstractToken) -> None:
    """Set ``last_used_at`` to now (authentication does this by itself)."""
    get_service().mark_used(token)
